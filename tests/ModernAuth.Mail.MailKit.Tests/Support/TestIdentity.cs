using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using ModernAuth.Mail.Testing;

namespace ModernAuth.Mail.MailKit.Tests.Support;

/// <summary>Which real flow a test signs in with.</summary>
public enum Flow
{
    ClientSecret,
    ClientCertificate,
    DeviceCode,
    InteractiveBrowser,
    ManagedIdentity,
    WorkloadIdentity,
}

/// <summary>
/// A fake Entra ID that signs with the test servers' key, so Dovecot and Postfix accept its tokens, and the real
/// providers pointed at it. One per test: tests run in parallel and each has its own device-code user and counters.
/// </summary>
public sealed class TestIdentity : IDisposable
{
    private readonly RSA _signingKey;
    private readonly X509Certificate2 _clientCertificate;
    private readonly string _cacheDirectory = Directory.CreateTempSubdirectory("modernauth-mailkit-").FullName;
    private FakeBrowser? _browser;

    public TestIdentity(MailServers servers)
    {
        Servers = servers;
        _signingKey = servers.CreateSigningKey();
        Fake = new FakeEntraId(new FakeEntraIdOptions { SigningKey = _signingKey, KeyId = servers.KeyId });
        ClientId = Guid.NewGuid().ToString();
        PublicClientId = Guid.NewGuid().ToString();
        _clientCertificate = CreateCertificate();
        Fake.RegisterApplication(servers.TenantId, ClientId)
            .WithSecret(Secret)
            .WithCertificate(X509CertificateLoader.LoadCertificate(_clientCertificate.Export(X509ContentType.Cert)));
        Fake.RegisterApplication(servers.TenantId, PublicClientId).AsPublicClient();
        ManagedIdentity = Fake.AddUserAssignedIdentity(servers.TenantId, "mailkit-" + Guid.NewGuid().ToString("N")[..8]);
        Fake.RegisterApplication(servers.TenantId, WorkloadClientId).WithFederatedCredential(FederatedIssuer, FederatedSubject);
    }

    public const string FederatedIssuer = "https://oidc.mailkit-tests.test/";

    public const string FederatedSubject = "system:serviceaccount:mail:mailkit-tests";

    /// <summary>A user-assigned identity of this test's own (MSAL shares managed identity tokens across the process by identity).</summary>
    public FakeManagedIdentity ManagedIdentity { get; }

    public string WorkloadClientId { get; } = Guid.NewGuid().ToString();

    public MailServers Servers { get; }

    public FakeEntraId Fake { get; }

    public string ClientId { get; }

    public string PublicClientId { get; }

    public string Secret { get; } = "s3cret-" + Guid.NewGuid().ToString("N");

    public int DeviceCodeRequests => Fake.Requests.Count(r => r.Path.EndsWith("/devicecode", StringComparison.Ordinal));

    /// <summary>The scripted browser of the interactive flow: counts the sign-in pages opened.</summary>
    public FakeBrowser Browser => _browser ??= new FakeBrowser(Fake);

