using System.Text;
using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.DependencyInjection;
using ModernAuth.Mail.Extensions.Tests.Support;
using ModernAuth.Mail.Testing;

namespace ModernAuth.Mail.Extensions.Tests.Caching;

/// <summary>The distributed token cache against the real redis-server of eng/test-servers.sh, with two or more app instances.</summary>
[Trait("Category", "RealServers")]
public sealed class DistributedTokenCacheTests : IDisposable
{
    private readonly FakeEntraId _entra = new();
    private readonly string _prefix = TestIds.NewPrefix();

    public DistributedTokenCacheTests()
    {
        _entra.RegisterApplication(TestIds.Tenant, TestIds.ClientId).WithSecret(TestIds.Secret);
    }

    private string EntryKey => _prefix + TestIds.AppCacheKey();

    public void Dispose() => _entra.Dispose();

    [Fact]
    public async Task GetTokenAsync_SecondInstanceSharingRedis_NoTokenRequest()
    {
        await using var first = TestApp.Create(_entra, TestRedis.Endpoint, _prefix);
        await using var second = TestApp.Create(_entra, TestRedis.Endpoint, _prefix);

        var token1 = await first.GetTokenAsync();
        var token2 = await second.GetTokenAsync();

        Assert.Equal(1, _entra.TokenRequestCount);
        Assert.Equal(token1.Token, token2.Token);
        Assert.Equal(TestIds.Mailbox, token2.Account);
    }

    [Fact]
    public async Task GetTokenAsync_OtherKeyPrefix_NotShared()
    {
        await using var first = TestApp.Create(_entra, TestRedis.Endpoint, _prefix);
        await using var other = TestApp.Create(_entra, TestRedis.Endpoint, TestIds.NewPrefix());

        await first.GetTokenAsync();
        await other.GetTokenAsync();

        Assert.Equal(2, _entra.TokenRequestCount);
    }

