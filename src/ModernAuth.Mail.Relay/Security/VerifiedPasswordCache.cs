using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace ModernAuth.Mail.Relay.Internal;

/// <summary>
/// Remembers (account, password) pairs already verified against their PBKDF2 hash, so the expensive check runs once
/// per pair and not on every connection. The key is an HMAC-SHA256 under a random per-process key of the user name,
/// the stored hash and the password: the plain password is never kept, and a changed hash in the configuration
/// never matches an old entry. Failures are not remembered (a wrong password costs a full check every time), and an
/// unknown user name costs a full check against a decoy hash of the same strength, so timing does not tell which
/// accounts exist. At most <see cref="MaxConcurrentChecks"/> full checks run at once, so guessing cannot take every
/// core; waiting checks are served by priority (<see cref="CheckPriority"/>): an address that logged in successfully
/// before goes first, then an address with no recent failure and no other check under way, then the rest, so a
/// genuine login is not stuck behind a queue of an attacker's checks.
/// </summary>
internal sealed class VerifiedPasswordCache
{
    internal const int MaxConcurrentChecks = 2;
    private const int MaxEntries = 10_000;

    private readonly byte[] _key = RandomNumberGenerator.GetBytes(32);
    private readonly ConcurrentDictionary<string, byte> _verified = new(StringComparer.Ordinal);
    private readonly PriorityGate _gate = new(MaxConcurrentChecks);
    private readonly Dictionary<string, int> _underWay = new(StringComparer.Ordinal);
    private readonly string _decoyHash;
    private int _fullChecks;

    /// <param name="decoyIterations">The PBKDF2 iterations an unknown user name's check costs (the accounts' strongest).</param>
    public VerifiedPasswordCache(int decoyIterations = RelayPasswordHasher.DefaultIterations)
    {
        // A decoy shaped like a real hash; no password matches it (its "hash" is random bytes), and making it costs nothing.
        _decoyHash = string.Join('$', "PBKDF2-SHA256", decoyIterations.ToString(CultureInfo.InvariantCulture), Convert.ToBase64String(RandomNumberGenerator.GetBytes(16)), Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)));
    }

    public int FullChecks => Volatile.Read(ref _fullChecks);

    /// <summary>Forgets every verified pair (the next login of each pair is a cold one).</summary>
    public void Clear() => _verified.Clear();

    /// <param name="userName">The user name given.</param>
    /// <param name="password">The password given.</param>
    /// <param name="passwordHash">The account's hash, or null for an unknown user name (checked against the decoy).</param>
    /// <param name="client">The client's address key: one check per address at a time goes first.</param>
    /// <param name="priority">How the client's check queues: <see cref="CheckPriority.Trusted"/> first, <see cref="CheckPriority.Suspect"/> last.</param>
    /// <param name="cancellationToken">Cancels waiting.</param>
    public async ValueTask<bool> VerifyAsync(string userName, string password, string? passwordHash, string client, CheckPriority priority, CancellationToken cancellationToken)
    {
        var key = passwordHash is null ? null : Key(userName, password, passwordHash);
        if (key is not null && _verified.ContainsKey(key))
        {
            return true;
        }

        bool another;
        lock (_underWay)
        {
            _underWay.TryGetValue(client, out var count);
            another = count > 0;
            _underWay[client] = count + 1;
        }

        try
        {
            // A second check of the same address at once waits behind everyone: one address, one check at a time first.
            await _gate.EnterAsync(another ? CheckPriority.Suspect : priority, cancellationToken).ConfigureAwait(false);
            try
            {
                if (key is not null && _verified.ContainsKey(key))
                {
                    return true;
                }

                Interlocked.Increment(ref _fullChecks);

                // On a thread of its own: two checks of a few hundred milliseconds each would otherwise hold the thread
                // pool's threads (two on a 2-core machine) and stall every session's I/O, the genuine login's included.
                var hash = passwordHash ?? _decoyHash;
                var ok = await Task.Factory.StartNew(
                    () =>
                    {
                        try
                        {
                            return RelayPasswordHasher.VerifyPassword(password, hash);
                        }
                        catch (FormatException)
                        {
                            return false;
                        }
                    },
                    CancellationToken.None,
                    TaskCreationOptions.LongRunning,
                    TaskScheduler.Default).ConfigureAwait(false) && passwordHash is not null;

                if (ok)
                {
                    if (_verified.Count >= MaxEntries)
                    {
                        _verified.Clear();
                    }

                    _verified[key!] = 0;
                }

                return ok;
            }
            finally
            {
                _gate.Exit();
            }
        }
        finally
        {
            lock (_underWay)
            {
                if (--_underWay[client] == 0)
                {
                    _underWay.Remove(client);
                }
            }
        }
    }

    private string Key(string userName, string password, string passwordHash)
    {
        var input = Encoding.UTF8.GetBytes(userName + "\0" + passwordHash + "\0" + password);
        try
        {
            return Convert.ToBase64String(HMACSHA256.HashData(_key, input));
        }
        finally
        {
            CryptographicOperations.ZeroMemory(input);
        }
    }

    /// <summary>
    /// A semaphore whose waiters are served by <see cref="CheckPriority"/>. Trusted and suspect checks go in arrival
    /// order; clean ones newest first: a flood from many fresh addresses queues its first checks all at once, and a
    /// genuine device that comes after them (its first login since the start, nothing marks it trusted yet) is served
    /// next instead of behind the whole wave.
    /// </summary>
    private sealed class PriorityGate
    {
        private readonly LinkedList<TaskCompletionSource>[] _waiting = [new(), new(), new()];
        private int _free;

        public PriorityGate(int slots) => _free = slots;

        public async Task EnterAsync(CheckPriority priority, CancellationToken cancellationToken)
        {
            TaskCompletionSource waiter;
            lock (_waiting)
            {
                if (_free > 0)
                {
                    _free--;
                    return;
                }

                waiter = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                if (priority == CheckPriority.Clean)
                {
                    _waiting[(int)priority].AddFirst(waiter);
                }
                else
                {
                    _waiting[(int)priority].AddLast(waiter);
                }
            }

            using (cancellationToken.Register(() => waiter.TrySetCanceled(cancellationToken)))
            {
                await waiter.Task.ConfigureAwait(false);
            }
        }

        public void Exit()
        {
            lock (_waiting)
            {
                foreach (var queue in _waiting)
                {
                    while (queue.First is { } next)
                    {
                        // A waiter cancelled meanwhile refuses the slot; the next one gets it.
                        queue.RemoveFirst();
                        if (next.Value.TrySetResult())
                        {
                            return;
                        }
                    }
                }

                _free++;
            }
        }
    }
}
