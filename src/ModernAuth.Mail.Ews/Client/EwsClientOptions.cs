namespace ModernAuth.Mail.Ews;

/// <summary>Options of <see cref="EwsClient"/>. The handler's options (retries, logging, impersonation) are inherited.</summary>
public class EwsClientOptions : EwsAuthenticationHandlerOptions
{
    private string _requestServerVersion = "Exchange2013_SP1";
    private TimeSpan _timeout = TimeSpan.FromSeconds(100);

    /// <summary>
    /// The EWS URL. Default <see langword="null"/>: the cloud's <see cref="MailCloud.Ews"/>
    /// (<c>https://outlook.office365.com/EWS/Exchange.asmx</c> worldwide). For on-premises Exchange with Hybrid Modern
    /// Auth use <c>https://mail.contoso.com/EWS/Exchange.asmx</c>.
    /// </summary>
    public Uri? Endpoint { get; set; }

    /// <summary>
    /// The schema version sent in the <c>RequestServerVersion</c> SOAP header. Default <c>Exchange2013_SP1</c>, which
    /// Exchange Online and Exchange 2013 and later accept.
    /// </summary>
    /// <exception cref="ArgumentException">The value is empty.</exception>
    public string RequestServerVersion
    {
        get => _requestServerVersion;
        set => _requestServerVersion = !string.IsNullOrWhiteSpace(value) ? value.Trim() : throw new ArgumentException("RequestServerVersion cannot be empty.", nameof(value));
    }

    /// <summary>
    /// How long one request to EWS may take, the token included, before the call fails as
    /// <see cref="EwsErrorCodes.Timeout"/>. Waits between throttling retries are bounded by
    /// <see cref="EwsAuthenticationHandlerOptions.MaxTotalRetryDelay"/> instead. Applies to the client's own
    /// <see cref="HttpClient"/>; a supplied one keeps its own timeout. Default 100 seconds.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is not positive.</exception>
    public TimeSpan Timeout
    {
        get => _timeout;
        set => _timeout = value > TimeSpan.Zero ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "Timeout must be positive.");
    }

    /// <summary>
    /// The HTTP handler requests go through, below the authentication handler: a proxy, a test server's trusting
    /// handler. Default <see langword="null"/>: a new <see cref="HttpClientHandler"/>. The client does not dispose it.
    /// </summary>
    public HttpMessageHandler? Transport { get; set; }
}
