namespace ModernAuth.Mail;

/// <summary>Options of <see cref="InteractiveBrowserTokenProvider"/>. Shared defaults are documented on <see cref="MailTokenProviderOptions"/>.</summary>
public class InteractiveBrowserTokenProviderOptions : MailTokenProviderOptions
{
    /// <summary>The default of <see cref="RedirectUri"/>: <c>http://localhost</c> (any free port).</summary>
    public static Uri DefaultRedirectUri { get; } = new("http://localhost");

    /// <summary>The default of <see cref="SignInTimeout"/>: 5 minutes.</summary>
    public static TimeSpan DefaultSignInTimeout { get; } = TimeSpan.FromMinutes(5);

    private TimeSpan _signInTimeout = DefaultSignInTimeout;

    /// <summary>
    /// The tenant: a tenant id or domain for single-tenant apps, <c>organizations</c> for any work or school
    /// account, <c>consumers</c> for personal accounts. Default <see langword="null"/>: the cloud's
    /// <see cref="MailCloud.DefaultTenant"/> (<c>consumers</c> for <see cref="MailCloud.PersonalAccounts"/>),
    /// else <c>organizations</c>.
    /// </summary>
    public string? TenantId { get; set; }

    /// <summary>
    /// The loopback redirect URI registered on the app registration (Authentication > Mobile and desktop applications):
    /// <c>http://localhost</c> lets the sign-in listen on any free port; <c>http://localhost:PORT</c> fixes the port.
    /// Must be <c>http</c> on <c>localhost</c> or <c>127.0.0.1</c>. Default <see cref="DefaultRedirectUri"/>.
    /// </summary>
    public Uri RedirectUri { get; set; } = DefaultRedirectUri;

    /// <summary>
    /// How long the user has to finish the sign-in in the browser before it fails with
    /// <see cref="MailErrorCodes.SignInTimedOut"/> (a browser that never answers, a user who walked away).
    /// Default <see cref="DefaultSignInTimeout"/> (5 minutes).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is not positive.</exception>
    public TimeSpan SignInTimeout
    {
        get => _signInTimeout;
        set => _signInTimeout = value > TimeSpan.Zero ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "The sign-in timeout must be positive.");
    }

    /// <summary>
    /// Opens the sign-in page instead of the system browser (for example a browser of your choice, or a scripted browser
    /// in tests). The page redirects to the loopback listener at <see cref="RedirectUri"/> as usual. Receives the
    /// sign-in page's address. Default <see langword="null"/>: the system browser (on Linux through <c>xdg-open</c> and
    /// friends). Ignored when <see cref="CustomWebUi"/> is set.
    /// </summary>
    public Func<Uri, CancellationToken, Task>? OpenBrowser { get; set; }

    /// <summary>
    /// Runs the whole browser part yourself, with no loopback listener (an embedded web view, a headless host that
    /// forwards the page elsewhere). Receives the sign-in page's address and the redirect URI; returns the full address
    /// the sign-in redirected to (the redirect URI with its <c>code</c> and <c>state</c>, or <c>error</c>, query).
    /// Default <see langword="null"/>: the system browser and a loopback listener.
    /// </summary>
    public Func<Uri, Uri, CancellationToken, Task<Uri>>? CustomWebUi { get; set; }

    /// <summary>
    /// Keeps the signed-in account and its refresh token in a file so later runs are silent: the user signs in
    /// once per machine. Default <see langword="true"/>. Ignored when <see cref="MailTokenProviderOptions.TokenCacheStore"/>
    /// is set: the store keeps the sign-in instead of the file.
    /// </summary>
    public bool PersistTokenCache { get; set; } = true;

    /// <summary>
    /// The token cache file. Default <see langword="null"/>: <c>ModernAuth.Mail/msal-token-cache.bin</c> under the
    /// user's local application data folder (<c>~/.local/share</c> on Linux), shared with <see cref="DeviceCodeTokenProvider"/>.
    /// </summary>
    public string? TokenCachePath { get; set; }

    /// <summary>
    /// Where no OS key store exists (Linux without a keyring, containers), allows a plain cache file that only its
    /// owner may read (mode 0600). When <see langword="false"/> there, tokens stay in memory. Default <see langword="true"/>.
    /// </summary>
    public bool AllowUnencryptedTokenCache { get; set; } = true;

    /// <summary>
    /// Fails with <see cref="MailErrorCodes.InteractionRequired"/> instead of opening a browser when no cached sign-in
    /// can be used (for services that must never wait for a person). Default <see langword="false"/>.
    /// </summary>
    public bool DisableInteractiveSignIn { get; set; }

    /// <summary>
    /// The account to use when several are cached and a request names no mailbox; also the login hint the sign-in page
    /// is filled with. Default <see langword="null"/>.
    /// </summary>
    public string? Username { get; set; }
}
