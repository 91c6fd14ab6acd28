using Microsoft.Extensions.Logging;

namespace ModernAuth.Mail.MailKit.Internal;

/// <summary>
/// Every log event of the MailKit adapter (ids 2001-2099). Event ids are public API: never reuse or renumber them.
/// A token is named by its fingerprint, never shown.
/// </summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 2001, EventName = "MailKitAuthenticating", Level = LogLevel.Debug,
        Message = "Authenticating {Protocol} as {User} with {Mechanism}, token {Fingerprint} (attempt {Attempt}).")]
    public static partial void Authenticating(ILogger logger, MailProtocol protocol, string user, string mechanism, string fingerprint, int attempt);

    [LoggerMessage(EventId = 2002, EventName = "MailKitAuthenticated", Level = LogLevel.Information,
        Message = "Authenticated {Protocol} as {User} with {Mechanism} in {ElapsedMs} ms.")]
    public static partial void Authenticated(ILogger logger, MailProtocol protocol, string user, string mechanism, long elapsedMs);

    [LoggerMessage(EventId = 2003, EventName = "MailKitTokenRejected", Level = LogLevel.Warning,
        Message = "The {Protocol} server rejected the token for {User} ({Code}, attempt {Attempt}): {ServerResponse}")]
    public static partial void Rejected(ILogger logger, MailProtocol protocol, string user, string code, string serverResponse, int attempt);

    [LoggerMessage(EventId = 2004, EventName = "MailKitReconnecting", Level = LogLevel.Information,
        Message = "The {Protocol} server closed the connection after the rejection; reconnecting to retry with a fresh token.")]
    public static partial void Reconnecting(ILogger logger, MailProtocol protocol);

    [LoggerMessage(EventId = 2005, EventName = "MailKitConnecting", Level = LogLevel.Debug,
        Message = "Connecting to the {Protocol} server {Endpoint}.")]
    public static partial void Connecting(ILogger logger, MailProtocol protocol, string endpoint);
}
