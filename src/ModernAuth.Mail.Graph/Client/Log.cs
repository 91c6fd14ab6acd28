using Microsoft.Extensions.Logging;

namespace ModernAuth.Mail.Graph;

/// <summary>The package's log messages. Event ids are stable; no message ever carries a token.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 4001, Level = LogLevel.Debug, Message = "Graph {Operation} for {Mailbox} completed in {ElapsedMs} ms.")]
    public static partial void OperationCompleted(ILogger logger, string operation, string mailbox, long elapsedMs);

    [LoggerMessage(EventId = 4002, Level = LogLevel.Warning, Message = "Graph {Operation} for {Mailbox} failed: {ErrorCode} (Graph {GraphCode}, HTTP {Status}). {Reason}")]
    public static partial void OperationFailed(ILogger logger, string operation, string mailbox, string errorCode, string graphCode, int status, string reason);

    [LoggerMessage(EventId = 4003, Level = LogLevel.Information, Message = "Graph rejected the token for {Mailbox} (HTTP 401); fetching a fresh token and trying once more.")]
    public static partial void TokenRejectedRetrying(ILogger logger, string mailbox);

    [LoggerMessage(EventId = 4004, Level = LogLevel.Debug, Message = "Sending a {Size} byte message for {Mailbox} as a draft with {Count} attachment(s) uploaded separately.")]
    public static partial void LargeMessage(ILogger logger, string mailbox, long size, int count);
}
