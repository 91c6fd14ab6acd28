using System.Reflection;
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
    private const string BaseUrlKey = "baseurl";
    private const string BaseUrlTemplate = "{+baseurl}/";
    private const string RawUrlKey = "request-raw-url";
    private readonly MailTokenProvider _provider;
    private readonly string? _mailbox;
    private readonly AllowedHostsValidator _hosts;
    private readonly bool _ownHostCheck;
    private BearerHeader? _header;
    private BaseUrlCheck? _baseUrl;

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

        // A subclass may judge the whole URL: then every request's URL is built for it, as the SDK builds it.
        _ownHostCheck = GetType().GetMethod(nameof(IsAllowed), BindingFlags.Instance | BindingFlags.NonPublic, null, new[] { typeof(Uri) }, null)?.DeclaringType == typeof(GraphAuthenticationProvider);
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

        if (request.Headers.ContainsKey(AuthorizationHeader) || !IsAllowed(request))
        {
            return;
        }

        var token = await _provider.GetTokenAsync(new MailTokenRequest(MailProtocol.Graph, _mailbox, forceRefresh: challenged), cancellationToken).ConfigureAwait(false);

        // The header of the last token is kept: a cached token costs no new 2-3 KB string per request.
        var header = Volatile.Read(ref _header);
        if (header is null || !ReferenceEquals(header.Token, token.Token))
        {
            header = new BearerHeader(token.Token);
            Volatile.Write(ref _header, header);
        }

        request.Headers.Add(AuthorizationHeader, header.Value);
    }

    /// <summary>Whether <paramref name="uri"/> may get the token: https to an allowed host (http only to loopback, for tests).</summary>
    /// <param name="uri">The request's URL.</param>
    /// <returns><see langword="true"/> when the token may go there.</returns>
    protected virtual bool IsAllowed(Uri uri) =>
        uri is not null && _hosts.IsUrlHostValid(uri) && (uri.Scheme == Uri.UriSchemeHttps || (uri.Scheme == Uri.UriSchemeHttp && uri.IsLoopback));

    /// <summary>
    /// Whether the request may get the token. The SDK's requests are <c>{+baseurl}/...</c> templates, whose scheme and host
    /// are the base URL's: that one is judged once and remembered, instead of building every request's URL (about 3 KB)
    /// only to read its host. Raw URLs (next and delta links) and other templates are judged whole.
    /// </summary>
    private bool IsAllowed(RequestInformation request)
    {
        if (_ownHostCheck
            && request.UrlTemplate is { } template
            && template.StartsWith(BaseUrlTemplate, StringComparison.Ordinal)
            && !request.PathParameters.ContainsKey(RawUrlKey)
            && request.PathParameters.TryGetValue(BaseUrlKey, out var value)
            && value is string baseUrl)
        {
            var known = Volatile.Read(ref _baseUrl);
            if (known is not null && string.Equals(known.BaseUrl, baseUrl, StringComparison.Ordinal))
            {
                return known.Allowed;
            }

            if (Uri.TryCreate(baseUrl, UriKind.Absolute, out var uri))
            {
                known = new BaseUrlCheck(baseUrl, IsAllowed(uri));
                Volatile.Write(ref _baseUrl, known);
                return known.Allowed;
            }
        }

        return IsAllowed(request.URI);
    }

    /// <summary>A token and its <c>Authorization</c> value (never printed: no <c>ToString</c> shows either).</summary>
    private sealed class BearerHeader
    {
        public BearerHeader(string token)
        {
            Token = token;
            Value = "Bearer " + token;
        }

        public string Token { get; }

        public string Value { get; }
    }

    /// <summary>A base URL and whether requests under it may get the token.</summary>
    private sealed class BaseUrlCheck
    {
        public BaseUrlCheck(string baseUrl, bool allowed)
        {
            BaseUrl = baseUrl;
            Allowed = allowed;
        }

        public string BaseUrl { get; }

        public bool Allowed { get; }
    }
}
