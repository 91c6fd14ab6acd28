using Microsoft.Extensions.Logging;
using ModernAuth.Mail.Internal;

namespace ModernAuth.Mail.Caching;

/// <summary>
/// Single flight across instances for a cold miss: when the shared store has no entry, one instance (the lease holder)
/// asks the token service and the others wait for its token to appear in the store, then let MSAL read it from there.
/// Never fails a token request because of the store, never waits longer than the lease allows, honours cancellation.
/// </summary>
internal sealed class TokenCacheFillCoordinator
{
    /// <summary>The first poll of a waiter; each later one waits twice as long, up to <see cref="MaxPollInterval"/>.</summary>
    internal static readonly TimeSpan FirstPollInterval = TimeSpan.FromMilliseconds(10);

    /// <summary>The longest pause between two polls: a token request takes tens to hundreds of milliseconds.</summary>
    internal static readonly TimeSpan MaxPollInterval = TimeSpan.FromMilliseconds(200);

    private readonly MailTokenCacheStore _store;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    public TokenCacheFillCoordinator(MailTokenCacheStore store, TimeProvider time, ILogger logger)
    {
        _store = store;
        _time = time;
        _logger = logger;
    }

    /// <summary>
    /// Runs <paramref name="fill"/> (an MSAL call whose cache reads and writes go through the store under
    /// <paramref name="key"/>) once it is this instance's turn: at once when the store holds an entry, does not coordinate
    /// or fails; after taking the lease; or after another instance's token appeared in the store.
    /// </summary>
    public async Task<T> RunAsync<T>(string key, Func<CancellationToken, Task<T>> fill, CancellationToken cancellationToken)
    {
        // An entry in the store (the usual case once one instance got a token): MSAL reads it, no need to coordinate.
        if (await HasEntryAsync(key, cancellationToken).ConfigureAwait(false) != false)
        {
            return await fill(cancellationToken).ConfigureAwait(false);
        }

        var lease = await TryAcquireAsync(key, cancellationToken).ConfigureAwait(false);
        if (lease.Status != MailTokenCacheLeaseStatus.HeldElsewhere)
        {
            return await FillAsync(key, lease, fill, cancellationToken).ConfigureAwait(false);
        }

        var started = _time.GetTimestamp();
        var maxWait = lease.MaxWait;
        var interval = FirstPollInterval;
        Log.TokenCacheLeaseWaiting(_logger, key, maxWait);
        while (true)
        {
            var remaining = maxWait - _time.GetElapsedTime(started);
            if (remaining <= TimeSpan.Zero)
            {
                Log.TokenCacheLeaseWaitTimedOut(_logger, key, maxWait);
                return await fill(cancellationToken).ConfigureAwait(false);
            }

            await DelayAsync(interval < remaining ? interval : remaining, cancellationToken).ConfigureAwait(false);
            interval = interval + interval < MaxPollInterval ? interval + interval : MaxPollInterval;

            var present = await HasEntryAsync(key, cancellationToken).ConfigureAwait(false);
            if (present != false)
            {
                // The holder's token arrived (MSAL reads it: no token request), or the store failed (proceed as without it).
                Log.TokenCacheLeaseWaitEnded(_logger, key, (long)_time.GetElapsedTime(started).TotalMilliseconds, present == true ? "the token arrived" : "the store failed");
                return await fill(cancellationToken).ConfigureAwait(false);
            }

            lease = await TryAcquireAsync(key, cancellationToken).ConfigureAwait(false);
            if (lease.Status != MailTokenCacheLeaseStatus.HeldElsewhere)
            {
                // The holder released the lease without a token (it failed) or died and the lease expired: our turn.
                Log.TokenCacheLeaseWaitEnded(_logger, key, (long)_time.GetElapsedTime(started).TotalMilliseconds,
                    lease.Status == MailTokenCacheLeaseStatus.Acquired ? "the lease was freed and this instance took it" : "the store stopped coordinating");
                return await FillAsync(key, lease, fill, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private async Task<T> FillAsync<T>(string key, MailTokenCacheLease lease, Func<CancellationToken, Task<T>> fill, CancellationToken cancellationToken)
    {
        if (lease.Status != MailTokenCacheLeaseStatus.Acquired)
        {
            return await fill(cancellationToken).ConfigureAwait(false);
        }

        try
        {
            return await fill(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            // In the background: the token (or the failure) must not wait for the store. By now MSAL wrote the token to
            // the store, so waiters find it; after a failure or cancellation the release lets the next one try at once.
            Release(key, lease);
        }
    }

    /// <summary><see langword="true"/> when the store holds an entry, <see langword="false"/> when it has none, <see langword="null"/> when it failed.</summary>
    private async Task<bool?> HasEntryAsync(string key, CancellationToken cancellationToken)
    {
        try
        {
            var data = await _store.ReadAsync(key, cancellationToken).ConfigureAwait(false);
            return data is { Length: > 0 };
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception error)
        {
            Log.TokenCacheStoreFailed(_logger, "read", key, error.GetType().Name);
            return null;
        }
    }

    private async Task<MailTokenCacheLease> TryAcquireAsync(string key, CancellationToken cancellationToken)
    {
        try
        {
            return await _store.TryAcquireLeaseAsync(key, cancellationToken).ConfigureAwait(false) ?? MailTokenCacheLease.NotCoordinated;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception error)
        {
            Log.TokenCacheStoreFailed(_logger, "lease", key, error.GetType().Name);
            return MailTokenCacheLease.NotCoordinated;
        }
    }

    private void Release(string key, MailTokenCacheLease lease)
    {
        Task release;
        try
        {
            release = lease.ReleaseAsync(CancellationToken.None);
        }
        catch (Exception error)
        {
            Log.TokenCacheStoreFailed(_logger, "release the lease of", key, error.GetType().Name);
            return;
        }

        if (!release.IsCompleted || release.IsFaulted)
        {
            _ = release.ContinueWith(
                static (task, state) =>
                {
                    var (logger, key) = ((ILogger, string))state!;
                    if (task.Exception is { } error)
                    {
                        Log.TokenCacheStoreFailed(logger, "release the lease of", key, error.InnerException?.GetType().Name ?? error.GetType().Name);
                    }
                },
                (_logger, key),
                CancellationToken.None,
                TaskContinuationOptions.ExecuteSynchronously,
                TaskScheduler.Default);
        }
    }

    private Task DelayAsync(TimeSpan delay, CancellationToken cancellationToken) => Task.Delay(delay, _time, cancellationToken);
}
