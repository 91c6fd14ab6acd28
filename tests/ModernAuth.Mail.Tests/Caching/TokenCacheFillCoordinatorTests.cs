using Microsoft.Extensions.Logging;
using ModernAuth.Mail.Caching;
using ModernAuth.Mail.Tests.Support;

namespace ModernAuth.Mail.Tests.Caching;

/// <summary>
/// The cross-instance single flight of a cold miss, on a fake clock with an in-memory store whose leases are atomic
/// (<see cref="LeasingMemoryStore"/>). The "fill" stands for MSAL: it reads the store and asks the token service only when
/// the entry is missing.
/// </summary>
public sealed class TokenCacheFillCoordinatorTests : IDisposable
{
    private const string Key = "client_tenant_AppTokenCache";
    private readonly ObservedClock _time = new(new DateTimeOffset(2026, 11, 25, 12, 0, 0, TimeSpan.Zero));
    private readonly CapturingLoggerProvider _logs = new();
    private readonly ILoggerFactory _loggerFactory;
    private readonly LeasingMemoryStore _store;
    private readonly FakeFill _fill;

    public TokenCacheFillCoordinatorTests()
    {
        _loggerFactory = _logs.CreateFactory();
        _store = new LeasingMemoryStore(_time);
        _fill = new FakeFill(_store);
    }

    public void Dispose() => _loggerFactory.Dispose();

    [Fact]
    public async Task RunAsync_StoreWithoutLeases_FillsAtOnce()
    {
        var store = new PlainStore();
        var coordinator = new TokenCacheFillCoordinator(store, _time, _loggerFactory.CreateLogger("test"));

        var result = await coordinator.RunAsync(Key, _ => Task.FromResult("token"), default);

        Assert.Equal("token", result);
        Assert.Equal(1, store.Reads);
    }

    [Fact]
    public async Task RunAsync_EntryInStore_FillsWithoutTakingLease()
    {
        _store.Entries[Key] = new byte[] { 1 };

        var result = await Create().RunAsync(Key, _fill.Run, default);

        Assert.Equal("from store", result);
        Assert.Equal(0, _store.LeaseAttempts);
        Assert.Equal(0, _fill.Requests);
    }

    [Fact]
    public async Task RunAsync_EmptyStore_TakesLeaseFillsAndReleases()
    {
        var result = await Create().RunAsync(Key, _fill.Run, default);

        Assert.Equal("from token service", result);
        Assert.Equal(1, _store.LeasesGranted);
        Assert.Equal(1, _store.Releases);
        Assert.False(_store.IsLeased(Key));
        Assert.True(_store.Entries.ContainsKey(Key));
    }

    [Fact]
    public async Task RunAsync_FillFails_ErrorPassesThroughAndLeaseReleased()
    {
        var failure = new MailAuthenticationException(MailErrorCodes.InvalidClientSecret, "wrong secret", "fix it");

        var thrown = await Assert.ThrowsAsync<MailAuthenticationException>(() => Create().RunAsync<string>(Key, _ => throw failure, default));

        Assert.Same(failure, thrown);
        Assert.False(_store.IsLeased(Key));
    }

