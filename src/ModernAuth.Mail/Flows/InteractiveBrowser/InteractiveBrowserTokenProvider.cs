using ModernAuth.Mail.Caching;
using ModernAuth.Mail.Internal;

namespace ModernAuth.Mail;

/// <summary>
/// Delegated tokens: a person signs in once in the system browser (authorization code flow with PKCE and a loopback
/// redirect, with MFA and Conditional Access), and the account and refresh token persist in a token cache file so later
/// runs — and later processes — are silent. For desktop apps, and for tenants whose Conditional Access blocks the device
/// code flow. Works for work or school accounts and, with <see cref="MailCloud.PersonalAccounts"/>, for outlook.com,
/// hotmail.com and live.com accounts. Where no browser can start, it fails at once with
/// <see cref="MailErrorCodes.BrowserUnavailable"/>; a sign-in that never comes back fails after
/// <see cref="InteractiveBrowserTokenProviderOptions.SignInTimeout"/> with <see cref="MailErrorCodes.SignInTimedOut"/>.
/// </summary>
/// <example>
/// <code>
/// var provider = new InteractiveBrowserTokenProvider(clientId, new InteractiveBrowserTokenProviderOptions { TenantId = "contoso.com" });
/// var token = await provider.GetTokenAsync(new MailTokenRequest(MailProtocol.Imap));
/// </code>
/// </example>
public class InteractiveBrowserTokenProvider : MailTokenProvider
{
    private readonly InteractiveBrowserFlow? _flow;
    private readonly TokenCacheGate? _gate;

    /// <summary>Creates a provider.</summary>
    /// <param name="clientId">
    /// The application (client) id of an app registration with the redirect URI <c>http://localhost</c> under
    /// Authentication > Mobile and desktop applications.
    /// </param>
    /// <param name="options">More options; <see langword="null"/> for the defaults.</param>
    /// <exception cref="ArgumentException">
    /// <paramref name="clientId"/> is missing, or <see cref="InteractiveBrowserTokenProviderOptions.RedirectUri"/> is not an
    /// <c>http</c> loopback address.
    /// </exception>
    public InteractiveBrowserTokenProvider(string clientId, InteractiveBrowserTokenProviderOptions? options = null)
    {
        options ??= new InteractiveBrowserTokenProviderOptions();
        var client = Validate.NotEmpty(clientId, nameof(clientId), "client id");
        if (!IsLoopbackRedirect(options.RedirectUri))
        {
            throw new ArgumentException($"The redirect URI '{options.RedirectUri}' must be http://localhost (optionally with a port) or http://127.0.0.1: the browser sign-in answers to a listener on this machine.", nameof(options));
        }

        var tenant = PublicClientFlow.ResolveTenant(options.Cloud, options.TenantId);
        var cachePath = PublicClientFlow.ResolveTokenCachePath(options.PersistTokenCache, options.TokenCacheStore, options.TokenCachePath);
        _flow = new InteractiveBrowserFlow(options, client, tenant, cachePath);
        _gate = _flow.CreateGate();
    }

    /// <summary>For mocking only.</summary>
    protected InteractiveBrowserTokenProvider()
    {
    }

    /// <inheritdoc/>
    public override MailCloud Cloud => _flow?.Cloud ?? MailCloud.Global;

    /// <summary>The application (client) id.</summary>
    public virtual string ClientId => _flow?.ClientId ?? string.Empty;

    /// <summary>The tenant (<c>organizations</c>, <c>consumers</c> or a tenant id).</summary>
    public virtual string TenantId => _flow?.Tenant ?? string.Empty;

    /// <summary>The token cache file, or <see langword="null"/> when the cache is kept in memory only or in a <see cref="MailTokenProviderOptions.TokenCacheStore"/>.</summary>
    public virtual string? TokenCachePath => _flow?.TokenCachePath;

    /// <inheritdoc/>
    public override ValueTask<MailAccessToken> GetTokenAsync(MailTokenRequest request, CancellationToken cancellationToken = default) =>
        (_gate ?? throw MadeForMocking()).GetTokenAsync(request, cancellationToken);

    /// <summary>Lists the accounts signed in and cached (user names).</summary>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>The user names.</returns>
    public virtual Task<IReadOnlyList<string>> GetSignedInAccountsAsync(CancellationToken cancellationToken = default) =>
        (_flow ?? throw MadeForMocking()).GetAccountsAsync(cancellationToken);

    /// <summary>Signs every account out: removes them and their refresh tokens from the cache (and its file).</summary>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>A task.</returns>
    public virtual async Task SignOutAsync(CancellationToken cancellationToken = default)
    {
        await (_flow ?? throw MadeForMocking()).SignOutAsync(cancellationToken).ConfigureAwait(false);
        _gate!.Clear();
    }

    /// <inheritdoc/>
    public override string ToString() => $"InteractiveBrowserTokenProvider {{ TenantId = {TenantId}, ClientId = {ClientId}, Cloud = {_flow?.Cloud.Name} }}";

    /// <summary>Whether <paramref name="uri"/> is an http loopback redirect (<c>localhost</c> or <c>127.0.0.1</c>).</summary>
    internal static bool IsLoopbackRedirect(Uri? uri) =>
        uri is { IsAbsoluteUri: true } && uri.Scheme == Uri.UriSchemeHttp &&
        (string.Equals(uri.Host, "localhost", StringComparison.OrdinalIgnoreCase) || uri.Host == "127.0.0.1");

    private static InvalidOperationException MadeForMocking() => new("This instance was made for mocking.");
}
