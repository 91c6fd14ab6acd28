using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.Logging;
using ModernAuth.Mail.Caching;
using Polly;
using Polly.CircuitBreaker;
using Polly.Timeout;

namespace ModernAuth.Mail.Extensions.Internal;

/// <summary>
/// Keeps MSAL's token caches in an <see cref="IDistributedCache"/>, encrypted. Every cache operation goes through one
/// Polly pipeline: a circuit breaker around a timeout of <see cref="DistributedTokenCacheOptions.OperationTimeout"/>.
/// When the cache cannot be reached, reads answer "nothing stored" (so each provider keeps its in-memory tokens), writes
/// are remembered, the circuit opens and the outage is logged once, and the cache is probed again every
/// <see cref="DistributedTokenCacheOptions.RetryInterval"/>; after the first success the remembered writes are flushed.
/// Entries that do not decrypt are logged, removed and replaced.
/// Cold misses are coordinated across instances with a best-effort lease (write-then-verify, see
/// <see cref="DistributedTokenCacheOptions.LeaseEnabled"/>).
/// </summary>
internal sealed class DistributedMailTokenCacheStore : MailTokenCacheStore
{
    private static readonly Regex Password = new("(password|pwd)=[^,;\\s]*", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);

    private readonly IDistributedCache _cache;
    private readonly DistributedTokenCacheOptions _options;
    private readonly TokenCacheProtector _protector;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<string, PendingWrite> _pending = new(StringComparer.Ordinal);
    private readonly CircuitBreakerStateProvider _circuit = new();
    private readonly ResiliencePipeline _pipeline;
    private long _outageStarted;

    public DistributedMailTokenCacheStore(IDistributedCache cache, DistributedTokenCacheOptions options, TimeProvider time, ILogger logger)
    {
        _cache = cache;
        _options = options;
        _protector = new TokenCacheProtector(options.EncryptionKey ?? throw new InvalidOperationException("The token cache EncryptionKey is missing."), options.PreviousEncryptionKeys);
        _time = time;
        _logger = logger;
        _pipeline = new ResiliencePipelineBuilder { TimeProvider = time }
            .AddCircuitBreaker(new CircuitBreakerStrategyOptions
            {
                // The cache is either reachable or not: any failure opens the circuit. Polly's breaker opens only once its
                // window holds two operations, so a store that has not reached the cache within the window opens on the
                // second failure; after any success in the window, on the first.
                FailureRatio = 0,
                MinimumThroughput = 2,
                SamplingDuration = TimeSpan.FromDays(1),
                BreakDuration = Clamp(options.RetryInterval),
                BreakDurationGenerator = _ => new ValueTask<TimeSpan>(options.RetryInterval),
                StateProvider = _circuit,
                OnOpened = args =>
                {
                    // Once per outage: a failed probe opens the circuit again without a second warning.
                    if (Interlocked.CompareExchange(ref _outageStarted, _time.GetTimestamp(), 0) == 0)
                    {
                        var error = args.Outcome.Exception!;
                        var reason = error is TimeoutRejectedException ? $"no answer within {options.OperationTimeout}" : Password.Replace(error.Message, "$1=***");
                        Log.DistributedTokenCacheUnavailable(_logger, error.GetType().Name, reason, options.RetryInterval);
                    }

                    return default;
                },
                OnClosed = _ =>
                {
                    var started = Interlocked.Exchange(ref _outageStarted, 0);
                    if (started != 0)
                    {
                        Log.DistributedTokenCacheRecovered(_logger, _time.GetElapsedTime(started), _pending.Count);
                    }

                    return default;
                },
            })
            .AddTimeout(new TimeoutStrategyOptions
            {
                // A generator, so that any positive OperationTimeout the settings accept is used as it is.
                TimeoutGenerator = _ => new ValueTask<TimeSpan>(options.OperationTimeout),
            })
            .Build();
    }

    /// <summary>Whether the circuit is open: the cache failed and tokens are served from memory until a probe succeeds.</summary>
    public bool IsUnavailable => _circuit.CircuitState != CircuitState.Closed;

