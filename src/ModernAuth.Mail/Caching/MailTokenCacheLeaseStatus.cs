namespace ModernAuth.Mail.Caching;

/// <summary>The answer of <see cref="MailTokenCacheStore.TryAcquireLeaseAsync"/>.</summary>
public enum MailTokenCacheLeaseStatus
{
    /// <summary>The store does not coordinate instances (the default of every store): ask the token service as usual.</summary>
    NotCoordinated = 0,

    /// <summary>This caller holds the lease: it asks the token service, the token reaches the store, then it releases the lease.</summary>
    Acquired = 1,

    /// <summary>
    /// Another instance holds the lease and is asking the token service: wait (at most
    /// <see cref="MailTokenCacheLease.MaxWait"/>) for its token to appear in the store.
    /// </summary>
    HeldElsewhere = 2,
}
