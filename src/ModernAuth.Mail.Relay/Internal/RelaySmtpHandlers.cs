using System.Buffers;
using Microsoft.Extensions.Logging;
using SmtpServer;
using SmtpServer.Authentication;
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
    private readonly RelayOptions _options;
    private readonly ILogger _logger;
    private readonly RelayMetrics _metrics;

    public RelayMailboxFilter(RelayPolicy policy, RelayRouting routing, RelayOptions options, ILogger logger, RelayMetrics metrics)
    {
        _policy = policy;
        _routing = routing;
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

/// <summary>Checks relay account passwords against their salted hashes, once per (account, password) pair.</summary>
internal sealed class RelayUserAuthenticator : IUserAuthenticator
{
    private readonly RelayPolicy _policy;
    private readonly VerifiedPasswordCache _cache;
    private readonly ILogger _logger;

    public RelayUserAuthenticator(RelayPolicy policy, VerifiedPasswordCache cache, ILogger logger)
    {
        _policy = policy;
        _cache = cache;
        _logger = logger;
    }

    public async Task<bool> AuthenticateAsync(ISessionContext context, string user, string password, CancellationToken cancellationToken)
    {
        var session = RelaySession.Get(context);
        user ??= string.Empty;
        if (_policy.TryGetAccount(user, out var hash, out var senders)
            && !string.IsNullOrEmpty(password)
            && await _cache.VerifyAsync(user, password, hash, cancellationToken).ConfigureAwait(false))
        {
            session.Account = user;
            session.AccountSenders = senders;
            Log.Authenticated(_logger, session.Remote.ToString(), user);
            return true;
        }

        session.Account = null;
        session.AccountSenders = null;
        Log.AuthenticationFailed(_logger, session.Remote.ToString(), user.Length > 256 ? user[..256] : user);
        return false;
    }
}

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
