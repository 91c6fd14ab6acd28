using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using ModernAuth.Mail.Internal;

namespace ModernAuth.Mail.Caching;

/// <summary>
/// The one gate between callers and MSAL. A token still valid beyond the refresh margin is returned at once
/// (no allocation, no MSAL call); concurrent misses for the same key share one acquisition; a token inside the
/// margin is refreshed once in the background while callers keep getting the still-valid one; a forced refresh
/// bypasses the cache (concurrent forced refreshes share one acquisition).
/// </summary>
internal sealed class TokenCacheGate
{
    // Tokens this close to expiry are never handed out, even while a refresh is in flight: a server may
    // reject them before the caller has even authenticated.
    private static readonly TimeSpan MinimumRemainingLifetime = TimeSpan.FromSeconds(30);

    private readonly ConcurrentDictionary<TokenCacheKey, Entry> _entries = new();
    private readonly TokenCacheSource _source;
    private readonly TimeProvider _time;
    private readonly TimeSpan _refreshMargin;
    private readonly ILogger _logger;

    /// <param name="source">Where tokens come from on a miss; it also decides which requests share a token.</param>
    /// <param name="time">The clock.</param>
    /// <param name="refreshMargin">How long before expiry a token is refreshed in the background.</param>
    /// <param name="logger">Where background refresh failures are logged.</param>
    public TokenCacheGate(TokenCacheSource source, TimeProvider time, TimeSpan refreshMargin, ILogger logger)
    {
        _source = source;
        _time = time;
        _refreshMargin = refreshMargin;
        _logger = logger;
    }

    /// <summary>
    /// The token for <paramref name="request"/>: from the cache when it is still good, else from the source (one
    /// acquisition shared by every concurrent caller with the same key). An app-only token, shared by every mailbox,
    /// names the request's mailbox as its account.
    /// </summary>
    public ValueTask<MailAccessToken> GetTokenAsync(MailTokenRequest request, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var entry = _entries.GetOrAdd(_source.KeyFor(request), static _ => new Entry());

        // The hit path: kept small and the same for every flow (app-only and delegated build their answer the same
        // way), so its cost does not depend on the flow; everything else is in GetTokenSlow.
        var cached = entry.Current;
        if (cached is not null && !request.ForceRefresh && _time.GetUtcNow() < cached.RefreshAt)
        {
            return new ValueTask<MailAccessToken>(ForRequest(cached.Token, request));
        }

        return GetTokenSlow(entry, request, cancellationToken);
    }

    // Reads the entry and the clock again rather than being handed them by the hit path: a variant that passed them on
    // (entry, cached token and time as arguments) measured 58 ns against 42 ns per hit in alternating processes, and
    // this path runs about once per refresh margin.
    private ValueTask<MailAccessToken> GetTokenSlow(Entry entry, MailTokenRequest request, CancellationToken cancellationToken)
    {
        var cached = entry.Current;
        if (cached is not null && !request.ForceRefresh)
        {
            var now = _time.GetUtcNow();
            if (now < cached.RefreshAt)
            {
                return new ValueTask<MailAccessToken>(ForRequest(cached.Token, request));
            }

            if (now < cached.UsableUntil)
            {
                StartBackgroundRefresh(entry, request);
                return new ValueTask<MailAccessToken>(ForRequest(cached.Token, request));
            }
        }

        return WaitAsync(AcquireSharedAsync(entry, request, cancellationToken), request);
    }

    // An app-only token, shared by every mailbox, names the request's mailbox as its account; a delegated one keeps
    // the signed-in account. Built the same way for both (not `token` for one and WithAccount for the other): returning
    // the cached struct as it was made the JIT copy it through the stack, and a delegated hit cost 1.4-1.7x an app-only
    // one (docs/benchmarks.md, "Interactive browser").
    private MailAccessToken ForRequest(in MailAccessToken token, in MailTokenRequest request) =>
        new(token.Token, token.ExpiresOn, _source.IsAppOnly ? request.Mailbox : token.Account);

    private async ValueTask<MailAccessToken> WaitAsync(Task<MailAccessToken> pending, MailTokenRequest request) =>
        ForRequest(await pending.ConfigureAwait(false), request);

    /// <summary>Forgets every cached token (used when the caller knows they were all revoked).</summary>
    public void Clear() => _entries.Clear();

