using Microsoft.Kiota.Abstractions;
using Microsoft.Kiota.Abstractions.Authentication;

namespace ModernAuth.Mail.Graph;

/// <summary>
/// Gives the official <c>GraphServiceClient</c> its tokens from any <see cref="MailTokenProvider"/>: the same cache gate,
/// flows, clouds and error mapping as IMAP, SMTP and EWS. Tokens go only to the cloud's Graph host; a continuous access
/// evaluation challenge (a <c>claims</c> request from Graph) makes it fetch a fresh token.
/// </summary>
/// <example>
/// <code>
/// var graph = new GraphServiceClient(new GraphAuthenticationProvider(provider));
/// var inbox = await graph.Users["shared@contoso.com"].MailFolders["inbox"].GetAsync();
/// </code>
/// </example>
public class GraphAuthenticationProvider : IAuthenticationProvider
{
    private const string AuthorizationHeader = "Authorization";
    private const string ClaimsKey = "claims";
    private readonly MailTokenProvider _provider;
    private readonly string? _mailbox;
    private readonly AllowedHostsValidator _hosts;

    /// <summary>Creates a bridge from <paramref name="provider"/> to the Graph SDK.</summary>
    /// <param name="provider">Where tokens come from (app-only or delegated).</param>
    /// <param name="options">The options; <see langword="null"/> for the defaults (global cloud).</param>
    /// <exception cref="ArgumentNullException"><paramref name="provider"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">An allowed host has a scheme.</exception>
    public GraphAuthenticationProvider(MailTokenProvider provider, GraphAuthenticationProviderOptions? options = null)
    {
        _provider = provider ?? throw new ArgumentNullException(nameof(provider));
        options ??= new GraphAuthenticationProviderOptions();
        var cloud = options.Cloud ?? provider.Cloud;
        _mailbox = string.IsNullOrWhiteSpace(options.Mailbox) ? null : options.Mailbox!.Trim();
        Cloud = cloud;
        _hosts = new AllowedHostsValidator(new[] { cloud.Graph.Host }.Concat(options.AdditionalAllowedHosts));
    }

    /// <summary>The token provider.</summary>
    public MailTokenProvider Provider => _provider;

    /// <summary>The cloud whose Graph host gets the tokens.</summary>
    public MailCloud Cloud { get; }

    /// <summary>The hosts that get the token.</summary>
    public IEnumerable<string> AllowedHosts => _hosts.AllowedHosts;

    /// <summary>Adds <c>Authorization: Bearer</c> with a token for <see cref="MailProtocol.Graph"/> to a request for an allowed host.</summary>
    /// <param name="request">The request.</param>
    /// <param name="additionalAuthenticationContext">The SDK's context; a <c>claims</c> entry (a continuous access evaluation challenge) forces a fresh token.</param>
    /// <param name="cancellationToken">Cancels the wait for a token.</param>
    /// <returns>A task that completes when the header is set.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="request"/> is <see langword="null"/>.</exception>
    /// <exception cref="MailAuthenticationException">No token could be had; its code and remedy say why.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public virtual async Task AuthenticateRequestAsync(RequestInformation request, Dictionary<string, object>? additionalAuthenticationContext = null, CancellationToken cancellationToken = default)
    {
        if (request is null)
        {
            throw new ArgumentNullException(nameof(request));
        }

        var challenged = additionalAuthenticationContext is not null && additionalAuthenticationContext.ContainsKey(ClaimsKey);
        if (challenged)
        {
            request.Headers.Remove(AuthorizationHeader);
        }

        if (request.Headers.ContainsKey(AuthorizationHeader) || !IsAllowed(request.URI))
        {
            return;
        }

        var token = await _provider.GetTokenAsync(new MailTokenRequest(MailProtocol.Graph, _mailbox, forceRefresh: challenged), cancellationToken).ConfigureAwait(false);
        request.Headers.Add(AuthorizationHeader, "Bearer " + token.Token);
    }

    /// <summary>Whether <paramref name="uri"/> may get the token: https to an allowed host (http only to loopback, for tests).</summary>
    /// <param name="uri">The request's URL.</param>
    /// <returns><see langword="true"/> when the token may go there.</returns>
    protected virtual bool IsAllowed(Uri uri) =>
        uri is not null && _hosts.IsUrlHostValid(uri) && (uri.Scheme == Uri.UriSchemeHttps || (uri.Scheme == Uri.UriSchemeHttp && uri.IsLoopback));
}
