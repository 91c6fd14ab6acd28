using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;

namespace ModernAuth.Mail.Shared;

/// <summary>
/// The local servers that <c>eng/test-servers.sh start</c> runs (Dovecot, Postfix, Redis on loopback), as the
/// <c>servers.json</c> it writes describes them. The one reader of that file: compiled into the CLI for
/// <c>--sandbox</c>, and linked into the test projects, samples and benchmarks that use the servers.
/// </summary>
internal sealed class TestServers
{
    /// <summary>What starts the servers, for messages.</summary>
    public const string StartCommand = "eng/test-servers.sh start";

    // eng/test-servers.sh's state directory when MODERNAUTH_MAIL_SERVERS_DIR is not set.
    private const string DefaultDirectory = "/tmp/modernauth-mail-servers";

    private readonly byte[] _tlsCertificate;

    private TestServers(string path, JsonElement root)
    {
        Path = path;
        StateDirectory = root.GetProperty("stateDir").GetString()!;
        Host = root.GetProperty("host").GetString()!;
        var ports = root.GetProperty("ports");
        ImapPort = ports.GetProperty("imap").GetInt32();
        ImapsPort = ports.GetProperty("imaps").GetInt32();
        Pop3Port = ports.GetProperty("pop3").GetInt32();
        Pop3sPort = ports.GetProperty("pop3s").GetInt32();
        SubmissionPort = ports.GetProperty("submission").GetInt32();
        RedisEndpoint = root.TryGetProperty("redis", out var redis) ? redis.GetString() : null;
        TenantId = root.GetProperty("tenantId").GetString()!;
        var key = root.GetProperty("signingKey");
        KeyId = key.GetProperty("kid").GetString()!;
        SigningKeyPath = key.GetProperty("privateKeyPem").GetString()!;
        TlsCertificatePath = root.GetProperty("tls").GetProperty("certificate").GetString()!;
        Domains = root.GetProperty("domains").EnumerateArray().Select(d => d.GetString()!).ToArray();
        if (root.TryGetProperty("passwordUser", out var passwordUser))
        {
            PasswordUser = passwordUser.GetProperty("user").GetString();
            Password = passwordUser.GetProperty("password").GetString();
        }

        MailDirectory = root.GetProperty("mailDir").GetString()!;
        using var certificate = X509CertificateLoader.LoadCertificateFromFile(TlsCertificatePath);
        _tlsCertificate = certificate.RawData;
    }

    /// <summary>Where servers.json was read from.</summary>
    public string Path { get; }

    /// <summary>The servers' state directory (configuration, logs, keys).</summary>
    public string StateDirectory { get; }

    /// <summary>The loopback address the servers listen on.</summary>
    public string Host { get; }

    /// <summary>IMAP with STARTTLS.</summary>
    public int ImapPort { get; }

    /// <summary>IMAP over implicit TLS.</summary>
    public int ImapsPort { get; }

    /// <summary>POP3 with STARTTLS.</summary>
    public int Pop3Port { get; }

    /// <summary>POP3 over implicit TLS.</summary>
    public int Pop3sPort { get; }

    /// <summary>Postfix's submission port (STARTTLS).</summary>
    public int SubmissionPort { get; }

    /// <summary><c>host:port</c> of the Redis server, if the file names one.</summary>
    public string? RedisEndpoint { get; }

    /// <summary>The tenant whose tokens the servers accept.</summary>
    public string TenantId { get; }

    /// <summary>The <c>kid</c> the servers look the signing key up by.</summary>
    public string KeyId { get; }

    /// <summary>The PEM file of the private key tokens must be signed with.</summary>
    public string SigningKeyPath { get; }

    /// <summary>The PEM file of the servers' self-signed TLS certificate.</summary>
    public string TlsCertificatePath { get; }

    /// <summary>The mail domains of the tenant (an app-only token may open any mailbox in them).</summary>
    public IReadOnlyList<string> Domains { get; }

