using Microsoft.Identity.Client;
using ModernAuth.Mail.Caching;
using ModernAuth.Mail.Internal;

namespace ModernAuth.Mail;

/// <summary>
/// Delegated tokens: a user signs in once with a device code (on any device with a browser, with MFA), and the
/// account and refresh token persist in a token cache file so later runs — and later processes — are silent.
/// Works for work or school accounts and, with <see cref="MailCloud.PersonalAccounts"/>, for outlook.com,
/// hotmail.com and live.com accounts (whose tokens are opaque: that is normal).
/// </summary>
/// <example>
/// <code>
/// var provider = new DeviceCodeTokenProvider(clientId, new DeviceCodeTokenProviderOptions { Cloud = MailCloud.PersonalAccounts });
/// var token = await provider.GetTokenAsync(new MailTokenRequest(MailProtocol.Imap));
/// </code>
/// </example>
public class DeviceCodeTokenProvider : MailTokenProvider
{
    private readonly DeviceCodeTokenProviderOptions? _options;
    private readonly FlowContext? _context;
    private readonly SemaphoreSlim _buildLock = new(1, 1);
    private IPublicClientApplication? _application;

    /// <summary>Creates a provider.</summary>
    /// <param name="clientId">The application (client) id of an app registration with "Allow public client flows" on.</param>
    /// <param name="options">More options; <see langword="null"/> for the defaults.</param>
    /// <exception cref="ArgumentException"><paramref name="clientId"/> is missing.</exception>
    public DeviceCodeTokenProvider(string clientId, DeviceCodeTokenProviderOptions? options = null)
    {
        _options = options ?? new DeviceCodeTokenProviderOptions();
        var client = Validate.NotEmpty(clientId, nameof(clientId), "client id");
        var cloud = _options.Cloud ?? MailCloud.Global;
        var tenant = string.IsNullOrWhiteSpace(_options.TenantId) ? cloud.DefaultTenant ?? "organizations" : _options.TenantId!.Trim();
        _context = new FlowContext(_options, client, tenant, appOnly: false, typeof(DeviceCodeTokenProvider).FullName!, AcquireAsync);
    }

    /// <summary>For mocking only.</summary>
    protected DeviceCodeTokenProvider()
    {
    }

    /// <summary>The application (client) id.</summary>
    public virtual string ClientId => _context?.ClientId ?? string.Empty;

    /// <summary>The tenant (<c>organizations</c>, <c>consumers</c> or a tenant id).</summary>
    public virtual string TenantId => _context?.Tenant ?? string.Empty;

    /// <summary>The token cache file, or <see langword="null"/> when the cache is kept in memory only or in a <see cref="MailTokenProviderOptions.TokenCacheStore"/>.</summary>
    public virtual string? TokenCachePath => _options is { PersistTokenCache: true, TokenCacheStore: null } ? Path.GetFullPath(_options.TokenCachePath ?? PersistentTokenCache.DefaultPath) : null;

    /// <inheritdoc/>
    public override ValueTask<MailAccessToken> GetTokenAsync(MailTokenRequest request, CancellationToken cancellationToken = default) =>
        Context.Gate.GetTokenAsync(Context.KeyFor(request), request, cancellationToken);

    /// <summary>Lists the accounts signed in and cached (user names).</summary>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>The user names.</returns>
    public virtual async Task<IReadOnlyList<string>> GetSignedInAccountsAsync(CancellationToken cancellationToken = default)
    {
        var application = await GetApplicationAsync(cancellationToken).ConfigureAwait(false);
        var accounts = await application.GetAccountsAsync().ConfigureAwait(false);
        return accounts.Select(a => a.Username).ToArray();
    }

    /// <summary>Signs every account out: removes them and their refresh tokens from the cache (and its file).</summary>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>A task.</returns>
    public virtual async Task SignOutAsync(CancellationToken cancellationToken = default)
    {
        var application = await GetApplicationAsync(cancellationToken).ConfigureAwait(false);
        foreach (var account in await application.GetAccountsAsync().ConfigureAwait(false))
        {
            cancellationToken.ThrowIfCancellationRequested();
            await application.RemoveAsync(account).ConfigureAwait(false);
        }

        Context.Gate.Clear();
    }

