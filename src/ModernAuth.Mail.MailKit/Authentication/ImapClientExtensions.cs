using MailKit;
using MailKit.Net.Imap;
using ModernAuth.Mail.MailKit.Internal;

namespace ModernAuth.Mail.MailKit;

/// <summary>OAuth 2.0 authentication for MailKit's <see cref="ImapClient"/>.</summary>
public static class ImapClientExtensions
{
    /// <summary>
    /// Authenticates <paramref name="client"/> with a token from <paramref name="provider"/>: gets a IMAP token for
    /// <paramref name="mailbox"/>, sends it with XOAUTH2 when the server advertises it (Exchange Online does) or else
    /// OAUTHBEARER, and answers the server's error challenge if it sends one. When the server rejects the token, it
    /// gets a fresh one from the token service (bypassing every cache) and tries once more, unless the server throttles
    /// or the reply shows that a new token cannot help; reconnecting first if the server closed the connection.
    /// </summary>
    /// <remarks>
    /// To get the server's own words in a rejection, create the client with a <see cref="MailKitProtocolLogger"/>:
    /// MailKit keeps them nowhere else (its exception says only "Authentication failed."). <see cref="MailKitConnector"/> does this for you.
    /// </remarks>
    /// <param name="client">A connected, not yet authenticated client.</param>
    /// <param name="provider">Where tokens come from.</param>
    /// <param name="mailbox">
    /// The mailbox to open: the XOAUTH2 <c>user=</c>. Required for app-only providers. For delegated providers
    /// <see langword="null"/> means the signed-in user; it may also be a shared mailbox the user has Full Access to.
    /// </param>
    /// <param name="options">How to authenticate; <see langword="null"/> for the defaults.</param>
    /// <param name="cancellationToken">Cancels the token request and the authentication.</param>
    /// <returns>A task that completes when the client is authenticated.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="client"/> or <paramref name="provider"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="provider"/> is app-only and <paramref name="mailbox"/> is missing.</exception>
    /// <exception cref="ServiceNotConnectedException"><paramref name="client"/> is not connected.</exception>
    /// <exception cref="InvalidOperationException"><paramref name="client"/> is already authenticated.</exception>
    /// <exception cref="MailAuthenticationException">
    /// No token could be had, the server offers no OAuth mechanism (<see cref="MailErrorCodes.NotSupported"/>), or the
    /// server rejected the token (also after a fresh one): <see cref="MailAuthenticationException.ErrorCode"/>,
    /// <see cref="MailAuthenticationException.Remedy"/>, <see cref="MailAuthenticationException.ServerResponse"/>,
    /// <see cref="MailAuthenticationException.Findings"/> and, when throttled, <see cref="MailAuthenticationException.RetryAfter"/> say why.
    /// </exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    /// <exception cref="IOException">The connection failed.</exception>
    /// <exception cref="ProtocolException">The server broke the protocol in a way that is not an authentication failure.</exception>
    public static Task AuthenticateAsync(
        this ImapClient client,
        MailTokenProvider provider,
        string? mailbox = null,
        MailKitAuthenticationOptions? options = null,
        CancellationToken cancellationToken = default) =>
        OAuthAuthenticator.AuthenticateAsync(client, MailProtocol.Imap, provider, mailbox, options, reconnect: null, cancellationToken);
}
