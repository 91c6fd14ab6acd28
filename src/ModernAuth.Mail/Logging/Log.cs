using Microsoft.Extensions.Logging;

namespace ModernAuth.Mail.Internal;

/// <summary>
/// Every log event of the core package. Event ids are public API: never reuse or renumber them. Tokens,
/// secrets and XOAUTH2 strings are never logged; a token is named by its fingerprint.
/// </summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 1001, EventName = "TokenAcquired", Level = LogLevel.Information,
        Message = "Acquired a {Kind} token for {Protocol} from the token service: account {Account}, expires {ExpiresOn:u}, fingerprint {Fingerprint}, {ElapsedMs} ms.")]
    public static partial void TokenAcquired(ILogger logger, string kind, MailProtocol protocol, string account, DateTimeOffset expiresOn, string fingerprint, long elapsedMs);

    [LoggerMessage(EventId = 1002, EventName = "TokenAcquisitionFailed", Level = LogLevel.Warning,
        Message = "Could not get a token for {Protocol}: {ErrorCode}. {Reason}")]
    public static partial void TokenAcquisitionFailed(ILogger logger, MailProtocol protocol, string errorCode, string reason);

    [LoggerMessage(EventId = 1003, EventName = "BackgroundRefreshFailed", Level = LogLevel.Warning,
        Message = "Refreshing the token {Fingerprint} in the background failed ({ErrorCode}); callers keep the cached token until it expires.")]
    public static partial void BackgroundRefreshFailed(ILogger logger, string fingerprint, string errorCode);

    [LoggerMessage(EventId = 1004, EventName = "DeviceCodeIssued", Level = LogLevel.Information,
        Message = "Waiting for the user to sign in at {VerificationUri} with a device code (expires {ExpiresOn:u}).")]
    public static partial void DeviceCodeIssued(ILogger logger, string verificationUri, DateTimeOffset expiresOn);

    [LoggerMessage(EventId = 1005, EventName = "TokenCacheUnprotected", Level = LogLevel.Information,
        Message = "No OS key store is available for the token cache; using the file {Path} readable only by its owner (mode 0600).")]
    public static partial void TokenCacheUnprotected(ILogger logger, string path);

    [LoggerMessage(EventId = 1006, EventName = "TokenCacheUnavailable", Level = LogLevel.Warning,
        Message = "The token cache file {Path} cannot be used ({Reason}); tokens are kept in memory only and the user signs in again next run.")]
    public static partial void TokenCacheUnavailable(ILogger logger, string path, string reason);

    [LoggerMessage(EventId = 1007, EventName = "SilentSignInUnavailable", Level = LogLevel.Information,
        Message = "No cached sign-in could be used for {Protocol} ({Reason}); starting {SignIn}.")]
    public static partial void SilentSignInUnavailable(ILogger logger, MailProtocol protocol, string reason, string signIn);

    [LoggerMessage(EventId = 1008, EventName = "TokenCacheDamaged", Level = LogLevel.Warning,
        Message = "The token cache file {Path} was damaged and has been moved to {MovedTo}; the user signs in again.")]
    public static partial void TokenCacheDamaged(ILogger logger, string path, string movedTo);

    [LoggerMessage(EventId = 1009, EventName = "TokenCacheStoreFailed", Level = LogLevel.Warning,
        Message = "The token cache store failed to {Operation} the entry {Key} ({ErrorType}); tokens are kept in memory and a failed write is retried after the next access.")]
    public static partial void TokenCacheStoreFailed(ILogger logger, string operation, string key, string errorType);

    [LoggerMessage(EventId = 1010, EventName = "TokenCacheStoreEntryInvalid", Level = LogLevel.Warning,
        Message = "The token cache store entry {Key} is not a token cache MSAL can read ({ErrorCode}); it is ignored and replaced on the next write.")]
    public static partial void TokenCacheStoreEntryInvalid(ILogger logger, string key, string errorCode);

    [LoggerMessage(EventId = 1011, EventName = "TokenCacheLeaseWaiting", Level = LogLevel.Debug,
        Message = "Another instance holds the lease on the token cache entry {Key} and is asking the token service; waiting up to {MaxWait} for its token to appear in the store.")]
    public static partial void TokenCacheLeaseWaiting(ILogger logger, string key, TimeSpan maxWait);

    [LoggerMessage(EventId = 1012, EventName = "TokenCacheLeaseWaitEnded", Level = LogLevel.Debug,
        Message = "Stopped waiting for the token cache entry {Key} after {ElapsedMs} ms: {Outcome}.")]
    public static partial void TokenCacheLeaseWaitEnded(ILogger logger, string key, long elapsedMs, string outcome);

    [LoggerMessage(EventId = 1013, EventName = "TokenCacheLeaseWaitTimedOut", Level = LogLevel.Warning,
        Message = "No token appeared in the store under {Key} within {MaxWait} while another instance held its lease; asking the token service directly.")]
    public static partial void TokenCacheLeaseWaitTimedOut(ILogger logger, string key, TimeSpan maxWait);

    [LoggerMessage(EventId = 1014, EventName = "BrowserSignInStarted", Level = LogLevel.Information,
        Message = "Waiting up to {Timeout} for the user to sign in in {Browser}; the answer comes back to {RedirectUri}.")]
    public static partial void BrowserSignInStarted(ILogger logger, TimeSpan timeout, string browser, string redirectUri);

    [LoggerMessage(EventId = 1100, EventName = "Msal", Message = "MSAL: {Message}")]
    public static partial void Msal(ILogger logger, LogLevel level, string message);
}
