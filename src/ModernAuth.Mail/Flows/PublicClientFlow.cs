using Microsoft.Identity.Client;
using ModernAuth.Mail.Caching;

namespace ModernAuth.Mail.Internal;

/// <summary>
/// The delegated (public client) flows' shared path: silent from MSAL's cache (kept in a file or a store) for the account
/// the request names, else the flow's own sign-in (<see cref="SignInAsync"/>), unless interactive sign-in is disabled.
/// </summary>
internal abstract class PublicClientFlow : MsalFlow
{
    private readonly SemaphoreSlim _buildLock = new(1, 1);
    private readonly bool _allowUnencryptedTokenCache;
    private IPublicClientApplication? _application;

    protected PublicClientFlow(MailTokenProviderOptions options, string clientId, string tenant, string? tokenCachePath, bool allowUnencryptedTokenCache, bool disableInteractiveSignIn, string? username, string loggerCategory)
        : base(options, clientId, tenant, appOnly: false, loggerCategory)
    {
        TokenCachePath = tokenCachePath;
        _allowUnencryptedTokenCache = allowUnencryptedTokenCache;
        DisableInteractiveSignIn = disableInteractiveSignIn;
        Username = username;
    }

    /// <summary>The tenant a delegated sign-in uses: the one given, else the cloud's default, else <c>organizations</c>.</summary>
    public static string ResolveTenant(MailCloud? cloud, string? tenantId) =>
        string.IsNullOrWhiteSpace(tenantId) ? (cloud ?? MailCloud.Global).DefaultTenant ?? "organizations" : tenantId!.Trim();

    /// <summary>The token cache file to keep, or <see langword="null"/> when nothing is persisted or a store keeps the cache.</summary>
    public static string? ResolveTokenCachePath(bool persist, MailTokenCacheStore? store, string? path) =>
        persist && store is null ? Path.GetFullPath(path ?? PersistentTokenCache.DefaultPath) : null;

    /// <summary>The token cache file, or <see langword="null"/> when the cache is in memory or in a store.</summary>
    public string? TokenCachePath { get; }

    public bool DisableInteractiveSignIn { get; }

    public string? Username { get; }

    /// <summary>What the log and errors call this flow's sign-in, for example "a device code sign-in".</summary>
    protected abstract string SignInName { get; }

    /// <summary>The command that signs in once so later runs are silent, for the remedy of <see cref="MailErrorCodes.InteractionRequired"/>.</summary>
    protected abstract string SignInCommand { get; }

    public async Task<IReadOnlyList<string>> GetAccountsAsync(CancellationToken cancellationToken)
    {
        var application = await GetApplicationAsync(cancellationToken).ConfigureAwait(false);
        var accounts = await application.GetAccountsAsync().ConfigureAwait(false);
        return accounts.Select(a => a.Username).ToArray();
    }

    public async Task SignOutAsync(CancellationToken cancellationToken)
    {
        var application = await GetApplicationAsync(cancellationToken).ConfigureAwait(false);
        foreach (var account in await application.GetAccountsAsync().ConfigureAwait(false))
        {
            cancellationToken.ThrowIfCancellationRequested();
            await application.RemoveAsync(account).ConfigureAwait(false);
        }
    }

    protected sealed override async Task<(AuthenticationResult Result, string? Account)> AcquireCoreAsync(MailTokenRequest request, bool forceRefresh, CancellationToken cancellationToken)
    {
        var application = await GetApplicationAsync(cancellationToken).ConfigureAwait(false);
        var scopes = ScopesFor(request.Protocol);
        var account = await FindAccountAsync(application, request.Mailbox).ConfigureAwait(false);
        string reason;
        if (account is not null)
        {
            try
            {
                var silent = await application.AcquireTokenSilent(scopes, account).WithForceRefresh(forceRefresh).ExecuteAsync(cancellationToken).ConfigureAwait(false);
                return (silent, request.Mailbox ?? silent.Account?.Username);
            }
            catch (MsalUiRequiredException error)
            {
                reason = error.ErrorCode;
                if (DisableInteractiveSignIn)
                {
                    throw;
                }
            }
        }
        else
        {
            reason = "no cached account";
        }

        if (DisableInteractiveSignIn)
        {
            throw new MailAuthenticationException(MailErrorCodes.InteractionRequired,
                $"No cached sign-in can be used for {request.Protocol} and interactive sign-in is disabled.",
                $"Sign in once interactively on this machine (for example `{SignInCommand}`) so the account is cached, or turn DisableInteractiveSignIn off.")
            { Protocol = request.Protocol };
        }

        Log.SilentSignInUnavailable(Logger, request.Protocol, reason, SignInName);
        var result = await SignInAsync(application, scopes, request, cancellationToken).ConfigureAwait(false);
        return (result, request.Mailbox ?? result.Account?.Username);
    }

    /// <summary>The flow's sign-in with a person, when nothing cached can be used.</summary>
    protected abstract Task<AuthenticationResult> SignInAsync(IPublicClientApplication application, IReadOnlyList<string> scopes, MailTokenRequest request, CancellationToken cancellationToken);

    /// <summary>The redirect URI of the application. Default: MSAL's default for the platform.</summary>
    protected virtual PublicClientApplicationBuilder WithRedirectUri(PublicClientApplicationBuilder builder) => builder.WithDefaultRedirectUri();

    private async Task<IAccount?> FindAccountAsync(IPublicClientApplication application, string? mailbox)
    {
        var accounts = (await application.GetAccountsAsync().ConfigureAwait(false)).ToList();
        if (accounts.Count == 0)
        {
            return null;
        }

        // The mailbox may be the user's own or a shared mailbox the user may open: prefer an exact account match.
        return accounts.FirstOrDefault(a => string.Equals(a.Username, mailbox, StringComparison.OrdinalIgnoreCase))
            ?? accounts.FirstOrDefault(a => string.Equals(a.Username, Username, StringComparison.OrdinalIgnoreCase))
            ?? accounts[0];
    }

    private async Task<IPublicClientApplication> GetApplicationAsync(CancellationToken cancellationToken)
    {
        if (_application is { } built)
        {
            return built;
        }

        await _buildLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_application is null)
            {
                var application = WithRedirectUri(ConfigureCommon(PublicClientApplicationBuilder.Create(ClientId))).Build();
                if (!AttachStore(application.UserTokenCache) && TokenCachePath is { } path)
                {
                    await PersistentTokenCache.AttachAsync(application.UserTokenCache, path, _allowUnencryptedTokenCache, Logger).ConfigureAwait(false);
                }

                _application = application;
            }

            return _application;
        }
        finally
        {
            _buildLock.Release();
        }
    }
}
