using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;

namespace ModernAuth.Mail.MailKit.Tests.Support;

/// <summary>
/// The real Dovecot and Postfix that <c>eng/test-servers.sh start</c> runs on loopback, as its <c>servers.json</c>
/// describes them. Shared by every test of the <see cref="MailServersCollection"/>. When the servers are not running,
/// every such test fails with the command that starts them: a mail adapter test that silently skips proves nothing.
/// </summary>
public sealed class MailServers : IDisposable
{
    public const string StartCommand = "eng/test-servers.sh start";

    private readonly X509Certificate2 _serverCertificate;

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
            throw new InvalidOperationException(
                $"The test mail servers are not running: {path} does not exist. Run `{StartCommand}` (as root) from the repository root first, or set MODERNAUTH_MAIL_SERVERS_DIR.");
        }

        using var json = JsonDocument.Parse(File.ReadAllText(path));
        var root = json.RootElement;
        Host = root.GetProperty("host").GetString()!;
        var ports = root.GetProperty("ports");
        ImapPort = ports.GetProperty("imap").GetInt32();
        ImapsPort = ports.GetProperty("imaps").GetInt32();
        Pop3Port = ports.GetProperty("pop3").GetInt32();
        Pop3sPort = ports.GetProperty("pop3s").GetInt32();
        SubmissionPort = ports.GetProperty("submission").GetInt32();
        TenantId = root.GetProperty("tenantId").GetString()!;
        var key = root.GetProperty("signingKey");
        KeyId = key.GetProperty("kid").GetString()!;
        SigningKeyPem = File.ReadAllText(key.GetProperty("privateKeyPem").GetString()!);
        Domains = root.GetProperty("domains").EnumerateArray().Select(d => d.GetString()!).ToArray();
        if (root.TryGetProperty("passwordUser", out var passwordUser))
        {
            PasswordUser = passwordUser.GetProperty("user").GetString();
            Password = passwordUser.GetProperty("password").GetString();
        }

        _serverCertificate = X509Certificate2.CreateFromPem(File.ReadAllText(root.GetProperty("tls").GetProperty("certificate").GetString()!));

        var closed = new[] { ImapPort, ImapsPort, Pop3Port, Pop3sPort, SubmissionPort }.Where(p => !IsOpen(Host, p)).ToArray();
        if (closed.Length > 0)
        {
            throw new InvalidOperationException(
                $"The test mail servers are not running: nothing listens on {Host} port(s) {string.Join(", ", closed)}. Run `{StartCommand}` (as root) from the repository root first.");
        }
    }

    public string Host { get; }

    public int ImapPort { get; }

    public int ImapsPort { get; }

    public int Pop3Port { get; }

    public int Pop3sPort { get; }

    public int SubmissionPort { get; }

    public string TenantId { get; }

    public string KeyId { get; }

    public string SigningKeyPem { get; }

    public IReadOnlyList<string> Domains { get; }

    public string? PasswordUser { get; }

    public string? Password { get; }

    /// <summary>Trusts exactly the servers' self-signed certificate.</summary>
    public RemoteCertificateValidationCallback TrustServerCertificate => (_, certificate, _, errors) =>
        errors == SslPolicyErrors.None ||
        (certificate is not null && certificate.GetCertHashString(HashAlgorithmName.SHA256) == _serverCertificate.GetCertHashString(HashAlgorithmName.SHA256));

    /// <summary>A mailbox no other test uses, so tests run in parallel and again without cleaning up.</summary>
    public static string NewMailbox(string prefix = "t") => $"{prefix}-{Guid.NewGuid():N}"[..Math.Min(prefix.Length + 13, 40)] + "@contoso.test";

    public RSA CreateSigningKey()
    {
        var rsa = RSA.Create();
        rsa.ImportFromPem(SigningKeyPem);
        return rsa;
    }

    /// <summary>Connect options for a protocol: implicit TLS for IMAP/POP, STARTTLS for SMTP, trusting the test certificate.</summary>
    public MailKitConnectOptions ConnectOptions(MailProtocol protocol, bool startTls = false) => new()
    {
        Host = Host,
        Port = protocol switch
        {
            MailProtocol.Imap => startTls ? ImapPort : ImapsPort,
            MailProtocol.Pop => startTls ? Pop3Port : Pop3sPort,
            _ => SubmissionPort,
        },
        TlsMode = protocol == MailProtocol.Smtp || startTls ? MailTlsMode.StartTls : MailTlsMode.Implicit,
        ServerCertificateValidationCallback = TrustServerCertificate,
        CheckCertificateRevocation = false,
        Timeout = TimeSpan.FromSeconds(30),
    };

    public void Dispose() => _serverCertificate.Dispose();

    private static bool IsOpen(string host, int port)
    {
        try
        {
            using var client = new TcpClient();
            return client.ConnectAsync(host, port).Wait(TimeSpan.FromSeconds(2)) && client.Connected;
        }
        catch (AggregateException)
        {
            return false;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}

[CollectionDefinition(Name)]
public sealed class MailServersCollection : ICollectionFixture<MailServers>
{
    public const string Name = "Real Dovecot and Postfix";
}

/// <summary>The same servers for the rejection tests, as a second collection so the two run in parallel.</summary>
[CollectionDefinition(Name)]
public sealed class MailServersRejectionCollection : ICollectionFixture<MailServers>
{
    public const string Name = "Real Dovecot and Postfix: rejections";
}
