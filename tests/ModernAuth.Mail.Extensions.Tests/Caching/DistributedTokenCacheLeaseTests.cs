using System.Diagnostics;
using System.Text;
using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.Logging.Abstractions;
using ModernAuth.Mail.Caching;
using ModernAuth.Mail.Extensions.Internal;
using ModernAuth.Mail.Extensions.Tests.Support;
using ModernAuth.Mail.Testing;

namespace ModernAuth.Mail.Extensions.Tests.Caching;

/// <summary>
/// The cross-instance lease on a cold miss, against the real redis-server of eng/test-servers.sh: application instances
/// (each its own service provider, providers and Redis connection) that all start at the same moment, against a fake
/// Entra ID whose token endpoint answers after 50 ms.
/// </summary>
[Trait("Category", "RealServers")]
public sealed class DistributedTokenCacheLeaseTests : IDisposable
{
    private static readonly TimeSpan Latency = TimeSpan.FromMilliseconds(50);
    private readonly FakeEntraId _entra = new();
    private string _prefix = TestIds.NewPrefix();

    public DistributedTokenCacheLeaseTests() => _entra.RegisterApplication(TestIds.Tenant, TestIds.ClientId).WithSecret(TestIds.Secret);

    private string LeaseKey => _prefix + "lease:" + TestIds.AppCacheKey();

    public void Dispose() => _entra.Dispose();

    [Fact]
    public async Task GetTokenAsync_TenInstancesHundredCallersAtOnce_OneTokenRequestEveryRound()
    {
        for (var round = 0; round < 5; round++)
        {
            _prefix = TestIds.NewPrefix(); // a cold cache every round
            _entra.ResetCounters();
            var apps = Enumerable.Range(0, 10).Select(_ => TestApp.Create(_entra, TestRedis.Endpoint, _prefix, tokenLatency: Latency)).ToList();
            try
            {
                var tokens = await AllAtOnceAsync(apps, callersPerApp: 100);

                Assert.Equal(1, _entra.TokenRequestCount);
                Assert.All(tokens, t => Assert.Equal(tokens[0].Token, t.Token));
                Assert.Equal(0, apps.Sum(a => a.Logs.Count(1013)));
                using var raw = TestRedis.OpenRaw(TestRedis.Endpoint);
                await Poll.UntilAsync(async () => await raw.GetAsync(LeaseKey) is null, TimeSpan.FromSeconds(10), "the holder to release its lease");
            }
            finally
            {
                await DisposeAllAsync(apps);
            }
        }
    }

    [Fact]
    public async Task GetTokenAsync_LeaseDisabledTenInstancesAtOnce_EachAsksItself()
    {
        // The control for the test above: without the lease, instances that start together race past the empty cache.
        var apps = Enumerable.Range(0, 10).Select(_ => TestApp.Create(_entra, TestRedis.Endpoint, _prefix, o => o.LeaseEnabled = false, tokenLatency: Latency)).ToList();
        try
        {
            await AllAtOnceAsync(apps, callersPerApp: 100);

            Assert.True(_entra.TokenRequestCount > 1, $"{_entra.TokenRequestCount} token request(s)");
            using var raw = TestRedis.OpenRaw(TestRedis.Endpoint);
            Assert.Null(await raw.GetAsync(LeaseKey));
        }
        finally
        {
            await DisposeAllAsync(apps);
        }
    }

