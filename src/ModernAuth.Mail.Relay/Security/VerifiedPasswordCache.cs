using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;

namespace ModernAuth.Mail.Relay.Internal;

/// <summary>
/// Remembers (account, password) pairs already verified against their PBKDF2 hash, so the expensive check runs once
/// per pair and not on every connection. The key is an HMAC-SHA256 under a random per-process key of the user name,
/// the stored hash and the password: the plain password is never kept, and a changed hash in the configuration
/// never matches an old entry. Failures are not remembered (a wrong password costs a full check every time), and at
/// most <see cref="MaxConcurrentChecks"/> full checks run at once, so password guessing cannot take every core.
/// </summary>
internal sealed class VerifiedPasswordCache : IDisposable
{
    internal const int MaxConcurrentChecks = 2;
    private const int MaxEntries = 10_000;

    private readonly byte[] _key = RandomNumberGenerator.GetBytes(32);
    private readonly ConcurrentDictionary<string, byte> _verified = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _checks = new(MaxConcurrentChecks, MaxConcurrentChecks);

    public int FullChecks => Volatile.Read(ref _fullChecks);

    private int _fullChecks;

    public async ValueTask<bool> VerifyAsync(string userName, string password, string passwordHash, CancellationToken cancellationToken)
    {
        var key = Key(userName, password, passwordHash);
        if (_verified.ContainsKey(key))
        {
            return true;
        }

        await _checks.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_verified.ContainsKey(key))
            {
                return true;
            }

            Interlocked.Increment(ref _fullChecks);
            bool ok;
            try
            {
                ok = RelayPasswordHasher.VerifyPassword(password, passwordHash);
            }
            catch (FormatException)
            {
                ok = false;
            }

            if (ok)
            {
                if (_verified.Count >= MaxEntries)
                {
                    _verified.Clear();
                }

                _verified[key] = 0;
            }

            return ok;
        }
        finally
        {
            _checks.Release();
        }
    }

    public void Dispose() => _checks.Dispose();

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
}
