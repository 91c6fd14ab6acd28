namespace ModernAuth.Mail.Relay;

/// <summary>How spooled messages are delivered: retries, lifetime, pacing and bounces.</summary>
public class RelayDeliveryOptions
{
    /// <summary>Creates options with the defaults.</summary>
    public RelayDeliveryOptions()
    {
    }

    /// <summary>How long a message is retried before it goes to the dead-letter folder. Default 2 days.</summary>
    public TimeSpan MessageLifetime { get; set; } = TimeSpan.FromDays(2);

    /// <summary>The wait after the first failed attempt; it doubles with each further failure, with ±20 % jitter. Default 30 seconds.</summary>
    public TimeSpan InitialRetryDelay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The longest wait between attempts. Default 30 minutes.</summary>
    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>
    /// How many messages one upstream mailbox may send per <see cref="RateLimitWindow"/>. Default 30 (Exchange Online
    /// allows 30 messages a minute per mailbox). 0 turns pacing off.
    /// </summary>
    public int RateLimitCount { get; set; } = 30;

    /// <summary>The window of <see cref="RateLimitCount"/>. Default 1 minute.</summary>
    public TimeSpan RateLimitWindow { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>How many upstream mailboxes deliver at the same time, each over its own connection. Default 4.</summary>
    public int MaxConcurrentMailboxes { get; set; } = 4;

    /// <summary>
    /// Whether a message that goes to the dead-letter folder also sends a delivery failure notice to its sender,
    /// through the same upstream mailbox. Default <see langword="false"/>.
    /// </summary>
    public bool SendBounces { get; set; }
}
