using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Azure.Core.Pipeline;
using Azure.Identity;
using ModernAuth.Mail.MailKit;
using ModernAuth.Mail.Shared;
using ModernAuth.Mail.Testing;

namespace ModernAuth.Mail.AzureIdentity.Tests.Support;

/// <summary>
/// A fake Entra ID over HTTPS loopback that signs with the test servers' key (so Dovecot and Postfix accept its tokens),
/// an application with a secret and a certificate, and real Azure.Identity credentials pointed at it.
/// </summary>
internal sealed class AzureTestIdentity : IAsyncDisposable
{
    private readonly RSA _signingKey;
    private readonly List<IDisposable> _disposables = [];

    private AzureTestIdentity(TestServers servers, RSA signingKey, FakeEntraId fake, FakeEntraIdServer server)
    {
        Servers = servers;
        _signingKey = signingKey;
        Fake = fake;
        Server = server;
        ClientCertificate = CreateCertificate();
        Fake.RegisterApplication(servers.TenantId, ClientId)
            .WithSecret(Secret)
            .WithCertificate(X509CertificateLoader.LoadCertificate(ClientCertificate.Export(X509ContentType.Cert)));
    }

    public TestServers Servers { get; }

    public FakeEntraId Fake { get; }

    public FakeEntraIdServer Server { get; }

    public string TenantId => Servers.TenantId;

    public string ClientId { get; } = Guid.NewGuid().ToString();

    public string Secret { get; } = "azid~" + Guid.NewGuid().ToString("N") + ".secret";

    public X509Certificate2 ClientCertificate { get; }

    public CapturingLoggerProvider Logs { get; } = new();

    public int TokenRequests => Fake.TokenRequestCount;

    /// <summary>Starts one for a test (tests run in parallel, each with its own counters). Fails with the start command when the servers are down.</summary>
    public static async Task<AzureTestIdentity> StartAsync()
    {
        var servers = TestServers.Load();
        servers.EnsureListening(servers.ImapsPort, servers.SubmissionPort);
        var key = servers.CreateSigningKey();
        var fake = new FakeEntraId(new FakeEntraIdOptions { SigningKey = key, KeyId = servers.KeyId });
        var server = await fake.StartHttpsServerAsync();
        return new AzureTestIdentity(servers, key, fake, server);
    }

    /// <summary>A real <see cref="ClientSecretCredential"/> against the fake (its authority host, a transport trusting its certificate).</summary>
    public ClientSecretCredential SecretCredential(string? secret = null) =>
        new(TenantId, ClientId, secret ?? Secret, Configure(new ClientSecretCredentialOptions()));

    /// <summary>A real <see cref="ClientCertificateCredential"/> against the fake.</summary>
    public ClientCertificateCredential CertificateCredential() =>
        new(TenantId, ClientId, ClientCertificate, Configure(new ClientCertificateCredentialOptions()));

    public TokenCredentialMailTokenProviderOptions ProviderOptions(Action<TokenCredentialMailTokenProviderOptions>? configure = null)
    {
        var options = new TokenCredentialMailTokenProviderOptions { LoggerFactory = Logs.CreateFactory() };
        configure?.Invoke(options);
        return options;
    }

    public MailKitConnectOptions ConnectOptions(MailProtocol protocol) => new()
    {
        Host = Servers.Host,
        Port = protocol == MailProtocol.Imap ? Servers.ImapsPort : Servers.SubmissionPort,
        TlsMode = protocol == MailProtocol.Imap ? MailTlsMode.Implicit : MailTlsMode.StartTls,
        ServerCertificateValidationCallback = Servers.TrustServerCertificate,
        CheckCertificateRevocation = false,
        Timeout = TimeSpan.FromSeconds(30),
    };

    /// <summary>A mailbox no other test uses, in a domain the servers deliver to.</summary>
    public static string NewMailbox(string prefix) => $"{prefix}-{Guid.NewGuid():N}"[..Math.Min(prefix.Length + 13, 40)] + "@contoso.test";

    public async ValueTask DisposeAsync()
    {
        foreach (var disposable in _disposables)
        {
            disposable.Dispose();
        }

        await Fake.DisposeAsync();
        ClientCertificate.Dispose();
        _signingKey.Dispose();
    }

    private T Configure<T>(T options)
        where T : TokenCredentialOptions
    {
        var handler = Server.CreateTrustingHandler();
        _disposables.Add(handler);
        options.AuthorityHost = Server.BaseAddress;
        options.Transport = new HttpClientTransport(handler);
        options.Retry.MaxRetries = 0;
        options.Retry.NetworkTimeout = TimeSpan.FromSeconds(30);
        switch (options)
        {
            case ClientSecretCredentialOptions secret:
                secret.DisableInstanceDiscovery = true;
                break;
            case ClientCertificateCredentialOptions certificate:
                certificate.DisableInstanceDiscovery = true;
                break;
        }

        return options;
    }

    private static X509Certificate2 CreateCertificate()
    {
        using var rsa = RSA.Create(2048);
        var request = new CertificateRequest("CN=ModernAuth.Mail.AzureIdentity tests", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var now = DateTimeOffset.UtcNow;
        using var created = request.CreateSelfSigned(now.AddDays(-1), now.AddDays(30));
        return X509CertificateLoader.LoadPkcs12(created.Export(X509ContentType.Pkcs12), null, X509KeyStorageFlags.Exportable);
    }
}