    [Fact]
    public async Task GetTokenAsync_LeaseHeldByDeadInstance_OthersProceedOnceItExpires()
    {
        // An instance took the lease and died before filling or releasing it.
        using var raw = TestRedis.OpenRaw(TestRedis.Endpoint);
        await raw.SetAsync(LeaseKey, Encoding.ASCII.GetBytes("lease of a dead instance"), new DistributedCacheEntryOptions { AbsoluteExpirationRelativeToNow = TimeSpan.FromSeconds(2) });
        var apps = Enumerable.Range(0, 5).Select(_ => TestApp.Create(_entra, TestRedis.Endpoint, _prefix, o => o.LeaseMaxWait = TimeSpan.FromSeconds(60), tokenLatency: Latency)).ToList();
        try
        {
            var clock = Stopwatch.StartNew();
            var tokens = await AllAtOnceAsync(apps, callersPerApp: 20);

            Assert.Equal(1, _entra.TokenRequestCount);
            Assert.All(tokens, t => Assert.Equal(tokens[0].Token, t.Token));
            Assert.InRange(clock.Elapsed, TimeSpan.FromMilliseconds(1900), TimeSpan.FromSeconds(10));
            Assert.Equal(0, apps.Sum(a => a.Logs.Count(1013))); // the expiry ended the wait, not LeaseMaxWait
            Assert.Contains(apps.SelectMany(a => a.Logs.Entries), e => e.EventId == 1012 && e.Message.Contains("the lease was freed and this instance took it", StringComparison.Ordinal));
        }
        finally
        {
            await DisposeAllAsync(apps);
        }
    }

