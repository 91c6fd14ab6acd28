using System.Net.Security;
using System.Security.Cryptography;
using ModernAuth.Mail.Shared;

namespace ModernAuth.Mail.MailKit.Tests.Support;

/// <summary>
/// The real Dovecot and Postfix that <c>eng/test-servers.sh start</c> runs on loopback, as its <c>servers.json</c>
/// describes them (read by the shared <see cref="TestServers"/>). Shared by every test of the
/// <see cref="MailServersCollection"/>. When the servers are not running, every such test fails with the command that
/// starts them: a mail adapter test that silently skips proves nothing.
/// </summary>
public sealed class MailServers
{
    public const string StartCommand = TestServers.StartCommand;

    private readonly TestServers _servers;

    public MailServers()
    {
        _servers = TestServers.Load();
        _servers.EnsureListening(_servers.ImapPort, _servers.ImapsPort, _servers.Pop3Port, _servers.Pop3sPort, _servers.SubmissionPort);
    }

    public string Host => _servers.Host;

    public int ImapPort => _servers.ImapPort;

    public int ImapsPort => _servers.ImapsPort;

    public int Pop3Port => _servers.Pop3Port;

    public int Pop3sPort => _servers.Pop3sPort;

    public int SubmissionPort => _servers.SubmissionPort;

    public string TenantId => _servers.TenantId;

    public string KeyId => _servers.KeyId;

    public IReadOnlyList<string> Domains => _servers.Domains;

    public string? PasswordUser => _servers.PasswordUser;

    public string? Password => _servers.Password;

    /// <summary>Trusts exactly the servers' self-signed certificate.</summary>
    public RemoteCertificateValidationCallback TrustServerCertificate => _servers.TrustServerCertificate;

    /// <summary>A mailbox no other test uses, so tests run in parallel and again without cleaning up.</summary>
    public static string NewMailbox(string prefix = "t") => $"{prefix}-{Guid.NewGuid():N}"[..Math.Min(prefix.Length + 13, 40)] + "@contoso.test";

    public RSA CreateSigningKey() => _servers.CreateSigningKey();

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
