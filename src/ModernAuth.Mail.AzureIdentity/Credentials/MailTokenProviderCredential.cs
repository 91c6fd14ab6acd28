using Azure.Core;
using Azure.Identity;

namespace ModernAuth.Mail.AzureIdentity;

/// <summary>
/// A <see cref="MailTokenProvider"/> as an Azure.Core <see cref="TokenCredential"/>, for SDKs that take one (the
/// Microsoft Graph SDK's <c>GraphServiceClient(TokenCredential)</c>, Kiota clients, your own code written against
/// Azure.Identity). Each request's scopes are mapped back to the protocol they are for in the cloud: Microsoft Graph
/// (<c>https://graph.microsoft.com/.default</c>, <c>Mail.Send</c>, ...) or Exchange Online
/// (<c>https://outlook.office365.com/.default</c>, <c>https://outlook.office.com/IMAP.AccessAsUser.All</c>, ...), and
/// the token comes through the provider's cache gate. Scopes of any other resource are refused with a
/// <see cref="CredentialUnavailableException"/> that names what it can serve, so a <c>ChainedTokenCredential</c> moves on
/// to its next credential.
/// </summary>
/// <remarks>
/// The provider's own failures pass through as <see cref="MailAuthenticationException"/>, with its
/// <see cref="MailAuthenticationException.ErrorCode"/> and <see cref="MailAuthenticationException.Remedy"/>. A request
/// with <see cref="TokenRequestContext.Claims"/> (a continuous access evaluation challenge) forces a fresh token.
/// </remarks>
/// <example>
/// <code>
/// var graph = new GraphServiceClient(provider.AsTokenCredential());
/// </code>
/// </example>
public class MailTokenProviderCredential : TokenCredential
{
    private const string GraphAppId = "00000003-0000-0000-c000-000000000000";
    private const string ExchangeAppId = "00000002-0000-0ff1-ce00-000000000000";

    // OpenID Connect scopes an SDK may add; they name no resource.
    private static readonly string[] OidcScopes = { "offline_access", "openid", "profile", "email" };

    private readonly MailTokenProvider? _provider;
    private readonly string? _mailbox;
    private readonly MailCloud _cloud = MailCloud.Global;

    // The last scopes array mapped: an SDK's authentication policy asks with the same array on every request, so a cached
    // token then costs no parsing and no allocation.
    private volatile MappedScopes? _lastMapped;

    /// <summary>Creates a credential that gets its tokens from <paramref name="provider"/>.</summary>
    /// <param name="provider">The provider, for example a <see cref="ClientSecretTokenProvider"/>. Not disposed by the credential.</param>
    /// <param name="options">The options; <see langword="null"/> for the defaults.</param>
    /// <exception cref="ArgumentNullException"><paramref name="provider"/> is <see langword="null"/>.</exception>
    public MailTokenProviderCredential(MailTokenProvider provider, MailTokenProviderCredentialOptions? options = null)
    {
        _provider = provider ?? throw new ArgumentNullException(nameof(provider));
        _mailbox = string.IsNullOrWhiteSpace(options?.Mailbox) ? null : options!.Mailbox!.Trim();
        _cloud = options?.Cloud ?? provider.Cloud;
    }

    /// <summary>For mocking only.</summary>
    protected MailTokenProviderCredential()
    {
    }

    /// <summary>The provider tokens come from.</summary>
    public virtual MailTokenProvider Provider => _provider ?? throw new InvalidOperationException("This instance was made for mocking.");

    /// <summary>
    /// The protocol whose token serves <paramref name="scopes"/> in the cloud: <see cref="MailProtocol.Graph"/> for
    /// Microsoft Graph; for Exchange Online the protocol a delegated scope names (<c>IMAP.AccessAsUser.All</c> is
    /// <see cref="MailProtocol.Imap"/>, ...), else <see cref="MailProtocol.Ews"/> (the HTTP API an SDK would call).
    /// </summary>
    /// <param name="scopes">The requested scopes.</param>
    /// <param name="protocol">The protocol, when the scopes can be served.</param>
    /// <param name="reason">Why not, when they cannot: the scopes asked for and those this credential serves.</param>
    /// <returns>Whether the scopes can be served.</returns>
    public virtual bool TryMapScopes(IReadOnlyList<string> scopes, out MailProtocol protocol, out string? reason)
    {
        protocol = MailProtocol.Ews;
        MailProtocol? found = null;
        var resources = 0;
        foreach (var raw in scopes ?? Array.Empty<string>())
        {
            var scope = raw?.Trim() ?? string.Empty;
            if (scope.Length == 0 || OidcScopes.Contains(scope, StringComparer.OrdinalIgnoreCase))
            {
                continue;
            }

            var mapped = Map(scope);
            if (mapped is null)
            {
                found = null;
                resources = -1;
                break;
            }

            if (found is null)
            {
                found = mapped;
                resources = 1;
            }
            else if (IsGraph(found.Value) != IsGraph(mapped.Value))
            {
                resources = 2;
                break;
            }
            else if (found == MailProtocol.Ews)
            {
                // A delegated Exchange scope says more than .default does.
                found = mapped;
            }
        }

        if (found is { } value && resources == 1)
        {
            protocol = value;
            reason = null;
            return true;
        }

        var asked = scopes is null || scopes.Count == 0 ? "no scope" : "'" + string.Join(" ", scopes) + "'";
        reason = (resources == 2 ? $"{asked} mixes Microsoft Graph and Exchange Online scopes; one token serves one resource (AADSTS28000). " : $"{asked} is not a mail resource of the {_cloud.Name} cloud. ") +
            $"It serves Microsoft Graph ('{Resource(_cloud.GraphResource)}/.default', or Graph scopes such as 'Mail.Send') and Exchange Online ('{Resource(_cloud.ExchangeResource)}/.default', or '{Resource(_cloud.DelegatedScopeResource)}/IMAP.AccessAsUser.All' and the other protocol scopes). " +
            "Use another credential for other resources (a ChainedTokenCredential moves on to its next one).";
        return false;
    }

