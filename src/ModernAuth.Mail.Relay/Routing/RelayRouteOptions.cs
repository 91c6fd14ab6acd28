namespace ModernAuth.Mail.Relay;

/// <summary>Which upstream mailbox and token provider deliver the mail of some senders.</summary>
public class RelayRouteOptions
{
    /// <summary>Creates options with the defaults.</summary>
    public RelayRouteOptions()
    {
    }

    /// <summary>Sender addresses and <c>@domain</c>s this route takes; <c>*</c> takes every sender. Required: at least one.</summary>
    public IList<string> Senders { get; } = new List<string>();

    /// <summary>
    /// The upstream mailbox the relay authenticates as (the XOAUTH2 <c>user=</c>, or the Graph mailbox that sends).
    /// Default <see langword="null"/>: the envelope sender itself for app-only credentials (the app needs rights on each
    /// sender's mailbox), the signed-in user for delegated ones. Required for a delegated provider with
    /// <see cref="Upstream"/> <see cref="RelayUpstreamKind.Graph"/>: the signed-in user's address.
    /// </summary>
    public string? Mailbox { get; set; }

    /// <summary>
    /// The name of the token provider: one registered with <c>AddModernAuthMail()</c> (in a relay host, the providers
    /// under <c>ModernAuthMail:Providers</c> in the same configuration), or one in <see cref="RelayOptions.TokenProviders"/>.
    /// Required.
    /// </summary>
    public string? Provider { get; set; }

    /// <summary>
    /// How this route delivers: <see cref="RelayUpstreamKind.Smtp"/> (SMTP AUTH with XOAUTH2, the default) or
    /// <see cref="RelayUpstreamKind.Graph"/> (Microsoft Graph <c>sendMail</c> with the MIME message, for tenants that keep
    /// SMTP AUTH off). Spooling, retries, pacing, lane pauses and dead letters work the same for both.
    /// </summary>
    public RelayUpstreamKind Upstream { get; set; }
}
