using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace ModernAuth.Mail.Relay;

/// <summary>
/// Salted hashes of relay account passwords: PBKDF2 with HMAC-SHA256, a random 16-byte salt per password, written as
/// <c>PBKDF2-SHA256$&lt;iterations&gt;$&lt;salt, base64&gt;$&lt;hash, base64&gt;</c> for
/// <see cref="RelayAccountOptions.PasswordHash"/>. The relay checks a password against its hash once and then
/// remembers the verified pair in memory, so a device that opens one connection per message stays fast.
/// </summary>
public static class RelayPasswordHasher
{
    /// <summary>The iterations <see cref="HashPassword"/> uses by default: 600,000 (OWASP's figure for PBKDF2-HMAC-SHA256).</summary>
    public const int DefaultIterations = 600_000;

    /// <summary>The fewest iterations the relay accepts in a configured hash: 100,000.</summary>
    public const int MinimumIterations = 100_000;

    private const string Prefix = "PBKDF2-SHA256";
    private const int SaltSize = 16;
    private const int HashSize = 32;

    /// <summary>Hashes a password with a new random salt.</summary>
    /// <param name="password">The relay account's password.</param>
    /// <param name="iterations">PBKDF2 iterations; default <see cref="DefaultIterations"/>. At least <see cref="MinimumIterations"/>.</param>
    /// <returns>The hash string for <see cref="RelayAccountOptions.PasswordHash"/>.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="password"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="password"/> is empty.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="iterations"/> is below <see cref="MinimumIterations"/>.</exception>
    public static string HashPassword(string password, int iterations = DefaultIterations)
    {
        ArgumentNullException.ThrowIfNull(password);
        if (password.Length == 0)
        {
            throw new ArgumentException("A relay password must not be empty.", nameof(password));
        }

        if (iterations < MinimumIterations)
        {
            throw new ArgumentOutOfRangeException(nameof(iterations), iterations, "Use at least 100,000 iterations.");
        }

        var salt = RandomNumberGenerator.GetBytes(SaltSize);
        var hash = Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(password), salt, iterations, HashAlgorithmName.SHA256, HashSize);
        return string.Join('$', Prefix, iterations.ToString(CultureInfo.InvariantCulture), Convert.ToBase64String(salt), Convert.ToBase64String(hash));
    }

    /// <summary>Checks a password against a hash from <see cref="HashPassword"/>, in constant time for a given hash.</summary>
    /// <param name="password">The password to check.</param>
    /// <param name="passwordHash">The stored hash.</param>
    /// <returns><see langword="true"/> when the password matches.</returns>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    /// <exception cref="FormatException"><paramref name="passwordHash"/> is not a hash from <see cref="HashPassword"/>.</exception>
    public static bool VerifyPassword(string password, string passwordHash)
    {
        ArgumentNullException.ThrowIfNull(password);
        ArgumentNullException.ThrowIfNull(passwordHash);
        var (iterations, salt, expected) = Parse(passwordHash);
        var actual = Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(password), salt, iterations, HashAlgorithmName.SHA256, expected.Length);
        return CryptographicOperations.FixedTimeEquals(actual, expected);
    }

    /// <summary>Whether a string is a well-formed hash from <see cref="HashPassword"/>.</summary>
    /// <param name="passwordHash">The string to check.</param>
    /// <returns><see langword="true"/> when it can be verified against.</returns>
    public static bool IsValidHash(string? passwordHash)
    {
        if (string.IsNullOrEmpty(passwordHash))
        {
            return false;
        }

        try
        {
            Parse(passwordHash);
            return true;
        }
        catch (FormatException)
        {
            return false;
        }
    }

    /// <summary>The PBKDF2 iterations of a hash from <see cref="HashPassword"/>.</summary>
    /// <param name="passwordHash">The hash.</param>
    /// <returns>Its iteration count.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="passwordHash"/> is <see langword="null"/>.</exception>
    /// <exception cref="FormatException"><paramref name="passwordHash"/> is not a hash from <see cref="HashPassword"/>.</exception>
    public static int GetIterations(string passwordHash)
    {
        ArgumentNullException.ThrowIfNull(passwordHash);
        return Parse(passwordHash).Iterations;
    }

    private static (int Iterations, byte[] Salt, byte[] Hash) Parse(string passwordHash)
    {
        var parts = passwordHash.Split('$');
        if (parts.Length != 4 || parts[0] != Prefix
            || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var iterations) || iterations < 1)
        {
            throw new FormatException("Not a relay password hash: expected PBKDF2-SHA256$<iterations>$<salt>$<hash> from `modernauth-mail relay hash-password`.");
        }

        var salt = Convert.FromBase64String(parts[2]);
        var hash = Convert.FromBase64String(parts[3]);
        if (salt.Length < 8 || hash.Length < 16)
        {
            throw new FormatException("The relay password hash has a salt or hash that is too short.");
        }

        return (iterations, salt, hash);
    }
}
