namespace ModernAuth.Mail.Caching;

/// <summary>
/// Where the built-in flows keep MSAL's token cache beyond one process: set it as
/// <see cref="MailTokenProviderOptions.TokenCacheStore"/> and every instance of the application shares tokens
/// (and, for delegated flows, the signed-in account and its refresh token). <c>ModernAuth.Mail.Extensions</c>
/// ships one backed by <c>IDistributedCache</c> (for example Redis), encrypted at rest.
/// </summary>
/// <remarks>
/// <para>
/// The flows read the entry before MSAL looks at its cache and write it after MSAL changed it. The data is MSAL's
/// serialized cache (JSON with access and refresh tokens): it is a secret, so a store must protect it at rest.
/// </para>
/// <para>
/// Keys partition the cache per application and tenant: <c>{clientId}_{tenantId}_AppTokenCache</c> for app-only
/// flows (MSAL's suggested cache key), <c>{clientId}_{tenant}_UserTokenCache</c> for the device code flow (a public
/// client's cache holds all of its signed-in accounts, and MSAL suggests no key before it knows the account).
/// </para>
/// <para>
/// A store should handle its own outages (return <see langword="null"/> from <see cref="ReadAsync"/>, remember a
/// failed write). An exception it throws anyway is logged and ignored: tokens then come from the in-memory cache
/// of the provider, and a failed write is retried after the next cache access.
/// </para>
/// <para>
/// A store may also coordinate instances that find an entry empty at the same moment (a cold start of the whole fleet)
/// by overriding <see cref="TryAcquireLeaseAsync"/>: one instance asks the token service, the others wait for its token
/// to appear in the store. Stores that do not override it keep working as before, each instance asking for itself.
/// </para>
/// </remarks>
public abstract class MailTokenCacheStore
{
    /// <summary>For derived stores and mocking.</summary>
    protected MailTokenCacheStore()
    {
    }

    /// <summary>Reads the serialized cache stored under <paramref name="key"/>.</summary>
    /// <param name="key">The partition key (see the remarks of <see cref="MailTokenCacheStore"/>).</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>
    /// The data last written under <paramref name="key"/>, or <see langword="null"/> when there is none or the store
    /// cannot be read right now: the provider then keeps the tokens it has in memory.
    /// </returns>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public abstract Task<byte[]?> ReadAsync(string key, CancellationToken cancellationToken = default);

    /// <summary>Stores the serialized cache under <paramref name="key"/>, replacing what was there.</summary>
    /// <param name="key">The partition key.</param>
    /// <param name="data">MSAL's serialized cache. A secret: protect it at rest.</param>
    /// <param name="expiresOn">
    /// When the data becomes useless (the expiry of the last access token in an app-only cache), or
    /// <see langword="null"/> when it holds refresh tokens and has no natural expiry.
    /// </param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>A task that completes when the data is stored.</returns>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public abstract Task WriteAsync(string key, byte[] data, DateTimeOffset? expiresOn, CancellationToken cancellationToken = default);

    /// <summary>
    /// Tries to take the lease on filling the entry <paramref name="key"/>, so that one instance asks the token service
    /// while the others wait for its token. The flows call it only when they need a token that is in neither their own
    /// cache nor the store (after <see cref="ReadAsync"/> answered <see langword="null"/>), and never for a forced
    /// refresh.
    /// </summary>
    /// <remarks>
    /// <para>
    /// The holder (<see cref="MailTokenCacheLeaseStatus.Acquired"/>) asks the token service; the token reaches the store
    /// through <see cref="WriteAsync"/>; then the flow calls <see cref="MailTokenCacheLease.ReleaseAsync"/>. A caller
    /// told <see cref="MailTokenCacheLeaseStatus.HeldElsewhere"/> polls <see cref="ReadAsync"/> and this method with
    /// back-off (10 ms, doubling to 200 ms, on the provider's <see cref="MailTokenProviderOptions.TimeProvider"/>): when
    /// the entry appears its token is read from the store with no token request; when it takes the lease (the holder
    /// released it after a failure, or died and the lease expired) it asks the token service itself; and when
    /// <see cref="MailTokenCacheLease.MaxWait"/> has passed, or the store fails, it asks the token service as if there
    /// were no lease.
    /// </para>
    /// <para>
    /// A lease must expire on its own (a holder may die without releasing it) and every operation should answer
    /// promptly. An exception other than the caller's cancellation is logged and treated as
    /// <see cref="MailTokenCacheLeaseStatus.NotCoordinated"/>.
    /// </para>
    /// </remarks>
    /// <param name="key">The partition key, as for <see cref="ReadAsync"/>.</param>
    /// <param name="cancellationToken">Cancels the attempt.</param>
    /// <returns>The lease. The default implementation answers <see cref="MailTokenCacheLease.NotCoordinated"/> at once.</returns>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public virtual ValueTask<MailTokenCacheLease> TryAcquireLeaseAsync(string key, CancellationToken cancellationToken = default) =>
        new(MailTokenCacheLease.NotCoordinated);
}
