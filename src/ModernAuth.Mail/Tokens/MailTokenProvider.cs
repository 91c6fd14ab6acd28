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

    /// <summary>Gets a token for <paramref name="request"/>.</summary>
    /// <param name="request">The protocol and mailbox.</param>
    /// <param name="cancellationToken">Cancels the wait. A shared token request carries on for other callers.</param>
    /// <returns>The token.</returns>
    /// <exception cref="MailAuthenticationException">No token could be had; its <see cref="MailAuthenticationException.ErrorCode"/> and <see cref="MailAuthenticationException.Remedy"/> say why and what to do.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public abstract ValueTask<MailAccessToken> GetTokenAsync(MailTokenRequest request, CancellationToken cancellationToken = default);
}
