using System.Collections.Concurrent;
using ModernAuth.Mail.Caching;

namespace ModernAuth.Mail.Tests.Support;

/// <summary>
/// An in-memory <see cref="MailTokenCacheStore"/> with atomic leases that expire on a clock (a fake one in tests), as a
/// store shared by several providers would have. Every operation completes synchronously, so a test that advances a
/// <c>FakeTimeProvider</c> sees its effects at once. Counts reads and lease attempts.
/// </summary>
public sealed class LeasingMemoryStore : MailTokenCacheStore
{
    private readonly object _lock = new();
    private readonly Dictionary<string, (string Owner, DateTimeOffset Until)> _leases = new(StringComparer.Ordinal);
    private readonly TimeProvider _time;
    private int _reads;
    private int _leaseAttempts;
    private int _leasesGranted;
    private int _releases;

    public LeasingMemoryStore(TimeProvider time) => _time = time;

    public ConcurrentDictionary<string, byte[]> Entries { get; } = new(StringComparer.Ordinal);

    /// <summary>How long a lease lasts unless released. Default 10 seconds.</summary>
    public TimeSpan LeaseDuration { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>What a caller told "held elsewhere" waits at most. Default 30 seconds.</summary>
    public TimeSpan MaxWait { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Throws from <see cref="ReadAsync"/>.</summary>
    public bool FailReads { get; set; }

    /// <summary>Throws from <see cref="TryAcquireLeaseAsync"/>.</summary>
    public bool FailLeases { get; set; }

    /// <summary>Throws from the release of granted leases.</summary>
    public bool FailReleases { get; set; }

    public int Reads => Volatile.Read(ref _reads);

    public int LeaseAttempts => Volatile.Read(ref _leaseAttempts);

    public int LeasesGranted => Volatile.Read(ref _leasesGranted);

    public int Releases => Volatile.Read(ref _releases);

    /// <summary>Read timestamps (the store's clock), to check the poll back-off.</summary>
    public ConcurrentQueue<DateTimeOffset> ReadTimes { get; } = new();

    public bool IsLeased(string key)
    {
        lock (_lock)
        {
            return _leases.TryGetValue(key, out var lease) && lease.Until > _time.GetUtcNow();
        }
    }

    /// <summary>Makes another (imaginary) instance hold the lease on <paramref name="key"/> for <paramref name="duration"/>.</summary>
    public void HoldElsewhere(string key, TimeSpan duration)
    {
        lock (_lock)
        {
            _leases[key] = ("elsewhere", _time.GetUtcNow() + duration);
        }
    }

    public override Task<byte[]?> ReadAsync(string key, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        Interlocked.Increment(ref _reads);
        ReadTimes.Enqueue(_time.GetUtcNow());
        if (FailReads)
        {
            throw new IOException("store down");
        }

        return Task.FromResult(Entries.TryGetValue(key, out var data) ? data : null);
    }

    public override Task WriteAsync(string key, byte[] data, DateTimeOffset? expiresOn, CancellationToken cancellationToken = default)
    {
        Entries[key] = data;
        return Task.CompletedTask;
    }

    public override ValueTask<MailTokenCacheLease> TryAcquireLeaseAsync(string key, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        Interlocked.Increment(ref _leaseAttempts);
        if (FailLeases)
        {
            throw new IOException("store down");
        }

        lock (_lock)
        {
            var now = _time.GetUtcNow();
            if (_leases.TryGetValue(key, out var held) && held.Until > now)
            {
                return new ValueTask<MailTokenCacheLease>(MailTokenCacheLease.HeldElsewhere(MaxWait));
            }

            var owner = Guid.NewGuid().ToString("N");
            _leases[key] = (owner, now + LeaseDuration);
            Interlocked.Increment(ref _leasesGranted);
            return new ValueTask<MailTokenCacheLease>(new Lease(this, key, owner));
        }
    }

    private void Release(string key, string owner)
    {
        Interlocked.Increment(ref _releases);
        if (FailReleases)
        {
            throw new IOException("store down");
        }

        lock (_lock)
        {
            if (_leases.TryGetValue(key, out var held) && held.Owner == owner)
            {
                _leases.Remove(key);
            }
        }
    }

    private sealed class Lease : MailTokenCacheLease
    {
        private readonly LeasingMemoryStore _store;
        private readonly string _key;
        private readonly string _owner;

        public Lease(LeasingMemoryStore store, string key, string owner)
        {
            _store = store;
            _key = key;
            _owner = owner;
        }

        public override Task ReleaseAsync(CancellationToken cancellationToken = default)
        {
            _store.Release(_key, _owner);
            return Task.CompletedTask;
        }
    }
}
