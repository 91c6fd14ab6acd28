using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using ModernAuth.Mail;
using ModernAuth.Mail.Shared;
using ModernAuth.Mail.Testing;

namespace ModernAuth.Mail.Samples;

/// <summary>
/// The sandbox the samples fall back to when no real app registration is configured (MODERNAUTH_MAIL_CLIENT_ID unset):
/// a fake Entra ID over HTTPS loopback that signs with the key of the local servers started by
/// <c>eng/test-servers.sh start</c> (so Dovecot and Postfix accept its tokens), three app registrations, a work user
/// and a personal user. A real application needs none of this: it only shows the samples working offline.
/// </summary>
public sealed class SampleSandbox : IAsyncDisposable
{
    public const string SecretAppId = "6a3f1c52-0e1b-4a7e-9d51-5c8f0b0e7a11";
    public const string CertificateAppId = "0d6c3a9e-51f4-4c1b-8a77-2f3e4d5c6b7a";
    public const string PublicAppId = "3c2b1a09-8f7e-4d6c-b5a4-938271605f4e";
    public const string WorkUser = "adele@contoso.test";
    public const string PersonalUser = "megan@outlook.test";

    private readonly RSA _signingKey;
    private readonly FakeEntraId _entra;
    private readonly TestServers _servers;

    private SampleSandbox(RSA signingKey, FakeEntraId entra, FakeEntraIdServer server, X509Certificate2 certificate, TestServers servers)
    {
        _signingKey = signingKey;
        _entra = entra;
        Server = server;
        Certificate = certificate;
        _servers = servers;
    }

    /// <summary>The fake Entra ID itself (its request counters show what a call cost).</summary>
    public FakeEntraId Entra => _entra;

    /// <summary>The fake Entra ID's HTTPS server: pass it to <c>options.UseFakeEntraId(...)</c>.</summary>
    public FakeEntraIdServer Server { get; }

    /// <summary>The certificate registered for <see cref="CertificateAppId"/> (with its private key).</summary>
    public X509Certificate2 Certificate { get; }

    /// <summary>The client secret registered for <see cref="SecretAppId"/>, made for this run.</summary>
    public string Secret { get; } = Convert.ToBase64String(RandomNumberGenerator.GetBytes(30));

    public string Host => _servers.Host;

    public int ImapsPort => _servers.ImapsPort;

    public int SubmissionPort => _servers.SubmissionPort;

    public string TenantId => _servers.TenantId;

    /// <summary>Postfix's password user, for the "before" side of the legacy sample.</summary>
    public string PasswordUser => _servers.PasswordUser ?? throw new InvalidOperationException(_servers.Path + " names no password user: run `eng/test-servers.sh start` again.");

    public string Password => _servers.Password ?? throw new InvalidOperationException(_servers.Path + " names no password user: run `eng/test-servers.sh start` again.");

    /// <summary>Trusts exactly the local servers' self-signed certificate.</summary>
    public RemoteCertificateValidationCallback TrustServerCertificate => _servers.TrustServerCertificate;

    /// <summary>The global cloud with the local servers' IMAP, POP and SMTP endpoints.</summary>
    public MailCloud Cloud(MailCloud basedOn) => basedOn with
    {
        Imap = new MailServerEndpoint(Host, ImapsPort, MailTlsMode.Implicit),
        Smtp = new MailServerEndpoint(Host, SubmissionPort, MailTlsMode.StartTls),
    };

    /// <summary>Which user a device code sign-in signs in: the work user, or the personal (consumers) one.</summary>
    public void SignInAs(bool personal) => _entra.DeviceCodeUser = personal ? _personal : _work;

    private FakeUser _work = null!;
    private FakeUser _personal = null!;

    public static async Task<SampleSandbox> StartAsync()
    {
        TestServers servers;
        try
        {
            servers = TestServers.Load();
        }
        catch (InvalidOperationException error)
        {
            throw new InvalidOperationException("No app registration is configured (MODERNAUTH_MAIL_CLIENT_ID), so the sample runs against the offline sandbox, and: " + error.Message, error);
        }

        var signingKey = servers.CreateSigningKey();
        var entra = new FakeEntraId(new FakeEntraIdOptions { SigningKey = signingKey, KeyId = servers.KeyId });
        var server = await entra.StartHttpsServerAsync();
        using var rsa = RSA.Create(2048);
        var request = new CertificateRequest("CN=ModernAuth.Mail sample app", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        using var created = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(7));
        var certificate = X509CertificateLoader.LoadPkcs12(created.Export(X509ContentType.Pkcs12), null);
        var sandbox = new SampleSandbox(signingKey, entra, server, certificate, servers);
        var tenant = sandbox.TenantId;
        entra.RegisterApplication(tenant, SecretAppId).WithSecret(sandbox.Secret);
        entra.RegisterApplication(tenant, CertificateAppId).WithCertificate(X509CertificateLoader.LoadCertificate(certificate.Export(X509ContentType.Cert)));
        entra.RegisterApplication(tenant, PublicAppId).AsPublicClient();
        entra.RegisterApplication(FakeEntraId.ConsumersTenant, PublicAppId).AsPublicClient();
        sandbox._work = entra.AddUser(tenant, WorkUser, "Adele Vance");
        sandbox._personal = entra.AddUser(FakeEntraId.ConsumersTenant, PersonalUser, "Megan Bowen");
        sandbox.SignInAs(personal: false);
        return sandbox;
    }

    public async ValueTask DisposeAsync()
    {
        await _entra.DisposeAsync();
        Certificate.Dispose();
        _signingKey.Dispose();
    }
}