    /// <summary>
    /// The real provider for a flow. For device code and the interactive browser, <paramref name="user"/> is the user who
    /// signs in (auto-approved; the browser's answer reaches MSAL's real loopback listener).
    /// </summary>
    public MailTokenProvider CreateProvider(Flow flow, string? user = null)
    {
        switch (flow)
        {
            case Flow.ClientSecret:
                return new ClientSecretTokenProvider(Servers.TenantId, ClientId, Secret, new ClientSecretTokenProviderOptions().UseFakeEntraId(Fake));
            case Flow.ClientCertificate:
                return new ClientCertificateTokenProvider(
                    Servers.TenantId,
                    ClientId,
                    ClientCertificateSource.FromCertificate(_clientCertificate),
                    new ClientCertificateTokenProviderOptions().UseFakeEntraId(Fake));
            case Flow.InteractiveBrowser:
                Fake.BrowserUser = Fake.AddUser(Servers.TenantId, user ?? throw new ArgumentNullException(nameof(user)));
                return new InteractiveBrowserTokenProvider(PublicClientId, new InteractiveBrowserTokenProviderOptions
                {
                    TenantId = Servers.TenantId,
                    TokenCachePath = Path.Combine(_cacheDirectory, "cache.bin"),
                    OpenBrowser = Browser.OpenAsync,
                }.UseFakeEntraId(Fake));
            case Flow.ManagedIdentity:
                // MSAL asks IMDS (169.254.169.254); the fake answers it in process.
                return new ManagedIdentityTokenProvider(new ManagedIdentityTokenProviderOptions { ClientId = ManagedIdentity.ClientId, Transport = Fake.CreateHandler() });
            case Flow.WorkloadIdentity:
                var tokenFile = Path.Combine(_cacheDirectory, "federated-token");
                File.WriteAllText(tokenFile, Fake.MintFederatedToken(FederatedIssuer, FederatedSubject));
                return new WorkloadIdentityTokenProvider(new WorkloadIdentityTokenProviderOptions
                {
                    TenantId = Servers.TenantId,
                    ClientId = WorkloadClientId,
                    TokenFilePath = tokenFile,
                }.UseFakeEntraId(Fake));
            default:
                Fake.DeviceCodeUser = Fake.AddUser(Servers.TenantId, user ?? throw new ArgumentNullException(nameof(user)));
                return new DeviceCodeTokenProvider(PublicClientId, new DeviceCodeTokenProviderOptions
                {
                    TenantId = Servers.TenantId,
                    TokenCachePath = Path.Combine(_cacheDirectory, "cache.bin"),
                    DeviceCodeCallback = (_, _) => Task.CompletedTask,
                }.UseFakeEntraId(Fake));
        }
    }

    /// <summary>A delegated token as Exchange Online would issue it for <paramref name="upn"/>, with any change applied.</summary>
    public string MintDelegated(string upn, MailProtocol protocol, Action<FakeTokenDescriptor>? change = null)
    {
        var descriptor = new FakeTokenDescriptor
        {
            TenantId = Servers.TenantId,
            Audience = "https://outlook.office.com",
            AppId = PublicClientId,
            Scopes = protocol switch
            {
                MailProtocol.Imap => "IMAP.AccessAsUser.All",
                MailProtocol.Pop => "POP.AccessAsUser.All",
                _ => "SMTP.Send",
            },
            Upn = upn,
            UniqueName = upn,
            ObjectId = Guid.NewGuid().ToString(),
        };
        change?.Invoke(descriptor);
        return Fake.MintAccessToken(descriptor);
    }

    /// <summary>An app-only token as Exchange Online would issue it for this app (no mailbox in it), with any change applied.</summary>
    public string MintAppOnly(Action<FakeTokenDescriptor>? change = null)
    {
        var descriptor = new FakeTokenDescriptor
        {
            TenantId = Servers.TenantId,
            Audience = "https://outlook.office365.com",
            AppId = ClientId,
            Roles = ["IMAP.AccessAsApp", "POP.AccessAsApp", "SMTP.SendAsApp"],
            ObjectId = Guid.NewGuid().ToString(),
        };
        change?.Invoke(descriptor);
        return Fake.MintAccessToken(descriptor);
    }

    public void Dispose()
    {
        Fake.Dispose();
        _clientCertificate.Dispose();
        _signingKey.Dispose();
        try
        {
            Directory.Delete(_cacheDirectory, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private static X509Certificate2 CreateCertificate()
    {
        using var rsa = RSA.Create(2048);
        var request = new CertificateRequest("CN=ModernAuth.Mail.MailKit tests", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var now = DateTimeOffset.UtcNow;
        using var created = request.CreateSelfSigned(now.AddDays(-1), now.AddDays(30));
        return X509CertificateLoader.LoadPkcs12(created.Export(X509ContentType.Pkcs12), null, X509KeyStorageFlags.Exportable);
    }
}
