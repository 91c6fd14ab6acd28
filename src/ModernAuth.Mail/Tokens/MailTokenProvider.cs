namespace ModernAuth.Mail;

/// <summary>
/// Gets access tokens for mail protocols. The built-in flows (<see cref="ClientSecretTokenProvider"/>,
/// <see cref="ClientCertificateTokenProvider"/>, <see cref="DeviceCodeTokenProvider"/>) derive from it;
/// derive from it yourself to plug in any other source of tokens, or mock it in tests.
/// </summary>
public abstract class MailTokenProvider
{
    /// <summary>Creates a provider. Protected so that test doubles and custom sources can derive from it.</summary>
    protected MailTokenProvider()
    {
    }

    /// <summary>
    /// Whether the tokens act as an application (client credentials) rather than as a signed-in user. App-only
    /// tokens carry <c>roles</c>, must name the mailbox in XOAUTH2 and need impersonation in EWS.
    /// </summary>
    public virtual bool IsAppOnly => false;

    /// <summary>
    /// The cloud the tokens are for: where its mail servers are (<see cref="MailCloud.Imap"/>, <see cref="MailCloud.Smtp"/>,
    /// <see cref="MailCloud.Ews"/>, ...). Connectors and clients default to it, so the cloud is given once, to the
    /// provider. Default <see cref="MailCloud.Global"/>; the built-in flows return their options' cloud.
    /// </summary>
    public virtual MailCloud Cloud => MailCloud.Global;

    /// <summary>
    /// Makes the request an adapter (MailKit, EWS, Graph, ...) sends for <paramref name="mailbox"/>: the one place the
    /// mailbox is checked. An app-only provider needs the mailbox, because its token names none (it is the XOAUTH2
    /// <c>user=</c>, the EWS anchor, the Graph user); a delegated one may leave it out (the signed-in user).
    /// </summary>
    /// <param name="protocol">The protocol.</param>
    /// <param name="mailbox">The mailbox's SMTP address, or <see langword="null"/> for the signed-in user of a delegated provider.</param>
    /// <returns>The request.</returns>
    /// <exception cref="ArgumentException">The provider is app-only and <paramref name="mailbox"/> is missing, or it is not an address (spaces, control characters, no <c>@</c>).</exception>
    public MailTokenRequest CreateRequest(MailProtocol protocol, string? mailbox)
    {
        var trimmed = string.IsNullOrWhiteSpace(mailbox) ? null : mailbox!.Trim();
        if (trimmed is null)
        {
            return IsAppOnly
                ? throw new ArgumentException(
                    $"An app-only token names no mailbox: pass the mailbox {(protocol == MailProtocol.Smtp ? "to send as" : "to open")}, for example \"shared@contoso.com\". " + AppOnlyAccess(protocol),
                    nameof(mailbox))
                : new MailTokenRequest(protocol);
        }

        var at = trimmed.IndexOf('@');
        if (at <= 0 || at == trimmed.Length - 1 || trimmed.Any(c => char.IsWhiteSpace(c) || char.IsControl(c)))
        {
            throw new ArgumentException("The mailbox must be an SMTP address such as shared@contoso.com, without spaces or control characters.", nameof(mailbox));
        }

        return new MailTokenRequest(protocol, trimmed);
    }

    /// <summary>Gets a token for <paramref name="request"/>.</summary>
    /// <param name="request">The protocol and mailbox.</param>
    /// <param name="cancellationToken">Cancels the wait. A shared token request carries on for other callers.</param>
    /// <returns>The token.</returns>
    /// <exception cref="MailAuthenticationException">No token could be had; its <see cref="MailAuthenticationException.ErrorCode"/> and <see cref="MailAuthenticationException.Remedy"/> say why and what to do.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public abstract ValueTask<MailAccessToken> GetTokenAsync(MailTokenRequest request, CancellationToken cancellationToken = default);

    private static string AppOnlyAccess(MailProtocol protocol) => protocol switch
    {
        MailProtocol.Smtp => "The application needs the right to send as it in Exchange Online (Add-RecipientPermission, or the Application SMTP.SendAsApp role).",
        MailProtocol.Ews => "EWS anchors and impersonates it (X-AnchorMailbox, ExchangeImpersonation); the application needs full_access_as_app and access to it.",
        MailProtocol.Graph => "Graph opens /users/{mailbox}; the application needs Mail.ReadWrite or Mail.Send, and the mailbox must be inside any application access policy that scopes it.",
        _ => "It is the XOAUTH2 user=; the application needs access to it in Exchange Online (Add-MailboxPermission -AccessRights FullAccess).",
    };
}
