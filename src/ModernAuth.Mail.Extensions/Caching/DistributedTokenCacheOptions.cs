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

    /// <summary>
    /// Whether instances that find the cache empty at the same moment (a cold start of the whole fleet) elect one of
    /// them to ask Entra ID while the others wait for its token, through a lease entry <c>{KeyPrefix}lease:{key}</c>.
    /// Default <see langword="true"/>. With <see langword="false"/>, each such instance asks Entra ID itself.
    /// </summary>
    /// <remarks>
    /// <see cref="Microsoft.Extensions.Caching.Distributed.IDistributedCache"/> has no atomic "set if absent", so the
    /// lease is taken by write-then-verify: an instance that finds no lease writes its own random nonce, waits
    /// <see cref="LeaseSettleDelay"/>, and reads the lease back; the instance whose nonce is there holds it. That is
    /// best effort: two instances whose writes are further apart than the settle delay, yet both made before either saw
    /// the other's, can both win (last writer wins only within the settle window), and then both ask Entra ID, as without
    /// a lease. With Redis, whose writes land in well under a millisecond, it gives one request in practice.
    /// </remarks>
    public bool LeaseEnabled { get; set; } = true;

    /// <summary>
    /// How long a lease lasts unless its holder releases it first (it does so as soon as its token is stored or its
    /// request failed). It bounds how long the other instances wait for a holder that died. At least one second, as
    /// caches such as Redis keep expiries in whole seconds. Default 10 seconds.
    /// </summary>
    public TimeSpan LeaseDuration { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// How long an instance waits after writing its lease before reading it back to see whether another instance's write
    /// replaced it. Longer is safer against slow cache round trips, but delays the first token of a cold start by as
    /// much. Default 50 milliseconds.
    /// </summary>
    public TimeSpan LeaseSettleDelay { get; set; } = TimeSpan.FromMilliseconds(50);

    /// <summary>
    /// How long an instance waits at most for another instance's token before asking Entra ID itself, even if the lease
    /// is still held (a live but slow holder). Default 30 seconds.
    /// </summary>
    public TimeSpan LeaseMaxWait { get; set; } = TimeSpan.FromSeconds(30);
}
