using System.Collections.Concurrent;
using System.Text;
using ModernAuth.Mail.Caching;
using ModernAuth.Mail.Testing;
using ModernAuth.Mail.Tests.Support;

namespace ModernAuth.Mail.Tests.Caching;

/// <summary><see cref="MailTokenProviderOptions.TokenCacheStore"/> wired to MSAL's cache, through real MSAL and the fake Entra ID.</summary>
public sealed class TokenCacheStoreTests : IDisposable
{
    private const string Tenant = "11111111-2222-3333-4444-555555555555";
    private const string ClientId = "6a3f1c52-0e1b-4a7e-9d51-5c8f0b0e7a11";
    private const string PublicClientId = "3c2b1a09-8f7e-4d6c-b5a4-938271605f4e";
    private const string Secret = "Sup3r~Secret.Value_for-tests-0123456789";
    private readonly FakeEntraId _entra = new();

    public TokenCacheStoreTests()
    {
        _entra.RegisterApplication(Tenant, ClientId).WithSecret(Secret);
        _entra.RegisterApplication(Tenant, PublicClientId).AsPublicClient();
        _entra.DeviceCodeUser = _entra.AddUser(Tenant, "adele@contoso.test", "Adele Vance");
    }

    public void Dispose() => _entra.Dispose();

    private ClientSecretTokenProvider AppOnly(MailTokenCacheStore store, LogCapture? logs = null)
    {
        var options = new ClientSecretTokenProviderOptions { TokenCacheStore = store, LoggerFactory = logs?.Factory }.UseFakeEntraId(_entra);
        return new ClientSecretTokenProvider(Tenant, ClientId, Secret, options);
    }

    [Fact]
    public async Task GetTokenAsync_SecondProviderSharingStore_NoTokenRequest()
    {
        var store = new MemoryStore();
        var first = await AppOnly(store).GetTokenAsync(new MailTokenRequest(MailProtocol.Imap));

        var second = await AppOnly(store).GetTokenAsync(new MailTokenRequest(MailProtocol.Smtp));

        Assert.Equal(1, _entra.TokenRequestCount);
        Assert.Equal(first.Token, second.Token);
        Assert.Equal($"{ClientId}_{Tenant}_AppTokenCache", Assert.Single(store.Entries.Keys));
        Assert.NotNull(store.Expiries[$"{ClientId}_{Tenant}_AppTokenCache"]);
    }

