namespace ModernAuth.Mail.Graph;

/// <summary>Options of <see cref="GraphAuthenticationProvider"/>.</summary>
public sealed class GraphAuthenticationProviderOptions
{
    /// <summary>
    /// The mailbox the tokens are for: for delegated providers the signed-in account to use when several are cached;
    /// for app-only providers only carried to diagnostics. Default <see langword="null"/> (the flow decides).
    /// </summary>
    public string? Mailbox { get; set; }

    /// <summary>
    /// The cloud whose Graph host (<see cref="MailCloud.Graph"/>) gets the tokens. Default <see langword="null"/>: the
    /// provider's <see cref="MailTokenProvider.Cloud"/>.
    /// </summary>
    public MailCloud? Cloud { get; set; }

    /// <summary>
    /// More hosts that may get the token (for example a proxy in front of Graph). Default none. Requests to any other
    /// host (an upload session URL, a link to another service) go out without the token.
    /// </summary>
    public IList<string> AdditionalAllowedHosts { get; } = new List<string>();
}