    [Fact]
    public async Task RunAsync_LeaseHeldElsewhere_WaitsWithBackOffUntilEntryAppearsNoRequest()
    {
        _store.HoldElsewhere(Key, TimeSpan.FromSeconds(10));
        var started = _time.GetUtcNow();

        var waiting = Create().RunAsync(Key, _fill.Run, default);
        foreach (var interval in new[] { 10, 20, 40, 80, 160, 200, 200, 200 })
        {
            await _time.StepAsync(TimeSpan.FromMilliseconds(interval), waiting); // the holder is slow
        }

        Assert.False(waiting.IsCompleted);
        Assert.Equal(0, _fill.Calls);
        _store.Entries[Key] = new byte[] { 1 }; // the holder's token lands
        await _time.StepAsync(TimeSpan.FromMilliseconds(200), waiting);

        Assert.Equal("from store", await waiting);
        Assert.Equal(0, _fill.Requests);
        Assert.Equal(0, _store.LeasesGranted);
        var polls = _store.ReadTimes.Skip(1).Select(t => (int)(t - started).TotalMilliseconds).ToArray();
        Assert.Equal(new[] { 10, 30, 70, 150, 310, 510, 710, 910, 1110 }, polls);
        Assert.Contains("[1011]", _logs.AllText, StringComparison.Ordinal);
        Assert.Contains("the token arrived", _logs.AllText, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_HolderDiedLeaseExpires_WaiterTakesLeaseAndFills()
    {
        _store.HoldElsewhere(Key, TimeSpan.FromSeconds(2)); // a holder that never fills nor releases

        var waiting = Create().RunAsync(Key, _fill.Run, default);
        foreach (var interval in new[] { 10, 20, 40, 80, 160, 200, 200, 200, 200, 200, 200, 200, 200 })
        {
            await _time.StepAsync(TimeSpan.FromMilliseconds(interval), waiting); // up to 1910 ms
        }

        Assert.False(waiting.IsCompleted);
        await _time.StepAsync(TimeSpan.FromMilliseconds(200), waiting); // 2110 ms: the lease expired at 2000

        Assert.Equal("from token service", await waiting);
        Assert.Equal(1, _fill.Requests);
        Assert.Equal(1, _store.LeasesGranted);
        Assert.False(_store.IsLeased(Key)); // released after the fill
        Assert.DoesNotContain("[1013]", _logs.AllText, StringComparison.Ordinal);
        Assert.Contains("the lease was freed and this instance took it", _logs.AllText, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_LeaseNeverFreed_ProceedsAfterMaxWaitAndWarns()
    {
        _store.MaxWait = TimeSpan.FromSeconds(1);
        _store.HoldElsewhere(Key, TimeSpan.FromHours(1));

        var waiting = Create().RunAsync(Key, _fill.Run, default);
        foreach (var interval in new[] { 10, 20, 40, 80, 160, 200, 200, 200 })
        {
            await _time.StepAsync(TimeSpan.FromMilliseconds(interval), waiting); // up to 910 ms
        }

        Assert.False(waiting.IsCompleted);
        await _time.StepAsync(TimeSpan.FromMilliseconds(90), waiting); // the last wait is cut to what is left

        Assert.Equal("from token service", await waiting);
        Assert.Equal(1, _fill.Requests);
        Assert.Contains("Warning", _logs.Lines.Single(l => l.Contains("[1013]", StringComparison.Ordinal)), StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_LeaseThrows_FillsAtOnceAndLogs()
    {
        _store.FailLeases = true;

        var result = await Create().RunAsync(Key, _fill.Run, default);

        Assert.Equal("from token service", result);
        Assert.Contains("[1009]", _logs.AllText, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_ReadThrows_FillsAtOnceWithoutLease()
    {
        _store.FailReads = true;

        var result = await Create().RunAsync(Key, _ => Task.FromResult("token"), default);

        Assert.Equal("token", result);
        Assert.Equal(0, _store.LeaseAttempts);
    }

    [Fact]
    public async Task RunAsync_ReadThrowsWhileWaiting_StopsWaitingAndFills()
    {
        _store.HoldElsewhere(Key, TimeSpan.FromHours(1));
        var waiting = Create().RunAsync(Key, _ => Task.FromResult("token"), default);

        _store.FailReads = true;
        await _time.StepAsync(TimeSpan.FromMilliseconds(10), waiting);

        Assert.Equal("token", await waiting);
    }

    [Fact]
    public async Task RunAsync_ReleaseThrows_TokenStillReturned()
    {
        _store.FailReleases = true;

        var result = await Create().RunAsync(Key, _fill.Run, default);

        Assert.Equal("from token service", result);
        Assert.Contains("release the lease of", _logs.AllText, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_CancelledWhileWaiting_OperationCanceledAtOnceNoFill()
    {
        _store.HoldElsewhere(Key, TimeSpan.FromHours(1));
        using var cancellation = new CancellationTokenSource();
        var waiting = Create().RunAsync(Key, _fill.Run, cancellation.Token);
        await _time.StepAsync(TimeSpan.FromMilliseconds(10), waiting);

        await cancellation.CancelAsync();

        // Without moving the fake clock: the wait ends because of the cancellation, not a timer.
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Equal(0, _fill.Calls);
        Assert.Equal(0, _store.LeasesGranted);
    }

    [Fact]
    public async Task RunAsync_CancelledWhileHoldingLease_LeaseReleased()
    {
        using var cancellation = new CancellationTokenSource();
        var hold = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        var holding = Create().RunAsync(Key, ct =>
        {
            ct.Register(() => hold.TrySetCanceled(ct));
            return hold.Task;
        }, cancellation.Token);
        Assert.True(_store.IsLeased(Key));

        await cancellation.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => holding);
        Assert.False(_store.IsLeased(Key));
    }

    [Fact]
    public async Task RunAsync_ConcurrentCallersOfSeveralInstances_OneRequest()
    {
        // Ten "instances" (coordinators) sharing the store, their fills held until all have started: one takes the lease.
        var release = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        var fill = new FakeFill(_store) { Hold = release.Task };
        var runs = Enumerable.Range(0, 10).Select(_ => Create().RunAsync(Key, fill.Run, default)).ToArray();
        Assert.Equal(1, _store.LeasesGranted);

        release.SetResult(true);
        await ObservedClock.UntilAsync(() => _store.Entries.ContainsKey(Key));
        _time.Fake.Advance(TimeSpan.FromMilliseconds(10));
        var results = await Task.WhenAll(runs).WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(1, fill.Requests);
        Assert.Equal(9, results.Count(r => r == "from store"));
    }

    [Fact]
    public void Lease_HeldElsewhereNegativeWait_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => MailTokenCacheLease.HeldElsewhere(TimeSpan.FromSeconds(-1)));
        Assert.Equal(MailTokenCacheLeaseStatus.NotCoordinated, MailTokenCacheLease.NotCoordinated.Status);
        Assert.Equal(TimeSpan.FromSeconds(5), MailTokenCacheLease.HeldElsewhere(TimeSpan.FromSeconds(5)).MaxWait);
    }

    [Fact]
    public async Task TryAcquireLeaseAsync_StoreWithoutOverride_NotCoordinated()
    {
        var lease = await new PlainStore().TryAcquireLeaseAsync(Key);

        Assert.Equal(MailTokenCacheLeaseStatus.NotCoordinated, lease.Status);
        await lease.ReleaseAsync(); // a no-op
    }

    private TokenCacheFillCoordinator Create() => new(_store, _time, _loggerFactory.CreateLogger("test"));

    /// <summary>Stands for MSAL with a store-backed cache: reads the entry, asks the "token service" only when it is missing.</summary>
    private sealed class FakeFill
    {
        private readonly LeasingMemoryStore _store;
        private int _calls;
        private int _requests;

        public FakeFill(LeasingMemoryStore store) => _store = store;

        public Task? Hold { get; init; }

        public int Calls => Volatile.Read(ref _calls);

        public int Requests => Volatile.Read(ref _requests);

        public async Task<string> Run(CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _calls);
            if (_store.Entries.ContainsKey(Key))
            {
                return "from store";
            }

            Interlocked.Increment(ref _requests);
            if (Hold is not null)
            {
                await Hold;
            }

            _store.Entries[Key] = new byte[] { 1 };
            return "from token service";
        }
    }

    private sealed class PlainStore : MailTokenCacheStore
    {
        public int Reads { get; private set; }

        public override Task<byte[]?> ReadAsync(string key, CancellationToken cancellationToken = default)
        {
            Reads++;
            return Task.FromResult<byte[]?>(null);
        }

        public override Task WriteAsync(string key, byte[] data, DateTimeOffset? expiresOn, CancellationToken cancellationToken = default) => Task.CompletedTask;
    }
}