    /// <inheritdoc/>
    public override string ToString() => $"DeviceCodeTokenProvider {{ TenantId = {TenantId}, ClientId = {ClientId}, Cloud = {_context?.Cloud.Name} }}";

    private FlowContext Context => _context ?? throw new InvalidOperationException("This instance was made for mocking.");

    private Task<MailAccessToken> AcquireAsync(TokenCacheKey key, MailTokenRequest request, bool forceRefresh, CancellationToken cancellationToken) =>
        Context.AcquireAsync(request, forceRefresh, async ct =>
        {
            var application = await GetApplicationAsync(ct).ConfigureAwait(false);
            var scopes = Context.ScopesFor(request.Protocol);
            var account = await FindAccountAsync(application, request.Mailbox).ConfigureAwait(false);
            string reason;
            if (account is not null)
            {
                try
                {
                    var silent = await application.AcquireTokenSilent(scopes, account).WithForceRefresh(forceRefresh).ExecuteAsync(ct).ConfigureAwait(false);
                    return (silent, request.Mailbox ?? silent.Account?.Username);
                }
                catch (MsalUiRequiredException error)
                {
                    reason = error.ErrorCode;
                    if (_options!.DisableInteractiveSignIn)
                    {
                        throw;
                    }
                }
            }
            else
            {
                reason = "no cached account";
            }

            if (_options!.DisableInteractiveSignIn)
            {
                throw new MailAuthenticationException(MailErrorCodes.InteractionRequired,
                    $"No cached sign-in can be used for {request.Protocol} and interactive sign-in is disabled.",
                    "Sign in once interactively on this machine (for example `modernauth-mail token --flow device-code`) so the account is cached, or turn DisableInteractiveSignIn off.")
                { Protocol = request.Protocol };
            }

            Log.SilentSignInUnavailable(Context.Logger, request.Protocol, reason);
            var result = await application.AcquireTokenWithDeviceCode(scopes, code => ShowCodeAsync(code, ct)).ExecuteAsync(ct).ConfigureAwait(false);
            return (result, request.Mailbox ?? result.Account?.Username);
        }, cancellationToken);

    private async Task<IAccount?> FindAccountAsync(IPublicClientApplication application, string? mailbox)
    {
        var accounts = (await application.GetAccountsAsync().ConfigureAwait(false)).ToList();
        if (accounts.Count == 0)
        {
            return null;
        }

        // The mailbox may be the user's own or a shared mailbox the user may open: prefer an exact account match.
        return accounts.FirstOrDefault(a => string.Equals(a.Username, mailbox, StringComparison.OrdinalIgnoreCase))
            ?? accounts.FirstOrDefault(a => string.Equals(a.Username, _options!.Username, StringComparison.OrdinalIgnoreCase))
            ?? accounts[0];
    }

    private Task ShowCodeAsync(DeviceCodeResult code, CancellationToken cancellationToken)
    {
        var info = new DeviceCodeInfo(code.UserCode, new Uri(code.VerificationUrl), code.ExpiresOn, code.Message, code.Scopes.ToArray());
        Log.DeviceCodeIssued(Context.Logger, code.VerificationUrl, code.ExpiresOn);
        if (_options!.DeviceCodeCallback is { } callback)
        {
            return callback(info, cancellationToken);
        }

        Console.Error.WriteLine(info.Message);
        return Task.CompletedTask;
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
                var application = Context.ConfigureCommon(PublicClientApplicationBuilder.Create(Context.ClientId))
                    .WithDefaultRedirectUri()
                    .Build();
                if (_options!.TokenCacheStore is { } store)
                {
                    var key = Context.StoreKey;
                    TokenCacheStoreBinding.Attach(application.UserTokenCache, store, _ => key, Context.Logger);
                }
                else if (TokenCachePath is { } path)
                {
                    await PersistentTokenCache.AttachAsync(application.UserTokenCache, path, _options!.AllowUnencryptedTokenCache, Context.Logger).ConfigureAwait(false);
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
