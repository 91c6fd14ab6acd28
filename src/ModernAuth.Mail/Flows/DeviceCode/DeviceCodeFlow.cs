using Microsoft.Identity.Client;

namespace ModernAuth.Mail.Internal;

/// <summary>
/// The delegated flow of <see cref="DeviceCodeTokenProvider"/>: silent from MSAL's cache (kept in a file or a store) for
/// the account the request names, else a device code sign-in, unless interactive sign-in is disabled.
/// </summary>
internal sealed class DeviceCodeFlow : MsalFlow
{
    private readonly DeviceCodeTokenProviderOptions _options;
    private readonly SemaphoreSlim _buildLock = new(1, 1);
    private IPublicClientApplication? _application;

    public DeviceCodeFlow(DeviceCodeTokenProviderOptions options, string clientId, string tenant, string? tokenCachePath)
        : base(options, clientId, tenant, appOnly: false, typeof(DeviceCodeTokenProvider).FullName!)
    {
        _options = options;
        TokenCachePath = tokenCachePath;
    }

    /// <summary>The token cache file, or <see langword="null"/> when the cache is in memory or in a store.</summary>
    public string? TokenCachePath { get; }

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

    protected override async Task<(AuthenticationResult Result, string? Account)> AcquireCoreAsync(MailTokenRequest request, bool forceRefresh, CancellationToken cancellationToken)
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
                if (_options.DisableInteractiveSignIn)
                {
                    throw;
                }
            }
        }
        else
        {
            reason = "no cached account";
        }

        if (_options.DisableInteractiveSignIn)
        {
            throw new MailAuthenticationException(MailErrorCodes.InteractionRequired,
                $"No cached sign-in can be used for {request.Protocol} and interactive sign-in is disabled.",
                "Sign in once interactively on this machine (for example `modernauth-mail token --flow device-code`) so the account is cached, or turn DisableInteractiveSignIn off.")
            { Protocol = request.Protocol };
        }

        Log.SilentSignInUnavailable(Logger, request.Protocol, reason);
        var result = await application.AcquireTokenWithDeviceCode(scopes, code => ShowCodeAsync(code, cancellationToken)).ExecuteAsync(cancellationToken).ConfigureAwait(false);
        return (result, request.Mailbox ?? result.Account?.Username);
    }

    private async Task<IAccount?> FindAccountAsync(IPublicClientApplication application, string? mailbox)
    {
        var accounts = (await application.GetAccountsAsync().ConfigureAwait(false)).ToList();
        if (accounts.Count == 0)
        {
            return null;
        }

        // The mailbox may be the user's own or a shared mailbox the user may open: prefer an exact account match.
        return accounts.FirstOrDefault(a => string.Equals(a.Username, mailbox, StringComparison.OrdinalIgnoreCase))
            ?? accounts.FirstOrDefault(a => string.Equals(a.Username, _options.Username, StringComparison.OrdinalIgnoreCase))
            ?? accounts[0];
    }

    private Task ShowCodeAsync(DeviceCodeResult code, CancellationToken cancellationToken)
    {
        var info = new DeviceCodeInfo(code.UserCode, new Uri(code.VerificationUrl), code.ExpiresOn, code.Message, code.Scopes.ToArray());
        Log.DeviceCodeIssued(Logger, code.VerificationUrl, code.ExpiresOn);
        if (_options.DeviceCodeCallback is { } callback)
        {
            return callback(info, cancellationToken);
        }

        // No callback: the person at the console must see the instruction. Standard error keeps standard output clean
        // for piping. This is the one place a library of ours writes to the console, and it is documented.
#pragma warning disable RS0030 // Banned API: see above.
        Console.Error.WriteLine(info.Message);
#pragma warning restore RS0030
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
                var application = ConfigureCommon(PublicClientApplicationBuilder.Create(ClientId))
                    .WithDefaultRedirectUri()
                    .Build();
                if (!AttachStore(application.UserTokenCache) && TokenCachePath is { } path)
                {
                    await PersistentTokenCache.AttachAsync(application.UserTokenCache, path, _options.AllowUnencryptedTokenCache, Logger).ConfigureAwait(false);
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
