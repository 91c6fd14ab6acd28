namespace ModernAuth.Mail.Caching;

/// <summary>
/// The right to fill one entry of a <see cref="MailTokenCacheStore"/> from the token service, so that instances which
/// all find the entry empty at the same moment make one token request between them instead of one each. Returned by
/// <see cref="MailTokenCacheStore.TryAcquireLeaseAsync"/>: use <see cref="NotCoordinated"/> or
/// <see cref="HeldElsewhere"/>, or derive from this class (with the protected constructor) for a lease this caller holds.
/// </summary>
/// <remarks>
/// A lease is advisory: the flows never fail a token request because of one. A holder that dies keeps it only until it
/// expires in the store; a waiter whose wait ends, or whose store fails, asks the token service itself.
/// </remarks>
public class MailTokenCacheLease
{
    private static readonly MailTokenCacheLease NotCoordinatedInstance = new(MailTokenCacheLeaseStatus.NotCoordinated, TimeSpan.Zero);

    /// <summary>Creates a lease this caller holds (<see cref="MailTokenCacheLeaseStatus.Acquired"/>); override <see cref="ReleaseAsync"/> to give it back.</summary>
    protected MailTokenCacheLease()
        : this(MailTokenCacheLeaseStatus.Acquired, TimeSpan.Zero)
    {
    }

    private MailTokenCacheLease(MailTokenCacheLeaseStatus status, TimeSpan maxWait)
    {
        Status = status;
        MaxWait = maxWait;
    }

    /// <summary>The answer of a store that does not coordinate instances: every instance asks the token service itself.</summary>
    public static MailTokenCacheLease NotCoordinated => NotCoordinatedInstance;

    /// <summary>Whether this caller holds the lease, must wait for another instance, or need not coordinate.</summary>
    public MailTokenCacheLeaseStatus Status { get; }

    /// <summary>
    /// For <see cref="MailTokenCacheLeaseStatus.HeldElsewhere"/>: how long, from the first answer, a caller waits at most
    /// for the holder's token before asking the token service itself. <see cref="TimeSpan.Zero"/> otherwise.
    /// </summary>
    public TimeSpan MaxWait { get; }

    /// <summary>The answer when another instance holds the lease.</summary>
    /// <param name="maxWait">How long a caller waits at most for the holder's token (see <see cref="MaxWait"/>). Not negative.</param>
    /// <returns>A lease with <see cref="Status"/> <see cref="MailTokenCacheLeaseStatus.HeldElsewhere"/>.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxWait"/> is negative.</exception>
    public static MailTokenCacheLease HeldElsewhere(TimeSpan maxWait) =>
        maxWait >= TimeSpan.Zero
            ? new MailTokenCacheLease(MailTokenCacheLeaseStatus.HeldElsewhere, maxWait)
            : throw new ArgumentOutOfRangeException(nameof(maxWait), maxWait, "MaxWait cannot be negative.");

    /// <summary>
    /// Gives the lease back once the token is in the store (or the attempt failed), so waiting instances need not wait
    /// for it to expire. The flows call it once, in the background, and ignore its failures. Does nothing unless
    /// overridden.
    /// </summary>
    /// <param name="cancellationToken">Cancels the release.</param>
    /// <returns>A task that completes when the lease is released.</returns>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public virtual Task ReleaseAsync(CancellationToken cancellationToken = default) => Task.CompletedTask;

    /// <inheritdoc/>
    public override string ToString() => Status == MailTokenCacheLeaseStatus.HeldElsewhere ? $"HeldElsewhere (wait at most {MaxWait})" : Status.ToString();
}
