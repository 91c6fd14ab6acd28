using System.Net;
using Microsoft.Extensions.Logging;

namespace ModernAuth.Mail.Ews.Internal;

/// <summary>
/// Every log event of the EWS package (ids 3000-3099). Event ids are public API: never reuse or renumber them. The token
/// and the Authorization header are never logged: the header shows as <c>Bearer ***</c> with the token's fingerprint.
/// </summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 3001, EventName = "EwsRequestSending", Level = LogLevel.Debug,
        Message = "Sending EWS request to {Endpoint} for {Mailbox} (attempt {Attempt}) with Authorization: Bearer *** (token {Fingerprint}), X-AnchorMailbox: {Mailbox}.")]
    public static partial void RequestSending(ILogger logger, string endpoint, string mailbox, int attempt, string fingerprint);

    [LoggerMessage(EventId = 3002, EventName = "EwsResponseReceived", Level = LogLevel.Debug,
        Message = "EWS answered HTTP {StatusCode} in {ElapsedMs} ms (request-id {RequestId}).")]
    public static partial void ResponseReceived(ILogger logger, int statusCode, long elapsedMs, string requestId);

    [LoggerMessage(EventId = 3003, EventName = "EwsTokenRejected", Level = LogLevel.Warning,
        Message = "EWS rejected the token {Fingerprint} with HTTP 401 ({Diagnostics}); fetching a fresh token and replaying the request once.")]
    public static partial void TokenRejected(ILogger logger, string fingerprint, string diagnostics);

    [LoggerMessage(EventId = 3004, EventName = "EwsTokenRejectedAfterRefresh", Level = LogLevel.Error,
        Message = "EWS rejected the fresh token {Fingerprint} too ({Diagnostics}): {ErrorCode}.")]
    public static partial void TokenRejectedAfterRefresh(ILogger logger, string fingerprint, string diagnostics, string errorCode);

    [LoggerMessage(EventId = 3013, EventName = "EwsTokenRejectedNotRefreshed", Level = LogLevel.Error,
        Message = "EWS rejected the token {Fingerprint} with HTTP 401 ({Diagnostics}); not asking for a fresh one, the token itself shows why: {ErrorCode}.")]
    public static partial void TokenRejectedNotRefreshed(ILogger logger, string fingerprint, string diagnostics, string errorCode);

    [LoggerMessage(EventId = 3005, EventName = "EwsThrottled", Level = LogLevel.Warning,
        Message = "EWS throttled the request ({Reason}); waiting {DelayMs} ms before retry {Retry} of {MaxRetries}.")]
    public static partial void Throttled(ILogger logger, string reason, long delayMs, int retry, int maxRetries);

    [LoggerMessage(EventId = 3006, EventName = "EwsThrottleBudgetExhausted", Level = LogLevel.Warning,
        Message = "EWS throttled the request ({Reason}) and the retry budget is spent ({Retries} retries, {WaitedMs} ms waited, server asked for {RequestedMs} ms more).")]
    public static partial void ThrottleBudgetExhausted(ILogger logger, string reason, int retries, long waitedMs, long requestedMs);

    [LoggerMessage(EventId = 3007, EventName = "EwsImpersonationHeaderAdded", Level = LogLevel.Debug,
        Message = "Added the ExchangeImpersonation SOAP header for {Mailbox}.")]
    public static partial void ImpersonationHeaderAdded(ILogger logger, string mailbox);

    [LoggerMessage(EventId = 3008, EventName = "EwsSoapRequestBody", Level = LogLevel.Trace,
        Message = "EWS request body (tokens redacted): {Body}")]
    public static partial void SoapRequestBody(ILogger logger, string body);

    [LoggerMessage(EventId = 3009, EventName = "EwsSoapResponseBody", Level = LogLevel.Trace,
        Message = "EWS response body (tokens redacted): {Body}")]
    public static partial void SoapResponseBody(ILogger logger, string body);

    [LoggerMessage(EventId = 3010, EventName = "EwsOperationFailed", Level = LogLevel.Warning,
        Message = "EWS {Operation} failed: {ErrorCode} {ResponseCode} (HTTP {StatusCode}): {MessageText}")]
    public static partial void OperationFailed(ILogger logger, string operation, string errorCode, string responseCode, HttpStatusCode? statusCode, string messageText);

    [LoggerMessage(EventId = 3011, EventName = "EwsOperationCompleted", Level = LogLevel.Debug,
        Message = "EWS {Operation} for {Mailbox} completed in {ElapsedMs} ms.")]
    public static partial void OperationCompleted(ILogger logger, string operation, string mailbox, long elapsedMs);

    [LoggerMessage(EventId = 3012, EventName = "EwsImpersonationHeaderMismatch", Level = LogLevel.Warning,
        Message = "The request already has an ExchangeImpersonation header for {HeaderMailbox}, not the handler's mailbox {Mailbox}; it is sent as it is, with X-AnchorMailbox: {Mailbox}.")]
    public static partial void ImpersonationHeaderMismatch(ILogger logger, string headerMailbox, string mailbox);
}
