using Microsoft.Extensions.Logging;

namespace ModernAuth.Mail.Ews;

/// <summary>Options of <see cref="EwsAuthenticationHandler"/>; <see cref="EwsClientOptions"/> derives from it.</summary>
public class EwsAuthenticationHandlerOptions
{
    private int _maxRetries = 3;
    private TimeSpan _maxTotalRetryDelay = TimeSpan.FromSeconds(60);
    private TimeSpan _defaultRetryDelay = TimeSpan.FromSeconds(1);
    private TimeProvider _timeProvider = TimeProvider.System;

    /// <summary>
    /// The cloud. EWS is refused at once for a cloud without an EWS endpoint (<see cref="MailCloud.PersonalAccounts"/>).
    /// It also tells token diagnostics what to expect. Default <see langword="null"/>: the provider's
    /// <see cref="MailTokenProvider.Cloud"/> (<see cref="MailCloud.Global"/> where there is no provider).
    /// </summary>
    public MailCloud? Cloud { get; set; }

    /// <summary>
    /// Whether to send the <c>ExchangeImpersonation</c> SOAP header naming the mailbox. Default <see langword="null"/>:
    /// only for app-only providers (<see cref="MailTokenProvider.IsAppOnly"/>), which Exchange Online requires to
    /// impersonate. Set <see langword="true"/> for an on-premises service account with the ApplicationImpersonation role.
    /// </summary>
    public bool? UseImpersonation { get; set; }

    /// <summary>
    /// For delegated providers, the signed-in account whose token is used (for example when the mailbox is a shared
    /// mailbox the user has rights on). Default <see langword="null"/>: the mailbox itself. App-only providers ignore it.
    /// </summary>
    public string? SignInAccount { get; set; }

    /// <summary>
    /// How many times a throttled request (HTTP 429 or 503, or the SOAP fault <c>ErrorServerBusy</c>) is retried.
    /// Default 3; 0 turns retrying off.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is negative.</exception>
    public int MaxRetries
    {
        get => _maxRetries;
        set => _maxRetries = value >= 0 ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "MaxRetries cannot be negative.");
    }

    /// <summary>
    /// The most time one request may spend waiting between throttling retries. A server asking for a longer wait
    /// (<c>Retry-After</c>, <c>BackOffMilliseconds</c>) fails the request at once as <see cref="EwsErrorCodes.Throttled"/>
    /// with <see cref="EwsException.RetryAfter"/> set. Default 60 seconds.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is negative.</exception>
    public TimeSpan MaxTotalRetryDelay
    {
        get => _maxTotalRetryDelay;
        set => _maxTotalRetryDelay = value >= TimeSpan.Zero ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "MaxTotalRetryDelay cannot be negative.");
    }

    /// <summary>The wait before the first retry when the server says nothing; doubled for each later retry. Default 1 second.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is negative.</exception>
    public TimeSpan DefaultRetryDelay
    {
        get => _defaultRetryDelay;
        set => _defaultRetryDelay = value >= TimeSpan.Zero ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "DefaultRetryDelay cannot be negative.");
    }

    /// <summary>The clock that retry waits use. Default <see cref="TimeProvider.System"/>; tests inject a fake one.</summary>
    /// <exception cref="ArgumentNullException">The value is <see langword="null"/>.</exception>
    public TimeProvider TimeProvider
    {
        get => _timeProvider;
        set => _timeProvider = value ?? throw new ArgumentNullException(nameof(value));
    }

    /// <summary>Where to log. Tokens and the <c>Authorization</c> header are never logged (it shows as <c>Bearer ***</c> with the token's fingerprint). Default <see langword="null"/>: no logging.</summary>
    public ILoggerFactory? LoggerFactory { get; set; }

    /// <summary>
    /// Logs SOAP request and response bodies at <see cref="LogLevel.Trace"/>, with anything shaped like a token
    /// replaced by <c>***</c>. Bodies hold mail content (personal data): keep it off in production. Default <see langword="false"/>.
    /// </summary>
    public bool LogSoapBodies { get; set; }
}
