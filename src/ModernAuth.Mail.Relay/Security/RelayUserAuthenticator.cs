using Microsoft.Extensions.Logging;
using SmtpServer;
using SmtpServer.Authentication;

namespace ModernAuth.Mail.Relay.Internal;

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
