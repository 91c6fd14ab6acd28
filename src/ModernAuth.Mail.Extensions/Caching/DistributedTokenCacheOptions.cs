namespace ModernAuth.Mail.Extensions;

/// <summary>
/// The distributed token cache (<see cref="ModernAuthMailBuilder.AddDistributedTokenCache"/>): the
/// <c>ModernAuthMail:TokenCache</c> section. Entries are MSAL's token cache, one per application and tenant,
/// encrypted with AES-256-CBC and authenticated with HMAC-SHA256 (encrypt-then-MAC) under a key derived from
/// <see cref="EncryptionKey"/>.
/// </summary>
public class DistributedTokenCacheOptions
{
    /// <summary>
    /// Put before every cache key (after the cache's own prefix, such as Redis' <c>InstanceName</c>). Use a different
    /// prefix per environment when several share one cache. Default <c>modernauth-mail:token-cache:</c>.
    /// </summary>
    public string KeyPrefix { get; set; } = "modernauth-mail:token-cache:";

    /// <summary>
    /// The key that encrypts entries at rest: at least 32 random bytes, base64 (for example the output of
    /// <c>openssl rand -base64 32</c>). Every instance that shares the cache needs the same key. Required. Keep it in a
    /// secret store or an environment variable (<c>ModernAuthMail__TokenCache__EncryptionKey</c>), never next to the
    /// cache. Never logged.
    /// </summary>
    public string? EncryptionKey { get; set; }

    /// <summary>
    /// Earlier keys, still accepted for reading while instances move to a new <see cref="EncryptionKey"/>; entries are
    /// written with the new key only. Default: empty.
    /// </summary>
    public IList<string> PreviousEncryptionKeys { get; } = new List<string>();

    /// <summary>
    /// How long an entry without a natural expiry (a device code sign-in with its refresh token) stays after its last
    /// use. App-only entries expire with their last access token. Default 90 days, the lifetime of a refresh token
    /// that keeps being used.
    /// </summary>
    public TimeSpan SlidingExpiration { get; set; } = TimeSpan.FromDays(90);

    /// <summary>
    /// How long one read or write of the cache may take before it counts as the cache being down. Default 2 seconds.
    /// </summary>
    public TimeSpan OperationTimeout { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// While the cache is down, tokens come from memory and the cache is tried again after this long (so a dead cache
    /// does not slow every token request). Default 30 seconds.
    /// </summary>
    public TimeSpan RetryInterval { get; set; } = TimeSpan.FromSeconds(30);
}
