using Microsoft.Extensions.Logging;
using ModernAuth.Mail.Caching;

namespace ModernAuth.Mail;

/// <summary>Options every built-in flow shares. Each flow has its own options class derived from this one.</summary>
public abstract class MailTokenProviderOptions
{
    private TimeSpan _refreshMargin = TimeSpan.FromMinutes(5);
    private TimeSpan _networkTimeout = TimeSpan.FromSeconds(30);

    /// <summary>Creates options with the defaults.</summary>
    protected MailTokenProviderOptions()
    {
    }

    /// <summary>The cloud: authority host, Exchange resource, scopes. Default <see cref="MailCloud.Global"/>.</summary>
    public MailCloud Cloud { get; set; } = MailCloud.Global;

    /// <summary>
    /// Overrides the cloud's authority host (for example a test token service). Default <see langword="null"/>:
    /// the cloud's <see cref="MailCloud.AuthorityHost"/>.
    /// </summary>
    public Uri? AuthorityHost { get; set; }

    /// <summary>
    /// Turns off MSAL's instance discovery (a metadata request to the authority host that fails for hosts Microsoft
    /// does not know). Set it for test token services and private clouds. Default <see langword="false"/>.
    /// </summary>
    public bool DisableInstanceDiscovery { get; set; }

    /// <summary>
    /// The HTTP handler token requests go through. Default <see langword="null"/>: a plain
    /// <see cref="HttpClientHandler"/>. Tests set the handler of <c>ModernAuth.Mail.Testing.FakeEntraId</c>; a
    /// proxy can be set here too. The provider does not dispose it.
    /// </summary>
    public HttpMessageHandler? Transport { get; set; }

    /// <summary>How long one request to the token service may take before it fails as <see cref="MailErrorCodes.TokenServiceTimeout"/>. Default 30 seconds.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is not positive.</exception>
    public TimeSpan NetworkTimeout
    {
        get => _networkTimeout;
        set => _networkTimeout = value > TimeSpan.Zero ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "NetworkTimeout must be positive.");
    }

    /// <summary>
    /// A cached token that expires within this margin is refreshed in the background while callers keep getting it;
    /// an expired one is never returned. Default 5 minutes (MSAL itself never serves a token that close to expiry).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is negative.</exception>
    public TimeSpan RefreshMargin
    {
        get => _refreshMargin;
        set => _refreshMargin = value >= TimeSpan.Zero ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "RefreshMargin cannot be negative.");
    }

    /// <summary>The clock. Default <see cref="TimeProvider.System"/>; tests inject a fake one.</summary>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    /// <summary>
    /// Keeps MSAL's token cache in a store shared by every instance of the application (for example Redis through
    /// <c>ModernAuth.Mail.Extensions</c>), so a token one instance got is reused by the others. Default
    /// <see langword="null"/>: each provider keeps its cache in memory (and the device code flow in its token cache
    /// file, which a store replaces). The provider does not dispose it.
    /// </summary>
    public MailTokenCacheStore? TokenCacheStore { get; set; }

    /// <summary>Where the provider logs (tokens and secrets are never logged). Default <see langword="null"/>: no logging.</summary>
    public ILoggerFactory? LoggerFactory { get; set; }
}