    [Fact]
    public async Task GetTokenAsync_StoreThrows_TokensStillFlowAndWriteRetried()
    {
        var store = new MemoryStore { Fail = true };
        using var logs = new LogCapture();
        var provider = AppOnly(store, logs);

        var token = await provider.GetTokenAsync(new MailTokenRequest(MailProtocol.Imap));
        Assert.Empty(store.Entries);
        store.Fail = false;
        await provider.GetTokenAsync(new MailTokenRequest(MailProtocol.Imap, forceRefresh: true));

        Assert.False(string.IsNullOrEmpty(token.Token));
        Assert.Single(store.Entries);
        Assert.Contains("[1009]", logs.Capture.AllText, StringComparison.Ordinal);
        Assert.DoesNotContain(token.Token, logs.Capture.AllText, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetTokenAsync_StoredEntryNotMsalCache_IgnoredAndReplaced()
    {
        var store = new MemoryStore();
        store.Entries[$"{ClientId}_{Tenant}_AppTokenCache"] = Encoding.UTF8.GetBytes("this is not a token cache");
        using var logs = new LogCapture();

        var token = await AppOnly(store, logs).GetTokenAsync(new MailTokenRequest(MailProtocol.Imap));

        Assert.False(string.IsNullOrEmpty(token.Token));
        Assert.Contains("[1010]", logs.Capture.AllText, StringComparison.Ordinal);
        Assert.StartsWith("{", Encoding.UTF8.GetString(store.Entries[$"{ClientId}_{Tenant}_AppTokenCache"]), StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetTokenAsync_DeviceCodeSignInInStore_SecondProviderSilent()
    {
        var store = new MemoryStore();
        var codes = 0;
        DeviceCodeTokenProvider Create() => new(PublicClientId, new DeviceCodeTokenProviderOptions
        {
            TenantId = Tenant,
            TokenCacheStore = store,
            DeviceCodeCallback = (_, _) =>
            {
                Interlocked.Increment(ref codes);
                return Task.CompletedTask;
            },
        }.UseFakeEntraId(_entra));
        await Create().GetTokenAsync(new MailTokenRequest(MailProtocol.Imap));

        var second = Create();
        var token = await second.GetTokenAsync(new MailTokenRequest(MailProtocol.Imap));

        Assert.Equal(1, codes);
        Assert.Equal("adele@contoso.test", token.Account);
        Assert.Null(second.TokenCachePath);
        Assert.Equal($"{PublicClientId}_{Tenant}_UserTokenCache", Assert.Single(store.Entries.Keys));
    }

    [Fact]
    public async Task GetTokenAsync_TenProvidersAtOnceSharingLeasingStore_OneTokenRequest()
    {
        var store = new LeasingMemoryStore(TimeProvider.System);
        for (var round = 0; round < 3; round++)
        {
            store.Entries.Clear();
            _entra.ResetCounters();
            var providers = Enumerable.Range(0, 10).Select(_ => new ClientSecretTokenProvider(Tenant, ClientId, Secret,
                new ClientSecretTokenProviderOptions { TokenCacheStore = store }.UseFakeEntraId(_entra).WithLatency(TimeSpan.FromMilliseconds(50)))).ToArray();
            var start = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
            var callers = providers.SelectMany(p => Enumerable.Range(0, 100).Select(_ => Task.Run(async () =>
            {
                await start.Task;
                return await p.GetTokenAsync(new MailTokenRequest(MailProtocol.Imap));
            }))).ToArray();

            start.SetResult(true);
            var tokens = await Task.WhenAll(callers);

            Assert.Equal(1, _entra.TokenRequestCount);
            Assert.All(tokens, t => Assert.Equal(tokens[0].Token, t.Token));
        }

        Assert.Equal(3, store.LeasesGranted);
    }

    [Fact]
    public async Task GetTokenAsync_ForceRefresh_NoLease()
    {
        var store = new LeasingMemoryStore(TimeProvider.System);
        var provider = AppOnly(store);
        await provider.GetTokenAsync(new MailTokenRequest(MailProtocol.Imap));
        var attempts = store.LeaseAttempts;

        await provider.GetTokenAsync(new MailTokenRequest(MailProtocol.Imap, forceRefresh: true));

        Assert.Equal(1, attempts);
        Assert.Equal(attempts, store.LeaseAttempts);
        Assert.Equal(2, _entra.TokenRequestCount);
    }

    private sealed class MemoryStore : MailTokenCacheStore
    {
        public ConcurrentDictionary<string, byte[]> Entries { get; } = new();

        public ConcurrentDictionary<string, DateTimeOffset?> Expiries { get; } = new();

        public bool Fail { get; set; }

        public override Task<byte[]?> ReadAsync(string key, CancellationToken cancellationToken = default) =>
            Fail ? throw new IOException("store down") : Task.FromResult(Entries.TryGetValue(key, out var data) ? data : null);

        public override Task WriteAsync(string key, byte[] data, DateTimeOffset? expiresOn, CancellationToken cancellationToken = default)
        {
            if (Fail)
            {
                throw new IOException("store down");
            }

            Entries[key] = data;
            Expiries[key] = expiresOn;
            return Task.CompletedTask;
        }
    }

    private sealed class LogCapture : IDisposable
    {
        public LogCapture() => Factory = Capture.CreateFactory();

        public CapturingLoggerProvider Capture { get; } = new();

        public Microsoft.Extensions.Logging.ILoggerFactory Factory { get; }

        public void Dispose() => Factory.Dispose();
    }
}
