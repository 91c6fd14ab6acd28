using ModernAuth.Mail.Extensions.Tests.Support;
using ModernAuth.Mail.Testing;

namespace ModernAuth.Mail.Extensions.Tests.Caching;

/// <summary>
/// The distributed token cache with Redis stopped mid-run: a redis-server process of the test's own (the shared one
/// serves other test projects), killed and restarted on the same port.
/// </summary>
[Trait("Category", "RealServers")]
public sealed class RedisOutageTests : IDisposable
{
    private readonly FakeEntraId _entra = new();
    private readonly string _prefix = TestIds.NewPrefix();

    public RedisOutageTests() => _entra.RegisterApplication(TestIds.Tenant, TestIds.ClientId).WithSecret(TestIds.Secret);

    public void Dispose() => _entra.Dispose();

    [Fact]
    public async Task GetTokenAsync_RedisStoppedMidRun_TokensFlowLogOnceAndRecover()
    {
        using var redis = await OwnRedisServer.StartAsync();
        await using var app = TestApp.Create(_entra, redis.Endpoint, _prefix, o =>
        {
            o.OperationTimeout = TimeSpan.FromSeconds(1);
            o.RetryInterval = TimeSpan.FromMilliseconds(200);
        });
        var before = await app.GetTokenAsync();
        Assert.Equal(0, app.Logs.Count(2001));

        redis.Stop();
        var during = new List<MailAccessToken>();
        for (var i = 0; i < 5; i++)
        {
            // Each forced refresh goes through MSAL and so through the cache: reads and writes fail or are skipped.
            during.Add(await app.GetTokenAsync(forceRefresh: true));
        }

        await Poll.UntilAsync(async () =>
        {
            during.Add(await app.GetTokenAsync(forceRefresh: true));
            return during.Count >= 10;
        }, TimeSpan.FromSeconds(60), "ten token requests during the outage");

        Assert.All(during, t => Assert.False(string.IsNullOrEmpty(t.Token)));
        Assert.Equal(1 + during.Count, _entra.TokenRequestCount);
        Assert.Equal(1, app.Logs.Count(2001));
        Assert.Equal(0, app.Logs.Count(2002));
        var served = await app.GetTokenAsync();
        Assert.Equal(during[^1].Token, served.Token); // the in-memory cache answers meanwhile

        await redis.RestartAsync();
        await Poll.UntilAsync(async () =>
        {
            await app.GetTokenAsync(forceRefresh: true);
            return app.Logs.Count(2002) == 1;
        }, TimeSpan.FromSeconds(60), "the cache to be reported reachable again");

        Assert.Equal(1, app.Logs.Count(2001));
        var latest = await app.GetTokenAsync();
        var requests = _entra.TokenRequestCount;
        await using var other = TestApp.Create(_entra, redis.Endpoint, _prefix);
        Assert.Equal(latest.Token, (await other.GetTokenAsync()).Token);
        Assert.Equal(requests, _entra.TokenRequestCount);
        Assert.NotEqual(before.Token, latest.Token);
        Assert.DoesNotContain(latest.Token, app.Logs.AllText, StringComparison.Ordinal);
        Assert.DoesNotContain(TestIds.EncryptionKey, app.Logs.AllText, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetTokenAsync_RedisDownFromStart_TokensFlowAndLoggedOnce()
    {
        using var redis = await OwnRedisServer.StartAsync();
        redis.Stop();
        await using var app = TestApp.Create(_entra, redis.Endpoint, _prefix, o =>
        {
            o.OperationTimeout = TimeSpan.FromSeconds(1);
            o.RetryInterval = TimeSpan.FromMinutes(10);
        });

        var tokens = new List<MailAccessToken>();
        for (var i = 0; i < 3; i++)
        {
            tokens.Add(await app.GetTokenAsync(forceRefresh: true));
        }

        Assert.Equal(3, _entra.TokenRequestCount);
        Assert.Equal(1, app.Logs.Count(2001));
        var warning = Assert.Single(app.Logs.Entries, e => e.EventId == 2001);
        Assert.Equal(Microsoft.Extensions.Logging.LogLevel.Warning, warning.Level);
    }
}
