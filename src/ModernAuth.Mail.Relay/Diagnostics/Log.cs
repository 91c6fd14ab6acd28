using Microsoft.Extensions.Logging;

namespace ModernAuth.Mail.Relay.Internal;

/// <summary>
/// Every log event of the relay (ids 4001-4099). Event ids are public API: never reuse or renumber them. Message
/// bodies, relay passwords and tokens are never logged; addresses and ids are.
/// </summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 4001, EventName = "RelayStarted", Level = LogLevel.Information,
        Message = "Relay listening on {Endpoints}; spool {SpoolDirectory} with {Queued} message(s) queued.")]
    public static partial void Started(ILogger logger, string endpoints, string spoolDirectory, int queued);

    [LoggerMessage(EventId = 4002, EventName = "RelayStopped", Level = LogLevel.Information,
        Message = "Relay stopped; {Queued} message(s) left in the spool for the next start.")]
    public static partial void Stopped(ILogger logger, int queued);

    [LoggerMessage(EventId = 4003, EventName = "RelayConnectionRefused", Level = LogLevel.Warning,
        Message = "Refused a connection from {Remote}: {Reason}.")]
    public static partial void ConnectionRefused(ILogger logger, string remote, string reason);

    [LoggerMessage(EventId = 4004, EventName = "RelayAuthenticated", Level = LogLevel.Information,
        Message = "{Remote} logged in as relay account {Account}.")]
    public static partial void Authenticated(ILogger logger, string remote, string account);

    [LoggerMessage(EventId = 4005, EventName = "RelayAuthenticationFailed", Level = LogLevel.Warning,
        Message = "{Remote} failed to log in as relay account {Account}: {Reason}.")]
    public static partial void AuthenticationFailed(ILogger logger, string remote, string account, string reason);

    [LoggerMessage(EventId = 4006, EventName = "RelayDenied", Level = LogLevel.Warning,
        Message = "Refused to relay for {Remote}: not logged in and its address is in no allowed network.")]
    public static partial void RelayDenied(ILogger logger, string remote);

    [LoggerMessage(EventId = 4007, EventName = "RelaySenderRefused", Level = LogLevel.Warning,
        Message = "Refused sender {Sender} from {Client}: {Reason}.")]
    public static partial void SenderRefused(ILogger logger, string sender, string client, string reason);

    [LoggerMessage(EventId = 4008, EventName = "RelayMessageQueued", Level = LogLevel.Information,
        Message = "Queued {Id} from {Sender} to {RecipientCount} recipient(s), {Size} bytes, from {Client}.")]
    public static partial void Queued(ILogger logger, string id, string sender, int recipientCount, long size, string client);

    [LoggerMessage(EventId = 4009, EventName = "RelayMessageRefused", Level = LogLevel.Warning,
        Message = "Refused a message from {Client}: {Reason}.")]
    public static partial void MessageRefused(ILogger logger, string client, string reason);

    [LoggerMessage(EventId = 4010, EventName = "RelaySpoolWriteFailed", Level = LogLevel.Error,
        Message = "Could not write a message to the spool; the client was told to try again later.")]
    public static partial void SpoolWriteFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 4011, EventName = "RelayDelivered", Level = LogLevel.Information,
        Message = "Delivered {Id} through {Mailbox} after {Attempts} failed attempt(s).")]
    public static partial void Delivered(ILogger logger, string id, string mailbox, int attempts);

    [LoggerMessage(EventId = 4012, EventName = "RelayDeliveryDeferred", Level = LogLevel.Warning,
        Message = "Delivery of {Id} failed (attempt {Attempt}, {Code}): {Error} Next attempt at {NextAttempt:o}.")]
    public static partial void Deferred(ILogger logger, string id, int attempt, string code, string error, DateTimeOffset nextAttempt);

    [LoggerMessage(EventId = 4013, EventName = "RelayDeadLettered", Level = LogLevel.Error,
        Message = "Gave up on {Id} ({Code}): {Reason} It is in the dead-letter folder.")]
    public static partial void DeadLettered(ILogger logger, string id, string code, string reason);

    [LoggerMessage(EventId = 4014, EventName = "RelayUpstreamConnected", Level = LogLevel.Debug,
        Message = "Connected and authenticated to the upstream as {Mailbox}.")]
    public static partial void UpstreamConnected(ILogger logger, string mailbox);

    [LoggerMessage(EventId = 4015, EventName = "RelayBounceQueued", Level = LogLevel.Information,
        Message = "Queued delivery failure notice {Id} to {Sender} for {OriginalId}.")]
    public static partial void BounceQueued(ILogger logger, string id, string sender, string originalId);

    [LoggerMessage(EventId = 4016, EventName = "RelaySpoolFileCorrupt", Level = LogLevel.Error,
        Message = "Spool file {Id} could not be read and was moved to the dead-letter folder: {Error}")]
    public static partial void SpoolFileCorrupt(ILogger logger, string id, string error);

    [LoggerMessage(EventId = 4017, EventName = "RelaySessionFaulted", Level = LogLevel.Debug,
        Message = "A session with {Remote} ended with an error: {Error}")]
    public static partial void SessionFaulted(ILogger logger, string remote, string error);

    [LoggerMessage(EventId = 4018, EventName = "RelayDeliveryFailedUnexpectedly", Level = LogLevel.Error,
        Message = "Delivery of {Id} failed unexpectedly; it will be retried.")]
    public static partial void DeliveryFailedUnexpectedly(ILogger logger, string id, Exception exception);

    [LoggerMessage(EventId = 4019, EventName = "RelayConfigurationWarning", Level = LogLevel.Error,
        Message = "Relay configuration {Key}: {Warning}")]
    public static partial void ConfigurationWarning(ILogger logger, string key, string warning);

    [LoggerMessage(EventId = 4020, EventName = "RelaySpoolRecovered", Level = LogLevel.Warning,
        Message = "Took {Count} complete message(s) left in tmp/ by a crash into the queue (a message may be delivered twice; none is lost).")]
    public static partial void SpoolRecovered(ILogger logger, int count);

    [LoggerMessage(EventId = 4021, EventName = "RelayUpstreamThrottled", Level = LogLevel.Warning,
        Message = "The upstream throttles {Mailbox} ({Code}): its {Queued} queued message(s) wait until {Until:o}. {Error}")]
    public static partial void UpstreamThrottled(ILogger logger, string mailbox, string code, int queued, DateTimeOffset until, string error);

    [LoggerMessage(EventId = 4022, EventName = "RelayRecipientRejected", Level = LogLevel.Warning,
        Message = "The upstream rejected recipient {Recipient} of {Id} for good: {Error}")]
    public static partial void RecipientRejected(ILogger logger, string id, string recipient, string error);

    [LoggerMessage(EventId = 4023, EventName = "RelayPickedUp", Level = LogLevel.Information,
        Message = "Picked up {File} from the pickup directory as {Id} from {Sender} to {RecipientCount} recipient(s).")]
    public static partial void PickedUp(ILogger logger, string file, string id, string sender, int recipientCount);

    [LoggerMessage(EventId = 4024, EventName = "RelayPickupBadmail", Level = LogLevel.Error,
        Message = "Could not take {File} from the pickup directory; it is in badmail/: {Reason}")]
    public static partial void PickupBadmail(ILogger logger, string file, string reason);
}
