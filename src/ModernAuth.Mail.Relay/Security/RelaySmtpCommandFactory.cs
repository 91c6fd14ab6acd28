using System.Net;
using SmtpServer;
using SmtpServer.Protocol;

namespace ModernAuth.Mail.Relay.Internal;

/// <summary>
/// The SMTP library's commands, with an <c>EHLO</c> that offers <c>AUTH</c> before TLS only to clients
/// <see cref="RelayPolicy.AllowsAuthenticationWithoutTls"/> lets log in in clear (the library decides per endpoint).
/// </summary>
internal sealed class RelaySmtpCommandFactory : SmtpCommandFactory
{
    private readonly RelayPolicy _policy;

    public RelaySmtpCommandFactory(RelayPolicy policy) => _policy = policy;

    public override SmtpCommand CreateEhlo(string domainOrAddress) => new RelayEhloCommand(domainOrAddress, _policy);

    private sealed class RelayEhloCommand : EhloCommand
    {
        private readonly RelayPolicy _policy;

        public RelayEhloCommand(string domainOrAddress, RelayPolicy policy)
            : base(domainOrAddress)
        {
            _policy = policy;
        }

        protected override IEnumerable<string> GetExtensions(ISessionContext context)
        {
            var hideAuth = !context.Pipe.IsSecure && !_policy.AllowsAuthenticationWithoutTls(RelaySession.Get(context).Remote.Address);
            return base.GetExtensions(context).Where(e => !(hideAuth && e.StartsWith("AUTH", StringComparison.Ordinal)));
        }
    }
}