    [Fact]
    public async Task GetTokenAsync_EntryInRedis_EncryptedNotReadableJson()
    {
        await using var app = TestApp.Create(_entra, TestRedis.Endpoint, _prefix);
        var token = await app.GetTokenAsync();
        using var raw = TestRedis.OpenRaw(TestRedis.Endpoint);

        var stored = await raw.GetAsync(EntryKey);

        Assert.NotNull(stored);
        var text = Encoding.UTF8.GetString(stored);
        var latin1 = Encoding.Latin1.GetString(stored);
        foreach (var secret in new[] { token.Token, token.Token[..40], "AccessToken", "access_token", "secret", TestIds.Secret, TestIds.Tenant, TestIds.ClientId })
        {
            Assert.DoesNotContain(secret, text, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain(secret, latin1, StringComparison.OrdinalIgnoreCase);
        }

        Assert.False(text.TrimStart().StartsWith('{'));
        Assert.Equal(1, stored[0]);
    }

    [Fact]
    public async Task GetTokenAsync_CorruptedEntryInRedis_IgnoredLoggedAndReplaced()
    {
        await using (var first = TestApp.Create(_entra, TestRedis.Endpoint, _prefix))
        {
            await first.GetTokenAsync();
        }

        using var raw = TestRedis.OpenRaw(TestRedis.Endpoint);
        await raw.SetAsync(EntryKey, Encoding.UTF8.GetBytes("{\"garbage\": true, written by hand}"), new DistributedCacheEntryOptions { AbsoluteExpirationRelativeToNow = TimeSpan.FromMinutes(5) });

        await using var second = TestApp.Create(_entra, TestRedis.Endpoint, _prefix);
        var token = await second.GetTokenAsync();
        await using var third = TestApp.Create(_entra, TestRedis.Endpoint, _prefix);
        var shared = await third.GetTokenAsync();

        Assert.Equal(2, _entra.TokenRequestCount); // the garbage cost one request, then the replacement served the third instance
        Assert.Equal(token.Token, shared.Token);
        Assert.Equal(1, second.Logs.Count(2003));
        Assert.Contains(second.Logs.Entries, e => e.EventId == 2003 && e.Message.Contains(EntryKey, StringComparison.Ordinal));
        Assert.Equal(0, third.Logs.Count(2003));
        Assert.Equal(1, (await raw.GetAsync(EntryKey))![0]);
    }

    [Fact]
    public async Task GetTokenAsync_EntryEncryptedWithUnknownKey_IgnoredAndReplaced()
    {
        await using (var first = TestApp.Create(_entra, TestRedis.Endpoint, _prefix, o => o.EncryptionKey = TestIds.OtherEncryptionKey))
        {
            await first.GetTokenAsync();
        }

        await using var second = TestApp.Create(_entra, TestRedis.Endpoint, _prefix);
        await second.GetTokenAsync();

        Assert.Equal(2, _entra.TokenRequestCount);
        Assert.Contains(second.Logs.Entries, e => e.EventId == 2003 && e.Message.Contains("neither EncryptionKey nor one of PreviousEncryptionKeys", StringComparison.Ordinal));
    }

    [Fact]
    public async Task GetTokenAsync_KeyRotatedWithPreviousKey_StillShared()
    {
        await using var first = TestApp.Create(_entra, TestRedis.Endpoint, _prefix, o => o.EncryptionKey = TestIds.OtherEncryptionKey);
        await first.GetTokenAsync();
        await using var rotated = TestApp.Create(_entra, TestRedis.Endpoint, _prefix, o => o.PreviousEncryptionKeys.Add(TestIds.OtherEncryptionKey));

        await rotated.GetTokenAsync();

        Assert.Equal(1, _entra.TokenRequestCount);
    }

    [Fact]
    public async Task GetTokenAsync_ForceRefreshOnOneInstance_NewInstanceGetsRefreshedToken()
    {
        await using var first = TestApp.Create(_entra, TestRedis.Endpoint, _prefix);
        await first.GetTokenAsync();

        var refreshed = await first.GetTokenAsync(forceRefresh: true);
        var third = TestApp.Create(_entra, TestRedis.Endpoint, _prefix);
        await using (third)
        {
            Assert.Equal(refreshed.Token, (await third.GetTokenAsync()).Token);
        }

        Assert.Equal(2, _entra.TokenRequestCount);
    }

    [Fact]
    public async Task GetTokenAsync_DeviceCodeSignInSharedThroughRedis_SecondInstanceSilent()
    {
        _entra.RegisterApplication(TestIds.Tenant, TestIds.PublicClientId).AsPublicClient();
        _entra.DeviceCodeUser = _entra.AddUser(TestIds.Tenant, "adele@contoso.test", "Adele Vance");
        var codes = 0;
        void AddUser(ModernAuthMailBuilder builder) => builder.AddDeviceCode("adele", o =>
        {
            o.ClientId = TestIds.PublicClientId;
            o.TenantId = TestIds.Tenant;
            o.DeviceCodeCallback = (_, _) =>
            {
                Interlocked.Increment(ref codes);
                return Task.CompletedTask;
            };
            o.ConfigureFlowOptions = f => f.UseFakeEntraId(_entra);
        });
        await using var first = TestApp.Create(_entra, TestRedis.Endpoint, _prefix, more: AddUser);
        await using var second = TestApp.Create(_entra, TestRedis.Endpoint, _prefix, more: AddUser);

        await first.Factory.GetProvider("adele").GetTokenAsync(new MailTokenRequest(MailProtocol.Imap));
        var token = await second.Factory.GetProvider("adele").GetTokenAsync(new MailTokenRequest(MailProtocol.Imap));

        Assert.Equal(1, codes);
        Assert.Equal("adele@contoso.test", token.Account);
        var deviceProvider = Assert.IsType<DeviceCodeTokenProvider>(second.Factory.GetProvider("adele"));
        Assert.Null(deviceProvider.TokenCachePath);
        using var raw = TestRedis.OpenRaw(TestRedis.Endpoint);
        Assert.NotNull(await raw.GetAsync($"{_prefix}{TestIds.PublicClientId}_{TestIds.Tenant}_UserTokenCache"));
    }

    [Fact]
    public async Task GetTokenAsync_ProviderOptedOut_DoesNotUseRedis()
    {
        await using var first = TestApp.Create(_entra, TestRedis.Endpoint, _prefix, more: b => b.Services.PostConfigureAll<ModernAuthMailProviderOptions>(o => o.UseDistributedTokenCache = false));
        await first.GetTokenAsync();
        using var raw = TestRedis.OpenRaw(TestRedis.Endpoint);

        Assert.Null(await raw.GetAsync(EntryKey));
    }
}
