using Microsoft.Identity.Client;
using Microsoft.Identity.Client.Extensibility;

namespace ModernAuth.Mail.Internal;

/// <summary>
/// The delegated flow of <see cref="InteractiveBrowserTokenProvider"/>: silent from MSAL's cache for the account the
/// request names, else MSAL's interactive sign-in (authorization code with PKCE) in the system browser with a loopback
/// redirect, or through the options' browser hooks, bounded by the sign-in timeout.
/// </summary>
internal sealed class InteractiveBrowserFlow : PublicClientFlow
{
    private readonly InteractiveBrowserTokenProviderOptions _options;

    public InteractiveBrowserFlow(InteractiveBrowserTokenProviderOptions options, string clientId, string tenant, string? tokenCachePath)
        : base(options, clientId, tenant, tokenCachePath, options.AllowUnencryptedTokenCache, options.DisableInteractiveSignIn, options.Username, typeof(InteractiveBrowserTokenProvider).FullName!)
    {
        _options = options;
    }

    protected override string SignInName => "a browser sign-in";

    protected override string SignInCommand => "modernauth-mail token --flow interactive";

    protected override PublicClientApplicationBuilder WithRedirectUri(PublicClientApplicationBuilder builder) =>
        builder.WithRedirectUri(_options.RedirectUri.GetLeftPart(UriPartial.Path).TrimEnd('/'));

    protected override async Task<AuthenticationResult> SignInAsync(IPublicClientApplication application, IReadOnlyList<string> scopes, MailTokenRequest request, CancellationToken cancellationToken)
    {
        var timeProvider = _options.TimeProvider ?? TimeProvider.System;
        using var timeout = CreateTimeout(timeProvider, _options.SignInTimeout);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        var signIn = linked.Token;

        var builder = application.AcquireTokenInteractive(scopes).WithPrompt(Prompt.SelectAccount);
        var hint = request.Mailbox ?? _options.Username;
        if (!string.IsNullOrWhiteSpace(hint))
        {
            builder = builder.WithLoginHint(hint);
        }

        string browser;
        if (_options.CustomWebUi is { } customWebUi)
        {
            builder = builder.WithCustomWebUi(new DelegateWebUi(customWebUi));
            browser = "the custom web UI";
        }
        else if (_options.OpenBrowser is { } openBrowser)
        {
            builder = builder.WithSystemWebViewOptions(new SystemWebViewOptions { OpenBrowserAsync = uri => openBrowser(uri, signIn) });
            browser = "the configured browser";
        }
        else
        {
            browser = "the system browser";
        }

        Log.BrowserSignInStarted(Logger, _options.SignInTimeout, browser, _options.RedirectUri.GetLeftPart(UriPartial.Authority));
        try
        {
            return await builder.ExecuteAsync(signIn).ConfigureAwait(false);
        }
        catch (Exception error) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested && error is not MailAuthenticationException)
        {
            throw new MailAuthenticationException(MailErrorCodes.SignInTimedOut,
                $"The browser sign-in did not finish within {_options.SignInTimeout} (no answer came back to {_options.RedirectUri.GetLeftPart(UriPartial.Authority)}).",
                "Sign in again and finish within the time (SignInTimeout sets it). If no browser window appeared, this machine cannot show one: use Flow=DeviceCode, or set OpenBrowser or CustomWebUi to show the sign-in page another way.",
                false, error)
            { Protocol = request.Protocol };
        }
    }

    private static CancellationTokenSource CreateTimeout(TimeProvider timeProvider, TimeSpan timeout)
    {
#if NET8_0_OR_GREATER
        return new CancellationTokenSource(timeout, timeProvider);
#else
        return timeProvider.CreateCancellationTokenSource(timeout);
#endif
    }

    /// <summary>Our <see cref="InteractiveBrowserTokenProviderOptions.CustomWebUi"/> delegate as MSAL's <see cref="ICustomWebUi"/>.</summary>
    private sealed class DelegateWebUi : ICustomWebUi
    {
        private readonly Func<Uri, Uri, CancellationToken, Task<Uri>> _navigate;

        public DelegateWebUi(Func<Uri, Uri, CancellationToken, Task<Uri>> navigate) => _navigate = navigate;

        public Task<Uri> AcquireAuthorizationCodeAsync(Uri authorizationUri, Uri redirectUri, CancellationToken cancellationToken) =>
            _navigate(authorizationUri, redirectUri, cancellationToken);
    }
}