    private async Task<MailAccessToken> AcquireSharedAsync(Entry entry, MailTokenRequest request, CancellationToken cancellationToken)
    {
        Acquisition acquisition;
        lock (entry)
        {
            var cached = entry.Current;
            if (!request.ForceRefresh && cached is not null && _time.GetUtcNow() < cached.RefreshAt)
            {
                return cached.Token;
            }

            acquisition = JoinOrStart(entry, request, forced: request.ForceRefresh || cached is not null);
            acquisition.AddWaiter();
        }

        var waiter = new Waiter(acquisition);
        using (cancellationToken.Register(static state => ((Waiter)state!).Leave(), waiter))
        {
            try
            {
                return await acquisition.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                // The wait's own cancellation callback may resume this method inline and dispose the registration
                // above before its callback ran: leave here too (once), or the acquisition would never learn that its
                // last caller gave up and would hold its token request (and any cache lease) until it times out.
                waiter.Leave();
                throw;
            }
            catch (OperationCanceledException) when (acquisition.Cancellation.IsCancellationRequested)
            {
                // Every earlier waiter gave up and the shared acquisition stopped, but this caller still wants a
                // token: start again rather than report a cancellation it did not ask for.
                return await AcquireSharedAsync(entry, request, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    // Caller holds the entry lock.
    private Acquisition JoinOrStart(Entry entry, MailTokenRequest request, bool forced)
    {
        var running = entry.InFlight;
        if (running is not null && !running.Task.IsCompleted && !running.Cancellation.IsCancellationRequested && (running.Forced || !forced))
        {
            return running;
        }

        var acquisition = new Acquisition(forced);
        entry.InFlight = acquisition;
        // On the thread pool, never on the caller's synchronization context: leaves the caller's stack (and the entry
        // lock) before MSAL runs, and a UI or classic ASP.NET thread that blocks on the call (sync over async) is not
        // needed to finish it.
        acquisition.Task = Task.Run(() => RunAsync(entry, request, acquisition));
        return acquisition;
    }

    private async Task<MailAccessToken> RunAsync(Entry entry, MailTokenRequest request, Acquisition acquisition)
    {
        try
        {
            var token = await _source.AcquireAsync(request, acquisition.Forced, acquisition.Cancellation.Token).ConfigureAwait(false);
            var now = _time.GetUtcNow();
            var usableUntil = token.ExpiresOn - MinimumRemainingLifetime;
            var refreshAt = token.ExpiresOn - _refreshMargin;
            if (refreshAt > usableUntil)
            {
                refreshAt = usableUntil;
            }

            if (refreshAt <= now && usableUntil > now)
            {
                // A token born inside the margin (a lifetime shorter than the margin, or a skewed clock) would
                // otherwise start a refresh on every call: refresh it halfway through what is left instead.
                refreshAt = now + TimeSpan.FromTicks((usableUntil - now).Ticks / 2);
            }

            entry.Current = new CachedToken(token, refreshAt, usableUntil);
            return token;
        }
        finally
        {
            lock (entry)
            {
                if (ReferenceEquals(entry.InFlight, acquisition))
                {
                    entry.InFlight = null;
                }
            }

            acquisition.Cancellation.Dispose();
        }
    }

    private void StartBackgroundRefresh(Entry entry, MailTokenRequest request)
    {
        lock (entry)
        {
            var running = entry.InFlight;
            if (running is not null && !running.Task.IsCompleted)
            {
                return;
            }

            var acquisition = JoinOrStart(entry, request, forced: true);

            // The background refresh is a waiter that never gives up, so it is never cancelled.
            acquisition.AddWaiter();
            _ = acquisition.Task.ContinueWith(
                static (task, state) =>
                {
                    var (logger, fingerprint) = ((ILogger, string))state!;
                    if (task.Exception is { } error)
                    {
                        Log.BackgroundRefreshFailed(logger, fingerprint, error.InnerException is MailAuthenticationException mae ? mae.ErrorCode : MailErrorCodes.Unknown);
                    }
                },
                (_logger, entry.Current?.Token.Fingerprint ?? "none"),
                CancellationToken.None,
                TaskContinuationOptions.ExecuteSynchronously,
                TaskScheduler.Default);
        }
    }

    private sealed class Entry
    {
        private volatile CachedToken? _current;

        public CachedToken? Current
        {
            get => _current;
            set => _current = value;
        }

        public Acquisition? InFlight { get; set; }
    }

    private sealed class CachedToken
    {
        public CachedToken(MailAccessToken token, DateTimeOffset refreshAt, DateTimeOffset usableUntil)
        {
            Token = token;
            RefreshAt = refreshAt;
            UsableUntil = usableUntil;
        }

        public MailAccessToken Token { get; }

        public DateTimeOffset RefreshAt { get; }

        public DateTimeOffset UsableUntil { get; }
    }

    /// <summary>One caller's place among an acquisition's waiters, given up at most once.</summary>
    private sealed class Waiter
    {
        private readonly Acquisition _acquisition;
        private int _left;

        public Waiter(Acquisition acquisition) => _acquisition = acquisition;

        public void Leave()
        {
            if (Interlocked.Exchange(ref _left, 1) == 0)
            {
                _acquisition.RemoveWaiter();
            }
        }
    }

    private sealed class Acquisition
    {
        private int _waiters;

        public Acquisition(bool forced) => Forced = forced;

        public bool Forced { get; }

        public CancellationTokenSource Cancellation { get; } = new();

        public Task<MailAccessToken> Task { get; set; } = null!;

        public void AddWaiter() => Interlocked.Increment(ref _waiters);

        public void RemoveWaiter()
        {
            if (Interlocked.Decrement(ref _waiters) == 0)
            {
                try
                {
                    Cancellation.Cancel();
                }
                catch (ObjectDisposedException)
                {
                    // The acquisition already finished.
                }
            }
        }
    }
}
