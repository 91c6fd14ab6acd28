using System.Buffers;
using Microsoft.Extensions.Logging;
using SmtpServer;
using SmtpServer.Mail;
using SmtpServer.Protocol;
using SmtpServer.Storage;

namespace ModernAuth.Mail.Relay.Internal;

/// <summary>
/// Takes each received message into the spool (<see cref="SpoolStore.Commit"/>) before it answers <c>250</c>; answers
/// <c>451</c> when the message could not be made durable, <c>452 4.3.1</c> when there is no room, and refuses
/// messages the connection's <see cref="ConnectionGuard"/> flagged or that hold a bare line feed.
/// </summary>
internal sealed class RelayMessageStore : IMessageStore
{
    private readonly SpoolStore _store;
    private readonly SpoolCapacity _capacity;
    private readonly DeliveryEngine _engine;
    private readonly RelayPolicy _policy;
    private readonly ILogger _logger;
    private readonly RelayMetrics _metrics;
    private readonly TimeProvider _timeProvider;

    public RelayMessageStore(SpoolStore store, SpoolCapacity capacity, DeliveryEngine engine, RelayPolicy policy, ILogger logger, RelayMetrics metrics, TimeProvider timeProvider)
    {
        _store = store;
        _capacity = capacity;
        _engine = engine;
        _policy = policy;
        _logger = logger;
        _metrics = metrics;
        _timeProvider = timeProvider;
    }

    /// <summary>Test hook: runs after the message is committed to the spool and before <c>250</c> is sent.</summary>
    public Func<string, Task>? AfterSpool { get; set; }

    public async Task<SmtpResponse> SaveAsync(ISessionContext context, IMessageTransaction transaction, ReadOnlySequence<byte> buffer, CancellationToken cancellationToken)
    {
        var session = RelaySession.Get(context);
        try
        {
            return await SaveCoreAsync(session, transaction, buffer).ConfigureAwait(false);
        }
        finally
        {
            // The library lets go of the message's bytes once this returns.
            session.Guard.ReleaseMessage();
        }
    }

    /// <summary>The index of the first line feed not preceded by a carriage return, or -1.</summary>
    internal static long FindBareLineFeed(ReadOnlySequence<byte> buffer)
    {
        long offset = 0;
        byte previous = 0;
        foreach (var segment in buffer)
        {
            var span = segment.Span;
            var at = 0;
            while (true)
            {
                var next = span[at..].IndexOf((byte)'\n');
                if (next < 0)
                {
                    break;
                }

                at += next;
                var before = at > 0 ? span[at - 1] : previous;
                if (before != (byte)'\r')
                {
                    return offset + at;
                }

                at++;
            }

            if (span.Length > 0)
            {
                previous = span[^1];
            }

            offset += span.Length;
        }

        return -1;
    }

    private async Task<SmtpResponse> SaveCoreAsync(RelaySession session, IMessageTransaction transaction, ReadOnlySequence<byte> buffer)
    {
        var client = session.Account is not null ? session.ClientName(null) : session.ClientName(_policy.FindNetwork(session.Remote.Address)?.Name);
        var guard = session.Guard;
        if (guard.Oversize || buffer.Length > guard.MaxMessageSize)
        {
            return Refuse(client, $"larger than {guard.MaxMessageSize} bytes", new SmtpResponse(SmtpReplyCode.SizeLimitExceeded, "5.3.4 Message size exceeds fixed maximum message size"));
        }

        // The guard sees bare LFs of data sent after the 354; the data of a client that did not wait for it (pipelined
        // DATA) reached the library before: this scan is what decides.
        if (guard.BareLineFeed || FindBareLineFeed(buffer) >= 0)
        {
            return Refuse(client, "bare LF in the message data", new SmtpResponse(SmtpReplyCode.TransactionFailed, "5.6.0 Message refused: bare LF (a line feed without a carriage return); lines must end in CRLF"));
        }

        if (guard.OverBudget)
        {
            return Refuse(client, "the relay holds as much message data in memory as MaxReceiveMemory allows", new SmtpResponse(SmtpReplyCode.InsufficientStorage, "4.3.1 Insufficient system resources: try again later"));
        }

        if (_capacity.Refusal(buffer.Length) is { } full)
        {
            return Refuse(client, full, new SmtpResponse(SmtpReplyCode.InsufficientStorage, "4.3.1 Insufficient system storage: try again later"));
        }

        var sender = transaction.From.AsAddress() ?? string.Empty;
        var recipients = transaction.To.Select(t => t.AsAddress()).ToArray();
        var envelope = new SpoolEnvelope(_store.NewId(), sender, recipients, client, _timeProvider.GetUtcNow(), buffer.Length, IsBounce: false);
        try
        {
            _store.Commit(envelope, buffer);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            Log.SpoolWriteFailed(_logger, ex);
            _metrics.Refused.Add(1);
            return SpoolStore.IsDiskFull(ex)
                ? new SmtpResponse(SmtpReplyCode.InsufficientStorage, "4.3.1 Insufficient system storage: try again later")
                : new SmtpResponse(SmtpReplyCode.Aborted, "4.3.0 Could not store the message durably: try again later");
        }

        if (AfterSpool is { } hook)
        {
            await hook(envelope.Id).ConfigureAwait(false);
        }

        _metrics.Received.Add(1);
        Log.Queued(_logger, envelope.Id, sender, recipients.Length, buffer.Length, client);
        _engine.Enqueue(new SpoolItem(envelope, SpoolState.New));
        return new SmtpResponse(SmtpReplyCode.Ok, "2.0.0 Queued as " + envelope.Id);
    }

    private SmtpResponse Refuse(string client, string reason, SmtpResponse response)
    {
        Log.MessageRefused(_logger, client, reason);
        _metrics.Refused.Add(1);
        return response;
    }
}
