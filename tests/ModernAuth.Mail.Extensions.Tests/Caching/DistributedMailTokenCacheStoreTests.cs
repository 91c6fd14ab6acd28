using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using ModernAuth.Mail.Extensions.Internal;
using ModernAuth.Mail.Extensions.Tests.Support;

namespace ModernAuth.Mail.Extensions.Tests.Caching;

/// <summary>The store's timeouts and retry schedule, on a fake clock with a cache that never answers.</summary>
public sealed class DistributedMailTokenCacheStoreTests : IDisposable
{
    private readonly FakeTimeProvider _time = new(DateTimeOffset.UtcNow);
    private readonly HangingCache _cache = new();
    private readonly LogCapture _logs = new();
    private readonly ILoggerFactory _loggerFactory;
    private readonly DistributedMailTokenCacheStore _store;

    public DistributedMailTokenCacheStoreTests()
    {
        _loggerFactory = LoggerFactory.Create(b => b.AddProvider(_logs));
        var options = new DistributedTokenCacheOptions
        {
            EncryptionKey = TestIds.EncryptionKey,
            OperationTimeout = TimeSpan.FromSeconds(2),
            RetryInterval = TimeSpan.FromSeconds(30),
        };
        _store = new DistributedMailTokenCacheStore(_cache, options, _time, _loggerFactory.CreateLogger("test"));
    }

    public void Dispose() => _loggerFactory.Dispose();

    [Fact]
    public async Task ReadAsync_CacheNeverAnswers_NullAfterOperationTimeoutAndLoggedOnce()
    {
        var read = _store.ReadAsync("key");
        Assert.False(read.IsCompleted);

        _time.Advance(TimeSpan.FromSeconds(2));

        Assert.Null(await read);

        // Polly's circuit breaker opens once its window holds two operations: a store that never reached the cache
        // opens on its second failure.
        Assert.False(_store.IsUnavailable);
        await FailOnceMoreAsync();
        Assert.True(_store.IsUnavailable);
        var warning = Assert.Single(_logs.Entries, e => e.EventId == 2001);
        Assert.Contains("no answer within 00:00:02", warning.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReadAsync_WithinRetryInterval_SkipsCacheUntilIntervalPasses()
    {
        var first = _store.ReadAsync("key");
        _time.Advance(TimeSpan.FromSeconds(2));
        await first;
        await FailOnceMoreAsync();
        var calls = _cache.Calls;

        Assert.Null(await _store.ReadAsync("key")); // answered at once from "nothing stored"
        await _store.WriteAsync("key", new byte[] { 1, 2, 3 }, null);
        Assert.Equal(calls, _cache.Calls);

        _time.Advance(TimeSpan.FromSeconds(30));
        var probe = _store.ReadAsync("key");
        Assert.Equal(calls + 1, _cache.Calls);
        _time.Advance(TimeSpan.FromSeconds(2));
        Assert.Null(await probe);
        Assert.Equal(1, _logs.Count(2001)); // still one outage
    }

    [Fact]
    public async Task ReadAsync_CallerCancels_OperationCanceledPassesThrough()
    {
        using var cancellation = new CancellationTokenSource();
        var read = _store.ReadAsync("key", cancellation.Token);

        await cancellation.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => read);
        Assert.False(_store.IsUnavailable);
        Assert.Equal(0, _logs.Count(2001));
    }

    private async Task FailOnceMoreAsync()
    {
        var read = _store.ReadAsync("key");
        _time.Advance(TimeSpan.FromSeconds(2));
        Assert.Null(await read);
    }

    [Fact]
    public async Task ReadAsync_FailureAfterASuccess_OpensAtOnceAndRecoveryFlushesKeptWrites()
    {
        var cache = new SwitchableCache();
        using var loggerFactory = LoggerFactory.Create(b => b.AddProvider(_logs));
        var store = new DistributedMailTokenCacheStore(cache, new DistributedTokenCacheOptions { EncryptionKey = TestIds.EncryptionKey, RetryInterval = TimeSpan.FromSeconds(30) }, _time, loggerFactory.CreateLogger("test"));
        Assert.Null(await store.ReadAsync("key"));

        cache.Down = true;
        Assert.Null(await store.ReadAsync("key"));
        Assert.True(store.IsUnavailable);
        await store.WriteAsync("key", [1, 2, 3], null);
        Assert.Equal(0, cache.Writes);

        cache.Down = false;
        _time.Advance(TimeSpan.FromSeconds(30));
        Assert.Null(await store.ReadAsync("key")); // the probe succeeds (nothing stored yet); the kept write is flushed
        Assert.False(store.IsUnavailable);
        Assert.Equal(1, cache.Writes);
        Assert.Equal(new byte[] { 1, 2, 3 }, await store.ReadAsync("key"));
        Assert.Equal(1, _logs.Count(2001));
        Assert.Equal(1, _logs.Count(2002));
        Assert.DoesNotContain(_logs.Entries, e => e.Message.Contains("hunter2", StringComparison.Ordinal));
    }

    private sealed class SwitchableCache : IDistributedCache
    {
        private readonly Dictionary<string, byte[]> _entries = [];

        public bool Down { get; set; }

        public int Writes { get; private set; }

        public byte[]? Get(string key) => throw new NotSupportedException();

        public Task<byte[]?> GetAsync(string key, CancellationToken token = default) =>
            Down ? Task.FromException<byte[]?>(new InvalidOperationException("No connection is available (password=hunter2).")) : Task.FromResult(_entries.GetValueOrDefault(key));

        public void Refresh(string key) => throw new NotSupportedException();

        public Task RefreshAsync(string key, CancellationToken token = default) => throw new NotSupportedException();

        public void Remove(string key) => throw new NotSupportedException();

        public Task RemoveAsync(string key, CancellationToken token = default) => throw new NotSupportedException();

        public void Set(string key, byte[] value, DistributedCacheEntryOptions options) => throw new NotSupportedException();

        public Task SetAsync(string key, byte[] value, DistributedCacheEntryOptions options, CancellationToken token = default)
        {
            if (Down)
            {
                return Task.FromException(new InvalidOperationException("No connection is available."));
            }

            Writes++;
            _entries[key] = value;
            return Task.CompletedTask;
        }
    }

    private sealed class HangingCache : IDistributedCache
    {
        private int _calls;

        public int Calls => Volatile.Read(ref _calls);

        public byte[]? Get(string key) => throw new NotSupportedException();

        public Task<byte[]?> GetAsync(string key, CancellationToken token = default)
        {
            Interlocked.Increment(ref _calls);
            return new TaskCompletionSource<byte[]?>().Task;
        }

        public void Refresh(string key) => throw new NotSupportedException();

        public Task RefreshAsync(string key, CancellationToken token = default) => throw new NotSupportedException();

        public void Remove(string key) => throw new NotSupportedException();

        public Task RemoveAsync(string key, CancellationToken token = default) => throw new NotSupportedException();

        public void Set(string key, byte[] value, DistributedCacheEntryOptions options) => throw new NotSupportedException();

        public Task SetAsync(string key, byte[] value, DistributedCacheEntryOptions options, CancellationToken token = default)
        {
            Interlocked.Increment(ref _calls);
            return new TaskCompletionSource().Task;
        }
    }
}
