using Microsoft.Extensions.Logging;
using SmtpServer;
using SmtpServer.Authentication;
using SmtpServer.Protocol;

namespace ModernAuth.Mail.Relay.Internal;

/// <summary>
/// Checks relay account passwords against their salted hashes (<see cref="VerifiedPasswordCache"/>), refusing plaintext
/// logins where <see cref="RelayPolicy.AllowsAuthenticationWithoutTls"/> says no, locked-out addresses and accounts
/// (<see cref="LoginThrottle"/>), and answering each failure only after the throttle's delay. An unknown user name
/// goes through exactly the same steps as a wrong password.
/// </summary>
internal sealed class RelayUserAuthenticator : IUserAuthenticator
{
    private readonly RelayPolicy _policy;
    private readonly VerifiedPasswordCache _cache;
    private readonly LoginThrottle _throttle;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;

    public RelayUserAuthenticator(RelayPolicy policy, VerifiedPasswordCache cache, LoginThrottle throttle, TimeProvider timeProvider, ILogger logger)
    {
        _policy = policy;
        _cache = cache;
        _throttle = throttle;
        _timeProvider = timeProvider;
        _logger = logger;
    }

    public async Task<bool> AuthenticateAsync(ISessionContext context, string user, string password, CancellationToken cancellationToken)
    {
        var session = RelaySession.Get(context);
        user ??= string.Empty;
        password ??= string.Empty;
        session.Account = null;
        session.AccountSenders = null;
        var remote = session.Remote.ToString();
        var shown = LogText.UserName(user);
        if (!context.Pipe.IsSecure && !_policy.AllowsAuthenticationWithoutTls(session.Remote.Address))
        {
            Log.AuthenticationFailed(_logger, remote, shown, "no TLS: this client may log in only after STARTTLS");
            throw new SmtpResponseException(new SmtpResponse((SmtpReplyCode)538, "5.7.11 Encryption required for requested authentication mechanism: use STARTTLS first"));
        }

        var address = ClientConnectionLimiter.KeyOf(session.Remote.Address);
        if (_throttle.IsLockedOut(address, user))
        {
            Log.AuthenticationFailed(_logger, remote, shown, "locked out after too many failed logins");
            throw new SmtpResponseException(new SmtpResponse(SmtpReplyCode.ClientNotPermitted, "4.7.0 Too many failed logins: try again later"), true);
        }

        var known = _policy.TryGetAccount(user, out var hash, out var senders);
        var priority = _throttle.IsSuspect(address) ? CheckPriority.Suspect : _throttle.IsTrusted(address) ? CheckPriority.Trusted : CheckPriority.Clean;
        if (await _cache.VerifyAsync(user, password, known ? hash : null, address, priority, cancellationToken).ConfigureAwait(false)
            && known && password.Length > 0)
        {
            _throttle.RecordSuccess(address, user);
            session.Account = user;
            session.AccountSenders = senders;
            Log.Authenticated(_logger, remote, shown);
            return true;
        }

        var delay = _throttle.RecordFailure(address, user);
        Log.AuthenticationFailed(_logger, remote, shown, "unknown account or wrong password");
        if (delay > TimeSpan.Zero)
        {
            await Task.Delay(delay, _timeProvider, cancellationToken).ConfigureAwait(false);
        }

        return false;
    }
}
