using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.Logging;
using ModernAuth.Mail.Caching;

namespace ModernAuth.Mail.Extensions.Internal;

/// <summary>
/// Keeps MSAL's token caches in an <see cref="IDistributedCache"/>, encrypted. When the cache cannot be reached,
/// reads answer "nothing stored" (so each provider keeps its in-memory tokens), writes are remembered, the outage is
/// logged once, and the cache is probed again every <see cref="DistributedTokenCacheOptions.RetryInterval"/>; on the
/// first success the remembered writes are flushed. Entries that do not decrypt are logged, removed and replaced.
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
    private readonly object _stateLock = new();
    private bool _down;
    private long _downSince;
    private long _retryAt;

    public DistributedMailTokenCacheStore(IDistributedCache cache, DistributedTokenCacheOptions options, TimeProvider time, ILogger logger)
    {
        _cache = cache;
        _options = options;
        _protector = new TokenCacheProtector(options.EncryptionKey ?? throw new InvalidOperationException("The token cache EncryptionKey is missing."), options.PreviousEncryptionKeys);
        _time = time;
        _logger = logger;
    }

    /// <summary>Whether the last operation on the distributed cache failed (tokens are then served from memory).</summary>
    public bool IsUnavailable
    {
        get
        {
            lock (_stateLock)
            {
                return _down;
            }
        }
    }

    public override async Task<byte[]?> ReadAsync(string key, CancellationToken cancellationToken = default)
    {
        if (!ShouldTry())
        {
            return null;
        }

        var fullKey = _options.KeyPrefix + key;
        byte[]? stored;
        try
        {
            stored = await RunAsync(ct => _cache.GetAsync(fullKey, ct), cancellationToken).ConfigureAwait(false);
        }
        catch (Exception error) when (!IsCallerCancellation(error, cancellationToken))
        {
            OnFailure(error);
            return null;
        }

        if (stored is not null)
        {
            // What is stored now replaces this instance's memory, so a write kept back during an outage is stale.
            _pending.TryRemove(key, out _);
        }

        await OnSuccessAsync(cancellationToken).ConfigureAwait(false);
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
            OnFailure(error);
        }

        return null;
    }

    public override async Task WriteAsync(string key, byte[] data, DateTimeOffset? expiresOn, CancellationToken cancellationToken = default)
    {
        var pending = new PendingWrite(_protector.Protect(data, key), expiresOn);
        if (!ShouldTry())
        {
            _pending[key] = pending;
            return;
        }

        try
        {
            await SetAsync(key, pending, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception error) when (!IsCallerCancellation(error, cancellationToken))
        {
            _pending[key] = pending;
            OnFailure(error);
            return;
        }

        _pending.TryRemove(key, out _);
        await OnSuccessAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Write-then-verify on a lease entry holding a random nonce: <see cref="IDistributedCache"/> has no atomic "set if
    /// absent". A lease already there answers "held elsewhere" with no write; otherwise this instance writes its nonce,
    /// waits <see cref="DistributedTokenCacheOptions.LeaseSettleDelay"/> for competing writes to land, and holds the lease
    /// if its nonce is still there (the last writer wins). Cache failures answer "not coordinated".
    /// </summary>
    public override async ValueTask<MailTokenCacheLease> TryAcquireLeaseAsync(string key, CancellationToken cancellationToken = default)
    {
        if (!_options.LeaseEnabled || !ShouldTry())
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

            await OnSuccessAsync(cancellationToken).ConfigureAwait(false);
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

            OnFailure(error);
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

    /// <summary>Runs one cache operation with <see cref="DistributedTokenCacheOptions.OperationTimeout"/>: a cache client may hang on a dead server for far longer.</summary>
    private async Task<T> RunAsync<T>(Func<CancellationToken, Task<T>> operation, CancellationToken cancellationToken)
    {
        var task = operation(cancellationToken);
        if (!task.IsCompleted)
        {
            // Observe a late failure of an operation we stopped waiting for.
            _ = task.ContinueWith(static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }

        return await task.WaitAsync(_options.OperationTimeout, _time, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>While the cache is down, lets one operation through per retry interval to probe it.</summary>
    private bool ShouldTry()
    {
        lock (_stateLock)
        {
            if (!_down)
            {
                return true;
            }

            var now = _time.GetTimestamp();
            if (now < _retryAt)
            {
                return false;
            }

            _retryAt = now + Ticks(_options.RetryInterval);
            return true;
        }
    }

    private void OnFailure(Exception error)
    {
        bool first;
        lock (_stateLock)
        {
            var now = _time.GetTimestamp();
            first = !_down;
            if (first)
            {
                _down = true;
                _downSince = now;
            }

            _retryAt = now + Ticks(_options.RetryInterval);
        }

        if (first)
        {
            var reason = error is TimeoutException ? $"no answer within {_options.OperationTimeout}" : Password.Replace(error.Message, "$1=***");
            Log.DistributedTokenCacheUnavailable(_logger, error.GetType().Name, reason, _options.RetryInterval);
        }
    }

    private async Task OnSuccessAsync(CancellationToken cancellationToken)
    {
        TimeSpan outage;
        lock (_stateLock)
        {
            if (!_down)
            {
                return;
            }

            _down = false;
            outage = _time.GetElapsedTime(_downSince);
        }

        var pending = _pending.ToArray();
        Log.DistributedTokenCacheRecovered(_logger, outage, pending.Length);
        foreach (var entry in pending)
        {
            try
            {
                await SetAsync(entry.Key, entry.Value, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception error) when (!IsCallerCancellation(error, cancellationToken))
            {
                OnFailure(error);
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
        if (!ShouldTry())
        {
            return;
        }

        try
        {
            var current = await RunAsync(ct => _cache.GetAsync(leaseKey, ct), CancellationToken.None).ConfigureAwait(false);
            if (current is not null && SameBytes(current, nonce))
            {
                await RunAsync(async ct => { await _cache.RemoveAsync(leaseKey, ct).ConfigureAwait(false); return true; }, CancellationToken.None).ConfigureAwait(false);
            }
        }
        catch (Exception error)
        {
            OnFailure(error);
        }
    }

    private Task DelayAsync(TimeSpan delay, CancellationToken cancellationToken) =>
#if NET8_0_OR_GREATER
        Task.Delay(delay, _time, cancellationToken);
#else
        _time.Delay(delay, cancellationToken);
#endif

    private long Ticks(TimeSpan interval) => (long)(interval.TotalSeconds * _time.TimestampFrequency);

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
