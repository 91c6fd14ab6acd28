using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;

namespace ModernAuth.Mail.Relay.Tests.Support;

/// <summary>
/// The real Postfix and Dovecot that <c>eng/test-servers.sh start</c> runs on loopback, as its <c>servers.json</c>
/// describes them. When they are not running every test that needs them fails with the command that starts them.
/// </summary>
public sealed class MailServers
{
    public MailServers()
    {
        var dir = Environment.GetEnvironmentVariable("MODERNAUTH_MAIL_SERVERS_DIR");
        if (string.IsNullOrWhiteSpace(dir))
        {
            dir = "/tmp/modernauth-mail-servers";
        }

        var path = Path.Combine(dir, "servers.json");
        if (!File.Exists(path))
        {
            throw new InvalidOperationException($"The test mail servers are not running: {path} does not exist. Run `eng/test-servers.sh start` (as root) from the repository root first.");
        }

        using var json = JsonDocument.Parse(File.ReadAllText(path));
        var root = json.RootElement;
        Host = root.GetProperty("host").GetString()!;
        ImapsPort = root.GetProperty("ports").GetProperty("imaps").GetInt32();
        SubmissionPort = root.GetProperty("ports").GetProperty("submission").GetInt32();
        TenantId = root.GetProperty("tenantId").GetString()!;
        var key = root.GetProperty("signingKey");
        KeyId = key.GetProperty("kid").GetString()!;
        SigningKeyPath = key.GetProperty("privateKeyPem").GetString()!;
        CertificatePath = root.GetProperty("tls").GetProperty("certificate").GetString()!;
        PasswordUser = root.GetProperty("passwordUser").GetProperty("user").GetString()!;
        Password = root.GetProperty("passwordUser").GetProperty("password").GetString()!;
        using var certificate = X509Certificate2.CreateFromPem(File.ReadAllText(CertificatePath));
        _certificateHash = certificate.GetCertHashString(HashAlgorithmName.SHA256);
        foreach (var port in new[] { ImapsPort, SubmissionPort })
        {
            using var client = new TcpClient();
            try
            {
                if (!client.ConnectAsync(Host, port).Wait(TimeSpan.FromSeconds(2)))
                {
                    throw new TimeoutException();
                }
            }
            catch (Exception ex) when (ex is AggregateException or SocketException or TimeoutException)
            {
                throw new InvalidOperationException($"The test mail servers are not running: nothing answers on {Host}:{port}. Run `eng/test-servers.sh start` (as root) first.");
            }
        }
    }

    private readonly string _certificateHash;

    public string Host { get; }

    public int ImapsPort { get; }

    public int SubmissionPort { get; }

    public string TenantId { get; }

    public string KeyId { get; }

    public string SigningKeyPath { get; }

    public string CertificatePath { get; }

    public string PasswordUser { get; }

    public string Password { get; }

    public RemoteCertificateValidationCallback TrustServerCertificate => (_, certificate, _, errors) =>
        errors == SslPolicyErrors.None || (certificate is not null && certificate.GetCertHashString(HashAlgorithmName.SHA256) == _certificateHash);

    public static string NewMailbox(string prefix = "r") => $"{prefix}-{Guid.NewGuid():N}"[..(prefix.Length + 13)] + "@contoso.test";

    public RSA CreateSigningKey()
    {
        var rsa = RSA.Create();
        rsa.ImportFromPem(File.ReadAllText(SigningKeyPath));
        return rsa;
    }
}

[CollectionDefinition(Name)]
public sealed class RelayCollection : ICollectionFixture<MailServers>
{
    public const string Name = "Relay against real Postfix and Dovecot";
}
