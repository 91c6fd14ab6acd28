namespace ModernAuth.Mail.Relay.Internal;

/// <summary>
/// Failed logins per client address and per account name (<see cref="RelayLoginThrottlingOptions"/>): the delay before
/// a failure is answered, and lockouts. Unknown account names are counted exactly like known ones, so the lockout says
/// nothing about which accounts exist. An account's lockout applies to addresses that failed recently themselves, and
/// never to those that logged in as it successfully within the last day: an attacker elsewhere cannot lock the genuine
/// device out, and each further address the attacker uses gets at most one guess at a locked account per window.
/// </summary>
internal sealed class LoginThrottle
{
    private const int MaxTracked = 50_000;
    private const int MaxAccountKeyLength = 256;
    private static readonly TimeSpan TrustedFor = TimeSpan.FromDays(1);

    private readonly RelayLoginThrottlingOptions _options;
    private readonly TimeProvider _timeProvider;
    private readonly Dictionary<string, Record> _addresses = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Record> _accounts = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<(string Account, string Address), DateTimeOffset> _trusted = new();
    private readonly Dictionary<string, DateTimeOffset> _trustedAddresses = new(StringComparer.Ordinal);

    public LoginThrottle(RelayLoginThrottlingOptions options, TimeProvider timeProvider)
    {
        _options = options;
        _timeProvider = timeProvider;
    }

    /// <summary>Whether logins from this address as this account are refused now without a password check.</summary>
    public bool IsLockedOut(string address, string account)
    {
        account = Key(account);
        var now = _timeProvider.GetUtcNow();
        lock (_addresses)
        {
            if (_addresses.TryGetValue(address, out var byAddress) && byAddress.LockedUntil > now)
            {
                return true;
            }

            // A locked account stays open to addresses with a clean record (no failure in the window) and to those that
            // logged in as it before: otherwise whoever guesses at it from elsewhere locks the genuine device out.
            return _accounts.TryGetValue(account, out var byAccount) && byAccount.LockedUntil > now
                && byAddress is not null && byAddress.Failures(now, _options.FailureWindow) > 0
                && !(_trusted.TryGetValue((account, address), out var until) && until > now);
        }
    }

    /// <summary>Whether the address failed recently (its password checks wait behind everyone else's).</summary>
    public bool IsSuspect(string address)
    {
        var now = _timeProvider.GetUtcNow();
        lock (_addresses)
        {
            return _addresses.TryGetValue(address, out var record) && record.Failures(now, _options.FailureWindow) > 0;
        }
    }

    /// <summary>Whether a login from this address succeeded within the last day (its checks go first of all).</summary>
    public bool IsTrusted(string address)
    {
        var now = _timeProvider.GetUtcNow();
        lock (_addresses)
        {
            return _trustedAddresses.TryGetValue(address, out var until) && until > now;
        }
    }

    /// <summary>Records a failed login; returns how long to wait before answering it.</summary>
    public TimeSpan RecordFailure(string address, string account)
    {
        account = Key(account);
        var now = _timeProvider.GetUtcNow();
        lock (_addresses)
        {
            var failures = Add(_addresses, address, now);
            Add(_accounts, account, now);
            var exponent = Math.Min(failures - 1, 20);
            var delay = TimeSpan.FromTicks((long)Math.Min(_options.FailureDelay.Ticks * Math.Pow(2, exponent), _options.MaxFailureDelay.Ticks));
            return delay;
        }
    }

    public void RecordSuccess(string address, string account)
    {
        account = Key(account);
        var now = _timeProvider.GetUtcNow();
        lock (_addresses)
        {
            _addresses.Remove(address);
            Trust(_trusted, (account, address), now);
            Trust(_trustedAddresses, address, now);
        }
    }

    // Caller holds the lock. A full map first forgets what has expired; still full, it trusts no one new.
    private static void Trust<TKey>(Dictionary<TKey, DateTimeOffset> trusted, TKey key, DateTimeOffset now)
        where TKey : notnull
    {
        if (trusted.Count >= MaxTracked)
        {
            foreach (var expired in trusted.Where(t => t.Value <= now).Select(t => t.Key).ToList())
            {
                trusted.Remove(expired);
            }
        }

        if (trusted.Count < MaxTracked)
        {
            trusted[key] = now + TrustedFor;
        }
    }

    /// <summary>An account name as tracked: cut, so a flood of huge made-up names cannot fill the memory.</summary>
    private static string Key(string account) => account.Length <= MaxAccountKeyLength ? account : account[..MaxAccountKeyLength];

    private int Add(Dictionary<string, Record> records, string key, DateTimeOffset now)
    {
        if (!records.TryGetValue(key, out var record))
        {
            if (records.Count >= MaxTracked)
            {
                foreach (var stale in records.Where(r => r.Value.LockedUntil <= now && r.Value.Failures(now, _options.FailureWindow) == 0).Select(r => r.Key).ToList())
                {
                    records.Remove(stale);
                }
            }

            record = new Record();
            records[key] = record;
        }

        record.Times.Enqueue(now);
        var failures = record.Failures(now, _options.FailureWindow);
        if (_options.MaxFailures > 0 && failures >= _options.MaxFailures)
        {
            record.LockedUntil = now + _options.LockoutDuration;
            record.Times.Clear();
        }

        return failures;
    }

    private sealed class Record
    {
        public Queue<DateTimeOffset> Times { get; } = new();

        public DateTimeOffset LockedUntil { get; set; }

        public int Failures(DateTimeOffset now, TimeSpan window)
        {
            while (Times.Count > 0 && now - Times.Peek() >= window)
            {
                Times.Dequeue();
            }

            return Times.Count;
        }
    }
}
