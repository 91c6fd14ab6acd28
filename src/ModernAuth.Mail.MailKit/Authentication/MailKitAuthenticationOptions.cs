using Microsoft.Extensions.Logging;

namespace ModernAuth.Mail.MailKit;

/// <summary>
/// How <c>AuthenticateAsync</c> authenticates a MailKit client with a token. Every property has a default that
/// suits Exchange Online; <see langword="null"/> options mean all defaults.
/// </summary>
public class MailKitAuthenticationOptions
{
    private TimeProvider _timeProvider = TimeProvider.System;

    /// <summary>Creates options with the defaults.</summary>
    public MailKitAuthenticationOptions()
    {
    }

    /// <summary>The SASL mechanism. Default <see cref="MailKitOAuthMechanism.Automatic"/>: XOAUTH2 when advertised, else OAUTHBEARER.</summary>
    public MailKitOAuthMechanism Mechanism { get; set; } = MailKitOAuthMechanism.Automatic;

    /// <summary>
    /// Whether a rejected token is replaced once by a fresh one from the token service (bypassing every cache) and
    /// authentication tried once more. Never done when the server throttles. Default <see langword="true"/>.
    /// </summary>
    public bool RetryWithFreshToken { get; set; } = true;

    /// <summary>
    /// The cloud the token should be for; diagnostics compare the token's audience and scopes with it when the
    /// server rejects it; <see cref="MailKitConnector"/> also takes the server from it. Default <see langword="null"/>: the
    /// provider's <see cref="MailTokenProvider.Cloud"/>.
    /// </summary>
    public MailCloud? Cloud { get; set; }

    /// <summary>The clock diagnostics check token expiry against. Default <see cref="System.TimeProvider.System"/>.</summary>
    /// <exception cref="ArgumentNullException">The value is <see langword="null"/>.</exception>
    public TimeProvider TimeProvider
    {
        get => _timeProvider;
        set => _timeProvider = value ?? throw new ArgumentNullException(nameof(value));
    }

    /// <summary>
    /// Where attempts, retries and rejections are logged (never a token: a token is named by its fingerprint).
    /// Default <see langword="null"/>: no logging.
    /// </summary>
    public ILoggerFactory? LoggerFactory { get; set; }
}
