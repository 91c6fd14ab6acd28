using Microsoft.Extensions.Logging;
using SmtpServer;
using SmtpServer.Mail;
using SmtpServer.Protocol;
using SmtpServer.Storage;

namespace ModernAuth.Mail.Relay.Internal;

/// <summary>
/// Who may relay, as which sender, to how many recipients: checked at <c>MAIL FROM</c> and again at <c>RCPT TO</c>.
/// A client that is neither logged in nor in an allowed network never gets a recipient accepted: never an open relay.
/// </summary>
internal sealed class RelayMailboxFilter : IMailboxFilter
{
    private readonly RelayPolicy _policy;
    private readonly RelayRouting _routing;
    private readonly SpoolCapacity _capacity;
    private readonly RelayOptions _options;
    private readonly ILogger _logger;
    private readonly RelayMetrics _metrics;

    public RelayMailboxFilter(RelayPolicy policy, RelayRouting routing, SpoolCapacity capacity, RelayOptions options, ILogger logger, RelayMetrics metrics)
    {
        _policy = policy;
        _routing = routing;
        _capacity = capacity;
        _options = options;
        _logger = logger;
        _metrics = metrics;
    }

    public Task<bool> CanAcceptFromAsync(ISessionContext context, IMailbox @from, int size, CancellationToken cancellationToken)
    {
        var session = RelaySession.Get(context);
        session.Recipients = 0;
        var senders = Permitted(context, session, out var client);
        var sender = @from.AsAddress() ?? string.Empty;
        if (!senders.Matches(sender))
        {
            Log.SenderRefused(_logger, sender.Length == 0 ? "<>" : sender, client, "not among the senders this client may use");
            _metrics.Refused.Add(1);
            throw new SmtpResponseException(new SmtpResponse(SmtpReplyCode.MailboxNameNotAllowed, "5.7.1 Sender address not allowed for this client"));
        }

        if (_routing.Find(sender) is null)
        {
            Log.SenderRefused(_logger, sender, client, "no route takes this sender");
            _metrics.Refused.Add(1);
            throw new SmtpResponseException(new SmtpResponse(SmtpReplyCode.MailboxNameNotAllowed, "5.7.1 Sender address not relayed here"));
        }

        // Told before the data is sent: a full spool or queue is a temporary condition the client retries.
        if (_capacity.Refusal(Math.Max(size, 0)) is { } full)
        {
            Log.SenderRefused(_logger, sender, client, full);
            _metrics.Refused.Add(1);
            throw new SmtpResponseException(new SmtpResponse(SmtpReplyCode.InsufficientStorage, "4.3.1 Insufficient system storage: try again later"));
        }

        return Task.FromResult(true);
    }

    public Task<bool> CanDeliverToAsync(ISessionContext context, IMailbox to, IMailbox @from, CancellationToken cancellationToken)
    {
        var session = RelaySession.Get(context);
        Permitted(context, session, out _);
        if (session.Recipients >= _options.MaxRecipients)
        {
            throw new SmtpResponseException(new SmtpResponse(SmtpReplyCode.InsufficientStorage, "4.5.3 Too many recipients"));
        }

        if (string.IsNullOrEmpty(to.User) || string.IsNullOrEmpty(to.Host))
        {
            throw new SmtpResponseException(new SmtpResponse(SmtpReplyCode.MailboxNameNotAllowed, "5.1.3 Bad recipient address syntax"));
        }

        session.Recipients++;
        return Task.FromResult(true);
    }

    private SenderPatterns Permitted(ISessionContext context, RelaySession session, out string client)
    {
        if (session.Account is not null && context.Authentication.IsAuthenticated)
        {
            client = session.ClientName(null);
            return session.AccountSenders!;
        }

        if (_policy.FindNetwork(session.Remote.Address) is { } network)
        {
            client = session.ClientName(network.Name);
            return network.Senders;
        }

        Log.RelayDenied(_logger, session.Remote.ToString());
        _metrics.Refused.Add(1);
        client = session.ClientName(null);
        throw new SmtpResponseException(_policy.HasAccounts
            ? new SmtpResponse(SmtpReplyCode.AuthenticationRequired, "5.7.0 Authentication required")
            : new SmtpResponse(SmtpReplyCode.MailboxUnavailable, "5.7.1 Relaying denied"));
    }
}
