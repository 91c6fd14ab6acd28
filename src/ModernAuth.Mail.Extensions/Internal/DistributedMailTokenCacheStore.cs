using System.Collections.Concurrent;
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
}
