using Microsoft.Identity.Client;

namespace ModernAuth.Mail.Internal;

/// <summary>
/// The delegated flow of <see cref="DeviceCodeTokenProvider"/>: silent from MSAL's cache (kept in a file or a store) for
/// the account the request names, else a device code sign-in, unless interactive sign-in is disabled.
/// </summary>
internal sealed class DeviceCodeFlow : PublicClientFlow
{
    private readonly DeviceCodeTokenProviderOptions _options;

    public DeviceCodeFlow(DeviceCodeTokenProviderOptions options, string clientId, string tenant, string? tokenCachePath)
        : base(options, clientId, tenant, tokenCachePath, options.AllowUnencryptedTokenCache, options.DisableInteractiveSignIn, options.Username, typeof(DeviceCodeTokenProvider).FullName!)
    {
        _options = options;
    }

    protected override string SignInName => "a device code sign-in";

    protected override string SignInCommand => "modernauth-mail token --flow device-code";

    protected override async Task<AuthenticationResult> SignInAsync(IPublicClientApplication application, IReadOnlyList<string> scopes, MailTokenRequest request, CancellationToken cancellationToken)
    {
        try
        {
            return await application.AcquireTokenWithDeviceCode(scopes, code => ShowCodeAsync(code, cancellationToken)).ExecuteAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (MsalServiceException error) when (TokenServiceErrors.TryParseAadsts(error.Message, out var aadsts) && aadsts == TokenServiceErrors.ConditionalAccessBlockedCode)
        {
            // Tenants now block the device code flow with Conditional Access (device code phishing): say what works instead.
            throw new MailAuthenticationException(MailErrorCodes.ConditionalAccessBlocked,
                "A Conditional Access policy blocked the device code sign-in (AADSTS53003); many tenants block the device code flow on purpose.",
                "Use Flow=InteractiveBrowser (`modernauth-mail token --flow interactive`): the user signs in in a browser on this machine. If no browser can run here, ask an administrator to exclude this app or user from the policy that blocks the device code flow (Entra admin center > Conditional Access > Authentication flows).",
                isRetryable: false, error)
            { Protocol = request.Protocol, ServerResponse = MsalErrorMapper.FirstLine(error.Message) };
        }
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
}
