using Microsoft.Extensions.Logging;

namespace ModernAuth.Mail;

/// <summary>
/// Options of a <see cref="CachedMailTokenProvider"/>: the cloud, the cache gate's refresh margin and clock, and logging.
/// A provider of your own derives its options class from this one, as the built-in bridges do.
/// </summary>
public class CachedMailTokenProviderOptions
{
    private TimeSpan _refreshMargin = TimeSpan.FromMinutes(5);
    private MailCloud _cloud = MailCloud.Global;
    private TimeProvider _timeProvider = TimeProvider.System;

    /// <summary>The cloud: it decides the scopes per protocol. Default <see cref="MailCloud.Global"/>.</summary>
    /// <exception cref="ArgumentNullException">The value is <see langword="null"/>.</exception>
    public MailCloud Cloud
    {
        get => _cloud;
        set => _cloud = value ?? throw new ArgumentNullException(nameof(value));
    }

    /// <summary>
    /// A cached token that expires within this margin is refreshed in the background while callers keep getting it;
    /// an expired one is never returned. Default 5 minutes.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is negative.</exception>
    public TimeSpan RefreshMargin
    {
        get => _refreshMargin;
        set => _refreshMargin = value >= TimeSpan.Zero ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "RefreshMargin cannot be negative.");
    }

    /// <summary>The clock. Default <see cref="TimeProvider.System"/>; tests inject a fake one.</summary>
    /// <exception cref="ArgumentNullException">The value is <see langword="null"/>.</exception>
    public TimeProvider TimeProvider
    {
        get => _timeProvider;
        set => _timeProvider = value ?? throw new ArgumentNullException(nameof(value));
    }

    /// <summary>Where the provider logs (tokens are never logged, only their fingerprint). Default <see langword="null"/>: no logging.</summary>
    public ILoggerFactory? LoggerFactory { get; set; }
}