    public override async Task<byte[]?> ReadAsync(string key, CancellationToken cancellationToken = default)
    {
        var fullKey = _options.KeyPrefix + key;
        byte[]? stored;
        try
        {
            stored = await RunAsync(ct => _cache.GetAsync(fullKey, ct), cancellationToken).ConfigureAwait(false);
        }
        catch (Exception error) when (!IsCallerCancellation(error, cancellationToken))
        {
            return null;
        }

        if (stored is not null)
        {
            // What is stored now replaces this instance's memory, so a write kept back during an outage is stale.
            _pending.TryRemove(key, out _);
        }

        await FlushPendingAsync(cancellationToken).ConfigureAwait(false);
        if (stored is null)
        {
            return null;
        }

        if (_protector.TryUnprotect(stored, key, out var data, out var reason))
        {
            return data;
        }

        Log.DistributedTokenCacheEntryUnreadable(_logger, fullKey, reason);
        try
        {
            await RunAsync(async ct => { await _cache.RemoveAsync(fullKey, ct).ConfigureAwait(false); return true; }, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception error) when (!IsCallerCancellation(error, cancellationToken))
        {
            // The circuit counted it; the entry is replaced by the next write.
        }

        return null;
    }

    public override async Task WriteAsync(string key, byte[] data, DateTimeOffset? expiresOn, CancellationToken cancellationToken = default)
    {
        var pending = new PendingWrite(_protector.Protect(data, key), expiresOn);
        try
        {
            await SetAsync(key, pending, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception error) when (!IsCallerCancellation(error, cancellationToken))
        {
            // Failed, or skipped while the circuit is open: written back once the cache answers again.
            _pending[key] = pending;
            return;
        }

        _pending.TryRemove(key, out _);
        await FlushPendingAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Write-then-verify on a lease entry holding a random nonce: <see cref="IDistributedCache"/> has no atomic "set if
    /// absent". A lease already there answers "held elsewhere" with no write; otherwise this instance writes its nonce,
    /// waits <see cref="DistributedTokenCacheOptions.LeaseSettleDelay"/> for competing writes to land, and holds the lease
    /// if its nonce is still there (the last writer wins). Cache failures answer "not coordinated".
    /// </summary>
    public override async ValueTask<MailTokenCacheLease> TryAcquireLeaseAsync(string key, CancellationToken cancellationToken = default)
    {
        if (!_options.LeaseEnabled)
        {
            return MailTokenCacheLease.NotCoordinated;
        }

        var leaseKey = _options.KeyPrefix + "lease:" + key;
        var nonce = NewNonce();
        var written = false;
        try
        {
            var current = await RunAsync(ct => _cache.GetAsync(leaseKey, ct), cancellationToken).ConfigureAwait(false);
            if (current is null)
            {
                var entry = new DistributedCacheEntryOptions { AbsoluteExpirationRelativeToNow = _options.LeaseDuration };
                written = true;
                await RunAsync(async ct => { await _cache.SetAsync(leaseKey, nonce, entry, ct).ConfigureAwait(false); return true; }, cancellationToken).ConfigureAwait(false);
                if (_options.LeaseSettleDelay > TimeSpan.Zero)
                {
                    await DelayAsync(_options.LeaseSettleDelay, cancellationToken).ConfigureAwait(false);
                }

                current = await RunAsync(ct => _cache.GetAsync(leaseKey, ct), cancellationToken).ConfigureAwait(false);
            }

            await FlushPendingAsync(cancellationToken).ConfigureAwait(false);
            return current is not null && SameBytes(current, nonce)
                ? new Lease(this, leaseKey, nonce)
                : MailTokenCacheLease.HeldElsewhere(_options.LeaseMaxWait);
        }
        catch (Exception error)
        {
            if (written)
            {
                // Do not leave a lease that nobody will fill: the others would wait for it to expire.
                _ = ReleaseAsync(leaseKey, nonce);
            }

            if (IsCallerCancellation(error, cancellationToken))
            {
                throw;
            }

            return MailTokenCacheLease.NotCoordinated;
        }
    }

    private static bool IsCallerCancellation(Exception error, CancellationToken cancellationToken) =>
        error is OperationCanceledException && cancellationToken.IsCancellationRequested;

    private Task SetAsync(string key, PendingWrite write, CancellationToken cancellationToken)
    {
        var entry = new DistributedCacheEntryOptions();
        var now = _time.GetUtcNow();
        if (write.ExpiresOn is { } expiresOn && expiresOn > now)
        {
            // Relative, so the cache server's clock and ours need not agree.
            entry.AbsoluteExpirationRelativeToNow = expiresOn - now;
        }
        else
        {
            entry.SlidingExpiration = _options.SlidingExpiration;
        }

        return RunAsync(async ct => { await _cache.SetAsync(_options.KeyPrefix + key, write.Data, entry, ct).ConfigureAwait(false); return true; }, cancellationToken);
    }

    /// <summary>
    /// Runs one cache operation through the pipeline (circuit breaker, then <see cref="DistributedTokenCacheOptions.OperationTimeout"/>).
    /// Cache clients may ignore cancellation and hang on a dead server for far longer, so the wait for the operation is
    /// what the timeout cancels (the operation is abandoned, and its late failure observed). Throws
    /// <see cref="BrokenCircuitException"/> at once while the circuit is open.
    /// </summary>
    private async Task<T> RunAsync<T>(Func<CancellationToken, Task<T>> operation, CancellationToken cancellationToken)
    {
        return await _pipeline.ExecuteAsync(
            static async (s, ct) =>
            {
                var task = s(ct);
                if (!task.IsCompleted)
                {
                    _ = task.ContinueWith(static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
                }

                return await task.WaitAsync(ct).ConfigureAwait(false);
            },
            operation,
            cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Writes back what was kept in memory while the cache was down (only then is anything pending).</summary>
    private async Task FlushPendingAsync(CancellationToken cancellationToken)
    {
        if (_pending.IsEmpty)
        {
            return;
        }

        foreach (var entry in _pending.ToArray())
        {
            try
            {
                await SetAsync(entry.Key, entry.Value, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception error) when (!IsCallerCancellation(error, cancellationToken))
            {
                return;
            }

            // Only if no newer write replaced it meanwhile.
            ((ICollection<KeyValuePair<string, PendingWrite>>)_pending).Remove(entry);
        }
    }

    private static byte[] NewNonce()
    {
        var random = new byte[16];
        using (var generator = RandomNumberGenerator.Create())
        {
            generator.GetBytes(random);
        }

        // Readable for whoever looks at the cache: "lease " and 32 hex digits.
        return Encoding.ASCII.GetBytes("lease " + BitConverter.ToString(random).Replace("-", string.Empty));
    }

    private static bool SameBytes(byte[] a, byte[] b)
    {
        if (a.Length != b.Length)
        {
            return false;
        }

        for (var i = 0; i < a.Length; i++)
        {
            if (a[i] != b[i])
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// Removes the lease if it still holds <paramref name="nonce"/> (read, then remove: not atomic, so a lease that
    /// expired and was taken by another instance in between is removed too; that instance's waiters then take their own).
    /// Never throws: an unreleased lease expires on its own.
    /// </summary>
    private async Task ReleaseAsync(string leaseKey, byte[] nonce)
    {
        try
        {
            var current = await RunAsync(ct => _cache.GetAsync(leaseKey, ct), CancellationToken.None).ConfigureAwait(false);
            if (current is not null && SameBytes(current, nonce))
            {
                await RunAsync(async ct => { await _cache.RemoveAsync(leaseKey, ct).ConfigureAwait(false); return true; }, CancellationToken.None).ConfigureAwait(false);
            }
        }
#pragma warning disable CA1031 // Never throws: the circuit counted the failure, and an unreleased lease expires.
        catch (Exception)
#pragma warning restore CA1031
        {
        }
    }

    private Task DelayAsync(TimeSpan delay, CancellationToken cancellationToken) => Task.Delay(delay, _time, cancellationToken);

    // Polly's BreakDuration must lie in [0.5 s, 1 day]; it bounds how long one probe may run before another may start.
    // The break itself is RetryInterval exactly (BreakDurationGenerator).
    private static TimeSpan Clamp(TimeSpan interval) =>
        interval < TimeSpan.FromSeconds(0.5) ? TimeSpan.FromSeconds(0.5) : interval > TimeSpan.FromDays(1) ? TimeSpan.FromDays(1) : interval;

    private sealed class PendingWrite
    {
        public PendingWrite(byte[] data, DateTimeOffset? expiresOn)
        {
            Data = data;
            ExpiresOn = expiresOn;
        }

        public byte[] Data { get; }

        public DateTimeOffset? ExpiresOn { get; }
    }

    private sealed class Lease : MailTokenCacheLease
    {
        private readonly DistributedMailTokenCacheStore _store;
        private readonly string _leaseKey;
        private readonly byte[] _nonce;

        public Lease(DistributedMailTokenCacheStore store, string leaseKey, byte[] nonce)
        {
            _store = store;
            _leaseKey = leaseKey;
            _nonce = nonce;
        }

        public override Task ReleaseAsync(CancellationToken cancellationToken = default) => _store.ReleaseAsync(_leaseKey, _nonce);
    }
}
