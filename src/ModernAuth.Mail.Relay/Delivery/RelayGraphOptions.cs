namespace ModernAuth.Mail.Relay;

/// <summary>
/// How routes with <see cref="RelayUpstreamKind.Graph"/> reach Microsoft Graph. Every value has a default: a Graph
/// route needs nothing here.
/// </summary>
public class RelayGraphOptions
{
    private TimeSpan _timeout = TimeSpan.FromSeconds(100);

    /// <summary>Creates options with the defaults.</summary>
    public RelayGraphOptions()
    {
    }

    /// <summary>
    /// The Graph service root with its version, for example <c>https://graph.microsoft.com/v1.0</c>. Default
    /// <see langword="null"/>: the Graph endpoint of each route's token provider's cloud (its <c>Cloud</c> and
    /// <c>GraphUrl</c> settings; <c>https://graph.microsoft.com/v1.0</c> unless set).
    /// </summary>
    public Uri? Endpoint { get; set; }

    /// <summary>
    /// A certificate file (PEM or DER) the Graph endpoint must present, trusted even when self-signed (a test Graph).
    /// Default <see langword="null"/>: the operating system's validation.
    /// </summary>
    public string? TrustedCertificatePath { get; set; }

    /// <summary>
    /// How often the Graph SDK's retry handler retries a <c>429</c>, <c>503</c> or <c>504</c> within one delivery
    /// attempt, waiting for <c>Retry-After</c> each time; after that the mailbox's lane waits until <c>Retry-After</c>
    /// (or its back-off, whichever is longer) without sending. Default 3, at most 10; 0 leaves every wait to the lane.
    /// </summary>
    public int MaxRetries { get; set; } = 3;

    /// <summary>How long one delivery attempt may take, the SDK's retries included. Default 100 seconds.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is not positive.</exception>
    public TimeSpan Timeout
    {
        get => _timeout;
        set => _timeout = value > TimeSpan.Zero ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "The Graph timeout must be positive.");
    }
}