    /// <summary>Gets a token for the protocol <paramref name="requestContext"/>'s scopes map to. Does not block on a synchronization context.</summary>
    /// <param name="requestContext">The scopes (and claims) asked for.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>The token.</returns>
    /// <exception cref="CredentialUnavailableException">The scopes are not for Microsoft Graph or Exchange Online in the cloud.</exception>
    /// <exception cref="MailAuthenticationException">The provider could not get a token; its code and remedy say why.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public override AccessToken GetToken(TokenRequestContext requestContext, CancellationToken cancellationToken)
    {
        var request = Request(requestContext);

        // The provider runs without the caller's synchronization context (a UI thread, classic ASP.NET): its awaits then
        // resume on the thread pool, never on this thread, which is about to block until the token is there.
        var context = SynchronizationContext.Current;
        ValueTask<MailAccessToken> pending;
        SynchronizationContext.SetSynchronizationContext(null);
        try
        {
            pending = Provider.GetTokenAsync(request, cancellationToken);
        }
        finally
        {
            SynchronizationContext.SetSynchronizationContext(context);
        }

        // A cached token completes at once (no task, no allocation); a miss blocks this thread until the token arrives.
        return ToAccessToken(pending.IsCompletedSuccessfully ? pending.Result : pending.AsTask().GetAwaiter().GetResult());
    }

    /// <summary>Gets a token for the protocol <paramref name="requestContext"/>'s scopes map to.</summary>
    /// <param name="requestContext">The scopes (and claims) asked for.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>The token.</returns>
    /// <exception cref="CredentialUnavailableException">The scopes are not for Microsoft Graph or Exchange Online in the cloud.</exception>
    /// <exception cref="MailAuthenticationException">The provider could not get a token; its code and remedy say why.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public override async ValueTask<AccessToken> GetTokenAsync(TokenRequestContext requestContext, CancellationToken cancellationToken)
    {
        var token = await Provider.GetTokenAsync(Request(requestContext), cancellationToken).ConfigureAwait(false);
        return ToAccessToken(token);
    }

    /// <inheritdoc/>
    public override string ToString() => $"MailTokenProviderCredential {{ Provider = {_provider?.GetType().Name}, Cloud = {_cloud.Name} }}";

    private static AccessToken ToAccessToken(in MailAccessToken token) => new(token.Token, token.ExpiresOn);

    private static bool IsGraph(MailProtocol protocol) => protocol == MailProtocol.Graph;

    private static string Resource(Uri resource) => resource.GetLeftPart(UriPartial.Authority);

    private static bool SameHost(string resource, Uri known) =>
        Uri.TryCreate(resource, UriKind.Absolute, out var uri) && string.Equals(uri.Host, known.Host, StringComparison.OrdinalIgnoreCase);

    private MailTokenRequest Request(in TokenRequestContext context)
    {
        var scopes = context.Scopes;
        MailProtocol protocol;
        if (_lastMapped is { } last && ReferenceEquals(last.Scopes, scopes))
        {
            protocol = last.Protocol;
        }
        else if (TryMapScopes(scopes, out protocol, out var reason))
        {
            _lastMapped = new MappedScopes(scopes, protocol);
        }
        else
        {
            throw new CredentialUnavailableException("MailTokenProviderCredential cannot serve this request: " + reason);
        }

        return new MailTokenRequest(protocol, _mailbox, forceRefresh: !string.IsNullOrEmpty(context.Claims));
    }

    private MailProtocol? Map(string scope)
    {
        var slash = scope.LastIndexOf('/');
        var resource = slash > 0 ? scope.Substring(0, slash) : null;
        var name = slash > 0 ? scope.Substring(slash + 1) : scope;
        if (resource is null)
        {
            // A bare scope (Mail.Send, User.Read) resolves to Microsoft Graph at the token service.
            return name.Length > 0 && name.IndexOf(':') < 0 ? MailProtocol.Graph : null;
        }

        if (string.Equals(resource, GraphAppId, StringComparison.OrdinalIgnoreCase) || SameHost(resource, _cloud.GraphResource))
        {
            return MailProtocol.Graph;
        }

        var exchange = string.Equals(resource, ExchangeAppId, StringComparison.OrdinalIgnoreCase)
            || SameHost(resource, _cloud.ExchangeResource)
            || SameHost(resource, _cloud.DelegatedScopeResource)
            || (_cloud == MailCloud.Global && SameHost(resource, new Uri("https://ps.outlook.com")));
        if (!exchange)
        {
            return null;
        }

        return name.ToUpperInvariant() switch
        {
            "IMAP.ACCESSASUSER.ALL" => MailProtocol.Imap,
            "POP.ACCESSASUSER.ALL" => MailProtocol.Pop,
            "SMTP.SEND" => MailProtocol.Smtp,
            _ => MailProtocol.Ews,
        };
    }

    private sealed class MappedScopes
    {
        public MappedScopes(string[] scopes, MailProtocol protocol)
        {
            Scopes = scopes;
            Protocol = protocol;
        }

        public string[] Scopes { get; }

        public MailProtocol Protocol { get; }
    }
}