    [Fact]
    public async Task GetTokenAsync_HolderCancelledMidRequest_LeaseReleasedOthersProceedAtOnce()
    {
        _entra.HangNext(); // the holder's request never comes back
        await using var holder = TestApp.Create(_entra, TestRedis.Endpoint, _prefix, o => o.LeaseDuration = TimeSpan.FromSeconds(30));
        using var cancellation = new CancellationTokenSource();
        var holding = holder.Provider.GetTokenAsync(new MailTokenRequest(MailProtocol.Imap, TestIds.Mailbox), cancellation.Token).AsTask();
        using var raw = TestRedis.OpenRaw(TestRedis.Endpoint);
        await Poll.UntilAsync(() => _entra.TokenRequestCount == 1, TimeSpan.FromSeconds(10), "the holder's token request");
        Assert.NotNull(await raw.GetAsync(LeaseKey));
        var apps = Enumerable.Range(0, 3).Select(_ => TestApp.Create(_entra, TestRedis.Endpoint, _prefix, tokenLatency: Latency)).ToList();
        try
        {
            var clock = Stopwatch.StartNew();
            var others = AllAtOnceAsync(apps, callersPerApp: 20);
            await Poll.UntilAsync(() => apps.All(a => a.Logs.Count(1011) == 1), TimeSpan.FromSeconds(10), "the other instances to wait for the lease");

            await cancellation.CancelAsync(); // the holder's only caller gives up: its request is abandoned, its lease released
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => holding);
            var tokens = await others;

            Assert.Equal(2, _entra.TokenRequestCount); // the holder's abandoned request, then one for all the others
            Assert.All(tokens, t => Assert.Equal(tokens[0].Token, t.Token));
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(15), $"waited {clock.Elapsed}: the lease was not released");
            Assert.Equal(0, apps.Sum(a => a.Logs.Count(1013)));
        }
        finally
        {
            await DisposeAllAsync(apps);
        }
    }

    [Fact]
    public async Task GetTokenAsync_HolderDisposedMidRequest_OthersProceedOnceItsLeaseExpires()
    {
        _entra.HangNext(); // the holder's request never comes back
        var holder = TestApp.Create(_entra, TestRedis.Endpoint, _prefix, o => o.LeaseDuration = TimeSpan.FromSeconds(2));
        using var cancellation = new CancellationTokenSource();
        var holding = holder.Provider.GetTokenAsync(new MailTokenRequest(MailProtocol.Imap, TestIds.Mailbox), cancellation.Token).AsTask();
        await Poll.UntilAsync(() => _entra.TokenRequestCount == 1, TimeSpan.FromSeconds(10), "the holder's token request");
        var apps = Enumerable.Range(0, 3).Select(_ => TestApp.Create(_entra, TestRedis.Endpoint, _prefix, tokenLatency: Latency)).ToList();
        try
        {
            var clock = Stopwatch.StartNew();
            var others = AllAtOnceAsync(apps, callersPerApp: 20);
            await Poll.UntilAsync(() => apps.All(a => a.Logs.Count(1011) == 1), TimeSpan.FromSeconds(10), "the other instances to wait for the lease");

            await holder.DisposeAsync(); // the holder's process goes away: its cache connection with it, its lease stays
            var tokens = await others;

            Assert.Equal(2, _entra.TokenRequestCount);
            Assert.All(tokens, t => Assert.Equal(tokens[0].Token, t.Token));
            Assert.InRange(clock.Elapsed, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(15));
            Assert.Equal(0, apps.Sum(a => a.Logs.Count(1013))); // the expiry ended the wait, not LeaseMaxWait
        }
        finally
        {
            await DisposeAllAsync(apps);
            await cancellation.CancelAsync();
            await Record.ExceptionAsync(() => holding);
            await holder.DisposeAsync();
        }
    }

    [Fact]
    public async Task GetTokenAsync_CancelledWhileWaitingForLease_OperationCanceledPromptly()
    {
        using var raw = TestRedis.OpenRaw(TestRedis.Endpoint);
        await raw.SetAsync(LeaseKey, Encoding.ASCII.GetBytes("lease of a slow instance"), new DistributedCacheEntryOptions { AbsoluteExpirationRelativeToNow = TimeSpan.FromMinutes(1) });
        await using var app = TestApp.Create(_entra, TestRedis.Endpoint, _prefix);
        using var cancellation = new CancellationTokenSource();
        var waiting = Enumerable.Range(0, 10)
            .Select(_ => app.Provider.GetTokenAsync(new MailTokenRequest(MailProtocol.Imap, TestIds.Mailbox), cancellation.Token).AsTask())
            .ToArray();
        await Poll.UntilAsync(() => app.Logs.Count(1011) == 1, TimeSpan.FromSeconds(10), "the instance to wait for the lease");

        var clock = Stopwatch.StartNew();
        await cancellation.CancelAsync();

        foreach (var caller in waiting)
        {
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => caller);
        }

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(2), $"cancellation took {clock.Elapsed}");
        Assert.Equal(0, _entra.TokenRequestCount);
        Assert.Equal("lease of a slow instance", Encoding.ASCII.GetString((await raw.GetAsync(LeaseKey))!)); // not ours to remove
    }

    [Fact]
    public async Task GetTokenAsync_RedisDownInstancesAtOnce_TokensFlowWithoutHanging()
    {
        using var redis = await OwnRedisServer.StartAsync();
        redis.Stop();
        var apps = Enumerable.Range(0, 3).Select(_ => TestApp.Create(_entra, redis.Endpoint, _prefix, o =>
        {
            o.OperationTimeout = TimeSpan.FromSeconds(1);
            o.RetryInterval = TimeSpan.FromMinutes(10);
        }, tokenLatency: Latency)).ToList();
        try
        {
            var clock = Stopwatch.StartNew();
            var tokens = await AllAtOnceAsync(apps, callersPerApp: 20);

            Assert.Equal(60, tokens.Length);
            Assert.Equal(3, _entra.TokenRequestCount); // as without the cache: each instance asks once
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(15), $"took {clock.Elapsed}");
            Assert.All(apps, a => Assert.Equal(1, a.Logs.Count(2001)));
        }
        finally
        {
            await DisposeAllAsync(apps);
        }
    }

    [Fact]
    public async Task TryAcquireLeaseAsync_TwoInstances_OneHoldsUntilItReleases()
    {
        var options = new DistributedTokenCacheOptions { EncryptionKey = TestIds.EncryptionKey, KeyPrefix = _prefix, LeaseMaxWait = TimeSpan.FromSeconds(7) };
        using var firstCache = TestRedis.OpenRaw(TestRedis.Endpoint);
        using var secondCache = TestRedis.OpenRaw(TestRedis.Endpoint);
        var first = new DistributedMailTokenCacheStore(firstCache, options, TimeProvider.System, NullLogger.Instance);
        var second = new DistributedMailTokenCacheStore(secondCache, options, TimeProvider.System, NullLogger.Instance);

        var held = await first.TryAcquireLeaseAsync(TestIds.AppCacheKey());
        var refused = await second.TryAcquireLeaseAsync(TestIds.AppCacheKey());

        Assert.Equal(MailTokenCacheLeaseStatus.Acquired, held.Status);
        Assert.Equal(MailTokenCacheLeaseStatus.HeldElsewhere, refused.Status);
        Assert.Equal(TimeSpan.FromSeconds(7), refused.MaxWait);
        var stored = Encoding.ASCII.GetString((await firstCache.GetAsync(LeaseKey))!);
        Assert.Matches("^lease [0-9A-F]{32}$", stored);

        await refused.ReleaseAsync(); // a no-op: not the holder
        Assert.NotNull(await firstCache.GetAsync(LeaseKey));
        await held.ReleaseAsync();
        Assert.Null(await firstCache.GetAsync(LeaseKey));
        var next = await second.TryAcquireLeaseAsync(TestIds.AppCacheKey());
        Assert.Equal(MailTokenCacheLeaseStatus.Acquired, next.Status);
        await next.ReleaseAsync();
    }

    [Fact]
    public async Task TryAcquireLeaseAsync_HolderNeverReleases_LeaseExpiresAfterLeaseDuration()
    {
        var options = new DistributedTokenCacheOptions { EncryptionKey = TestIds.EncryptionKey, KeyPrefix = _prefix, LeaseDuration = TimeSpan.FromSeconds(1), LeaseSettleDelay = TimeSpan.FromMilliseconds(10) };
        using var cache = TestRedis.OpenRaw(TestRedis.Endpoint);
        var first = new DistributedMailTokenCacheStore(cache, options, TimeProvider.System, NullLogger.Instance);
        var second = new DistributedMailTokenCacheStore(cache, options, TimeProvider.System, NullLogger.Instance);

        Assert.Equal(MailTokenCacheLeaseStatus.Acquired, (await first.TryAcquireLeaseAsync(TestIds.AppCacheKey())).Status);
        Assert.Equal(MailTokenCacheLeaseStatus.HeldElsewhere, (await second.TryAcquireLeaseAsync(TestIds.AppCacheKey())).Status);

        await Poll.UntilAsync(async () => (await second.TryAcquireLeaseAsync(TestIds.AppCacheKey())).Status == MailTokenCacheLeaseStatus.Acquired,
            TimeSpan.FromSeconds(10), "the abandoned lease to expire");
    }

    [Fact]
    public async Task TryAcquireLeaseAsync_LeaseDisabled_NotCoordinatedAndNothingWritten()
    {
        var options = new DistributedTokenCacheOptions { EncryptionKey = TestIds.EncryptionKey, KeyPrefix = _prefix, LeaseEnabled = false };
        using var cache = TestRedis.OpenRaw(TestRedis.Endpoint);
        var store = new DistributedMailTokenCacheStore(cache, options, TimeProvider.System, NullLogger.Instance);

        var lease = await store.TryAcquireLeaseAsync(TestIds.AppCacheKey());

        Assert.Equal(MailTokenCacheLeaseStatus.NotCoordinated, lease.Status);
        Assert.Null(await cache.GetAsync(LeaseKey));
    }

    /// <summary>Starts every caller of every instance at the same moment (a barrier) and returns their tokens.</summary>
    private static async Task<MailAccessToken[]> AllAtOnceAsync(IReadOnlyList<TestApp> apps, int callersPerApp)
    {
        var providers = apps.Select(a => a.Provider).ToList(); // built before the start: the race is for the token
        var start = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        var callers = providers.SelectMany(p => Enumerable.Range(0, callersPerApp).Select(_ => Task.Run(async () =>
        {
            await start.Task;
            return await p.GetTokenAsync(new MailTokenRequest(MailProtocol.Imap, TestIds.Mailbox));
        }))).ToArray();
        start.SetResult(true);
        return await Task.WhenAll(callers).WaitAsync(TimeSpan.FromSeconds(60));
    }

    private static async Task DisposeAllAsync(IEnumerable<TestApp> apps)
    {
        foreach (var app in apps)
        {
            await app.DisposeAsync();
        }
    }
}
