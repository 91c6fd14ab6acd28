using System.Buffers;
using Microsoft.Extensions.Logging;
using SmtpServer;
using SmtpServer.Authentication;
using SmtpServer.Mail;
using SmtpServer.Protocol;
using SmtpServer.Storage;

namespace ModernAuth.Mail.Relay.Internal;

/// <summary>Writes each accepted message durably to the spool before it answers <c>250</c>.</summary>
internal sealed class RelayMessageStore : IMessageStore
{
    private readonly SpoolStore _store;
    private readonly DeliveryEngine _engine;
    private readonly RelayPolicy _policy;
    private readonly ILogger _logger;
    private readonly RelayMetrics _metrics;
    private readonly TimeProvider _timeProvider;

    public RelayMessageStore(SpoolStore store, DeliveryEngine engine, RelayPolicy policy, ILogger logger, RelayMetrics metrics, TimeProvider timeProvider)
    {
        _store = store;
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
        var client = session.Account is not null ? session.ClientName(null) : session.ClientName(_policy.FindNetwork(session.Remote.Address)?.Name);
        if (session.Guard.Oversize)
        {
            Log.MessageRefused(_logger, client, $"larger than {session.Guard.MaxMessageSize} bytes");
            _metrics.Refused.Add(1);
            return new SmtpResponse(SmtpReplyCode.SizeLimitExceeded, "5.3.4 Message size exceeds fixed maximum message size");
        }

        if (session.Guard.BareLineFeed)
        {
            Log.MessageRefused(_logger, client, "bare LF in the message data");
            _metrics.Refused.Add(1);
            return new SmtpResponse(SmtpReplyCode.TransactionFailed, "5.6.0 Message refused: bare LF (a line feed without a carriage return); lines must end in CRLF");
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
            return new SmtpResponse(SmtpReplyCode.InsufficientStorage, "4.3.1 Could not store the message: try again later");
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
}