    /// <summary>The password account for comparisons with Basic authentication, if any.</summary>
    public string? PasswordUser { get; }

    /// <summary>Its password.</summary>
    public string? Password { get; }

    /// <summary>Where Dovecot keeps the mailboxes.</summary>
    public string MailDirectory { get; }

    /// <summary>Trusts exactly the servers' self-signed certificate.</summary>
    public RemoteCertificateValidationCallback TrustServerCertificate
    {
        get
        {
            var expected = _tlsCertificate;
            return (_, presented, _, _) => presented is not null && presented.GetRawCertData().AsSpan().SequenceEqual(expected);
        }
    }

    /// <summary>Where servers.json is: <c>MODERNAUTH_MAIL_SERVERS_JSON</c>, else <c>$MODERNAUTH_MAIL_SERVERS_DIR/servers.json</c>, else the script's default.</summary>
    /// <param name="environment">Reads an environment variable; <see cref="Environment.GetEnvironmentVariable(string)"/> when <see langword="null"/>.</param>
    public static string Locate(Func<string, string?>? environment = null)
    {
        environment ??= Environment.GetEnvironmentVariable;
        return NonEmpty(environment("MODERNAUTH_MAIL_SERVERS_JSON"))
            ?? System.IO.Path.Combine(NonEmpty(environment("MODERNAUTH_MAIL_SERVERS_DIR")) ?? DefaultDirectory, "servers.json");
    }

    /// <summary>Reads servers.json.</summary>
    /// <param name="environment">Reads an environment variable; <see cref="Environment.GetEnvironmentVariable(string)"/> when <see langword="null"/>.</param>
    /// <exception cref="InvalidOperationException">The file is missing or unreadable: the message names the command that starts the servers.</exception>
    public static TestServers Load(Func<string, string?>? environment = null)
    {
        var path = Locate(environment);
        if (!File.Exists(path))
        {
            throw new InvalidOperationException(
                $"The local test servers are not running: {path} does not exist. Run `{StartCommand}` (as root) from the repository root first " +
                "(it installs and starts Dovecot, Postfix and Redis on loopback ports; eng/test.sh does it), or set MODERNAUTH_MAIL_SERVERS_DIR to where they run.");
        }

        try
        {
            using var json = JsonDocument.Parse(File.ReadAllText(path));
            return new TestServers(path, json.RootElement);
        }
        catch (Exception error) when (error is JsonException or KeyNotFoundException or InvalidOperationException or IOException or CryptographicException)
        {
            throw new InvalidOperationException($"{path} could not be read ({error.Message}). Run `{StartCommand}` again to rewrite it.", error);
        }
    }

    /// <summary>The key the servers validate token signatures with.</summary>
    public RSA CreateSigningKey()
    {
        var rsa = RSA.Create();
        try
        {
            rsa.ImportFromPem(File.ReadAllText(SigningKeyPath));
            return rsa;
        }
        catch
        {
            rsa.Dispose();
            throw;
        }
    }

    /// <summary>The servers' TLS certificate (public part).</summary>
    public X509Certificate2 LoadTlsCertificate() => X509CertificateLoader.LoadCertificate(_tlsCertificate);

    /// <summary>Fails with the start command when nothing listens on one of <paramref name="ports"/>.</summary>
    /// <exception cref="InvalidOperationException">A port is closed.</exception>
    public void EnsureListening(params int[] ports)
    {
        var closed = ports.Where(p => !IsListening(Host, p)).ToArray();
        if (closed.Length > 0)
        {
            throw new InvalidOperationException(
                $"The local test servers are not running: nothing listens on {Host} port(s) {string.Join(", ", closed)}. Run `{StartCommand}` (as root) from the repository root first.");
        }
    }

    /// <summary>Whether a TCP connection to <paramref name="host"/>:<paramref name="port"/> opens within two seconds.</summary>
    public static bool IsListening(string host, int port)
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

    private static string? NonEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;
}
