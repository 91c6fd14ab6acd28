using Microsoft.Extensions.Logging;

namespace ModernAuth.Mail.Extensions.Internal;

/// <summary>
/// Every log event of ModernAuth.Mail.Extensions (ids 2001-2099; the core uses 1001-1199). Event ids are public
/// API: never reuse or renumber them. Tokens, secrets, keys and cache contents are never logged.
/// </summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 2001, EventName = "DistributedTokenCacheUnavailable", Level = LogLevel.Warning,
        Message = "The distributed token cache cannot be reached ({ErrorType}: {Reason}); tokens are kept in memory and the cache is tried again every {RetryInterval}. This is logged once per outage.")]
    public static partial void DistributedTokenCacheUnavailable(ILogger logger, string errorType, string reason, TimeSpan retryInterval);

    [LoggerMessage(EventId = 2002, EventName = "DistributedTokenCacheRecovered", Level = LogLevel.Information,
        Message = "The distributed token cache is reachable again after {Outage}; {Pending} entries kept in memory meanwhile are written back.")]
    public static partial void DistributedTokenCacheRecovered(ILogger logger, TimeSpan outage, int pending);

    [LoggerMessage(EventId = 2003, EventName = "DistributedTokenCacheEntryUnreadable", Level = LogLevel.Warning,
        Message = "The distributed token cache entry {Key} is ignored and removed: {Reason}. It is replaced by the next token acquired.")]
    public static partial void DistributedTokenCacheEntryUnreadable(ILogger logger, string key, string reason);

    [LoggerMessage(EventId = 2004, EventName = "ProviderCreated", Level = LogLevel.Information,
        Message = "Created the ModernAuth.Mail provider '{Name}': {Flow}, tenant {TenantId}, client {ClientId}, cloud {Cloud}, distributed token cache {SharedCache}.")]
    public static partial void ProviderCreated(ILogger logger, string name, string flow, string tenantId, string clientId, string cloud, bool sharedCache);

    [LoggerMessage(EventId = 2005, EventName = "HealthCheckProviderFailed", Level = LogLevel.Warning,
        Message = "Health check: the ModernAuth.Mail provider '{Name}' could not get a token ({ErrorCode}).")]
    public static partial void HealthCheckProviderFailed(ILogger logger, string name, string errorCode);
}
