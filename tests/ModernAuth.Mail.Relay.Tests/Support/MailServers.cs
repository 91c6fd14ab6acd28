using System.Net.Security;
using System.Security.Cryptography;
using ModernAuth.Mail.Shared;

namespace ModernAuth.Mail.Relay.Tests.Support;

/// <summary>
/// The real Postfix and Dovecot that <c>eng/test-servers.sh start</c> runs on loopback, as its <c>servers.json</c>
/// describes them (read by the shared <see cref="TestServers"/>). When they are not running every test that needs them
/// fails with the command that starts them.
/// </summary>
public sealed class MailServers
{
    private readonly TestServers _servers;

    public MailServers()
    {
        _servers = TestServers.Load();
        _servers.EnsureListening(_servers.ImapsPort, _servers.SubmissionPort);
    }

    public string Host => _servers.Host;

    public int ImapsPort => _servers.ImapsPort;

    public int SubmissionPort => _servers.SubmissionPort;

    public string TenantId => _servers.TenantId;

    public string KeyId => _servers.KeyId;

    public string SigningKeyPath => _servers.SigningKeyPath;

    public string CertificatePath => _servers.TlsCertificatePath;

    public string PasswordUser => _servers.PasswordUser ?? throw new InvalidOperationException(_servers.Path + " names no passwordUser: run `" + TestServers.StartCommand + "` again.");

    public string Password => _servers.Password ?? throw new InvalidOperationException(_servers.Path + " names no passwordUser: run `" + TestServers.StartCommand + "` again.");

    public RemoteCertificateValidationCallback TrustServerCertificate => _servers.TrustServerCertificate;

    public static string NewMailbox(string prefix = "r") => $"{prefix}-{Guid.NewGuid():N}"[..(prefix.Length + 13)] + "@contoso.test";

    public RSA CreateSigningKey() => _servers.CreateSigningKey();
}

[CollectionDefinition(Name)]
public sealed class RelayCollection : ICollectionFixture<MailServers>
{
    public const string Name = "Relay against real Postfix and Dovecot";
}
