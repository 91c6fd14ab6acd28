using Microsoft.Extensions.Logging;

namespace ModernAuth.Mail.Graph;

/// <summary>Options of <see cref="GraphMailClient"/>.</summary>
public sealed class GraphMailClientOptions
{
    /// <summary>
    /// The cloud: its <see cref="MailCloud.Graph"/> is where requests go unless <see cref="Endpoint"/> is set. Default
    /// <see langword="null"/>: the provider's <see cref="MailTokenProvider.Cloud"/>.
    /// </summary>
    public MailCloud? Cloud { get; set; }

    /// <summary>The Graph service root with its version, for example <c>https://graph.microsoft.com/v1.0</c>. Default <see langword="null"/>: <c>{Cloud.Graph}/v1.0</c>.</summary>
    public Uri? Endpoint { get; set; }

    /// <summary>
    /// For delegated providers: <see langword="true"/> to open <see cref="GraphMailClient.Mailbox"/> as a shared mailbox
    /// (<c>/users/{mailbox}</c>, needs <c>Mail.ReadWrite.Shared</c> and mailbox permissions) instead of the signed-in
    /// user's own (<c>/me</c>). Ignored for app-only providers, which always use <c>/users/{mailbox}</c>. Default <see langword="false"/>.
    /// </summary>
    public bool OpenSharedMailbox { get; set; }

    /// <summary>The innermost HTTP handler (a proxy, test server trust). Default <see langword="null"/>: the SDK's. Not disposed by the client.</summary>
    public HttpMessageHandler? Transport { get; set; }

    /// <summary>How long one request may take, retries included. Default 100 seconds.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(100);

    /// <summary>
    /// How often the Graph SDK's retry handler retries a <c>429</c>, <c>503</c> or <c>504</c>, waiting for <c>Retry-After</c>
    /// each time. Default 3, at most 10; 0 turns retries off.
    /// </summary>
    public int MaxRetries { get; set; } = 3;

    /// <summary>The longest the retry handler waits in all for one request; 0 for no limit. Default 0 (the SDK's default).</summary>
    public TimeSpan MaxTotalRetryDelay { get; set; } = TimeSpan.Zero;

    /// <summary>Where the client logs (operation failures, large-message uploads). Default none. Tokens are never logged.</summary>
    public ILoggerFactory? LoggerFactory { get; set; }

    internal void Validate()
    {
        if (MaxRetries is < 0 or > 10)
        {
            throw new ArgumentOutOfRangeException("options", MaxRetries, "GraphMailClientOptions.MaxRetries is 0 to 10 (the Graph SDK's limit).");
        }

        if (Timeout <= TimeSpan.Zero && Timeout != System.Threading.Timeout.InfiniteTimeSpan)
        {
            throw new ArgumentOutOfRangeException("options", Timeout, "GraphMailClientOptions.Timeout must be positive.");
        }

        if (MaxTotalRetryDelay < TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException("options", MaxTotalRetryDelay, "GraphMailClientOptions.MaxTotalRetryDelay must not be negative.");
        }

        if (Endpoint is { } e && (!e.IsAbsoluteUri || (e.Scheme != Uri.UriSchemeHttps && !(e.Scheme == Uri.UriSchemeHttp && e.IsLoopback))))
        {
            throw new ArgumentException($"The Graph endpoint must be an absolute https URL such as https://graph.microsoft.com/v1.0, not '{e}'.", "options");
        }
    }
}
