using ModernAuth.Mail.Testing;

namespace ModernAuth.Mail.Ews.Tests.Support;

/// <summary>
/// A fake Entra ID (in process, real MSAL) and a loopback EWS endpoint that trusts its keys, with the two kinds of
/// provider a migrating app uses: delegated (device code, auto-approved) and app-only (client secret).
/// </summary>
public sealed class EwsTestContext : IAsyncDisposable
{
    public const string Tenant = "11111111-2222-3333-4444-555555555555";
    public const string PublicClientId = "3c2b1a09-8f7e-4d6c-b5a4-938271605f4e";
    public const string ConfidentialClientId = "6a3f1c52-0e1b-4a7e-9d51-5c8f0b0e7a11";
    public const string Secret = "Sup3r~Secret.Value_for-tests-0123456789";
    public const string User = "adele@contoso.test";
    public const string Shared = "shared@contoso.test";

    private readonly string _directory = Directory.CreateTempSubdirectory("modernauth-ews-").FullName;
    private readonly List<IDisposable> _disposables = [];

    private EwsTestContext(FakeEntraId entra, FakeEwsServer server)
    {
        Entra = entra;
        Server = server;
    }

    public FakeEntraId Entra { get; }

    public FakeEwsServer Server { get; }

    public CapturingLoggerProvider Logs { get; } = new();

    public static async Task<EwsTestContext> StartAsync()
    {
        var entra = new FakeEntraId();
        entra.RegisterApplication(Tenant, PublicClientId).AsPublicClient();
        entra.RegisterApplication(Tenant, ConfidentialClientId).WithSecret(Secret);
        entra.DeviceCodeUser = entra.AddUser(Tenant, User, "Adele Vance");
        var server = await FakeEwsServer.StartAsync(entra, Tenant);
        server.AddMailbox(User);
        server.AddMailbox(Shared);
        return new EwsTestContext(entra, server);
    }

    public DeviceCodeTokenProvider CreateDelegatedProvider() =>
        new(PublicClientId, new DeviceCodeTokenProviderOptions
        {
            TenantId = Tenant,
            TokenCachePath = Path.Combine(_directory, "cache.bin"),
            DeviceCodeCallback = (_, _) => Task.CompletedTask,
        }.UseFakeEntraId(Entra));

    public ClientSecretTokenProvider CreateAppOnlyProvider() =>
        new(Tenant, ConfidentialClientId, Secret, new ClientSecretTokenProviderOptions().UseFakeEntraId(Entra));

    public EwsClientOptions CreateOptions(TimeProvider? timeProvider = null)
    {
        var transport = Server.CreateTrustingHandler();
        _disposables.Add(transport);
        return new EwsClientOptions
        {
            Endpoint = Server.Endpoint,
            Transport = transport,
            TimeProvider = timeProvider ?? new InstantTimeProvider(),
            LoggerFactory = Logs.CreateFactory(),
            Timeout = TimeSpan.FromSeconds(30),
        };
    }

    public EwsClient CreateClient(bool appOnly, string? mailbox = null, EwsClientOptions? options = null)
    {
        MailTokenProvider provider = appOnly ? CreateAppOnlyProvider() : CreateDelegatedProvider();
        var client = new EwsClient(provider, mailbox ?? (appOnly ? Shared : User), options ?? CreateOptions());
        _disposables.Add(client);
        return client;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var disposable in _disposables)
        {
            disposable.Dispose();
        }

        await Server.DisposeAsync();
        Entra.Dispose();
        Logs.Dispose();
        Directory.Delete(_directory, recursive: true);
    }
}
