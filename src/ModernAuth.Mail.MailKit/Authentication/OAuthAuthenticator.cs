using System.Diagnostics;
using System.Runtime.ExceptionServices;
using MailKit;
using MailKit.Security;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace ModernAuth.Mail.MailKit.Internal;

/// <summary>
/// The one authentication loop behind every client: get a token, authenticate with XOAUTH2 or OAUTHBEARER, and on a
/// rejection refresh the token once (bypassing every cache) and try once more; then explain the rejection.
/// </summary>
internal static class OAuthAuthenticator
{
    public const string XOAuth2 = "XOAUTH2";
    public const string OAuthBearer = "OAUTHBEARER";

    public static async Task AuthenticateAsync(
        MailService client,
        MailProtocol protocol,
        MailTokenProvider provider,
        string? mailbox,
        MailKitAuthenticationOptions? options,
        Func<CancellationToken, Task>? reconnect,
        CancellationToken cancellationToken)
    {
        if (client is null)
        {
            throw new ArgumentNullException(nameof(client));
        }

        if (provider is null)
        {
            throw new ArgumentNullException(nameof(provider));
        }

        var request = provider.CreateRequest(protocol, mailbox);
        mailbox = request.Mailbox;

        options ??= new MailKitAuthenticationOptions();
        cancellationToken.ThrowIfCancellationRequested();
        if (!client.IsConnected)
        {
            throw new ServiceNotConnectedException("Connect the client before authenticating it.");
        }

        if (client.IsAuthenticated)
        {
            throw new InvalidOperationException("The client is already authenticated.");
        }

        var logger = (ILogger?)options.LoggerFactory?.CreateLogger("ModernAuth.Mail.MailKit") ?? NullLogger.Instance;
        var mechanismName = ChooseMechanism(client, protocol, options.Mechanism);
        var protocolLogger = client.ProtocolLogger as MailKitProtocolLogger;
        if (reconnect is null && protocolLogger?.LastConnectedUri is { } uri)
        {
            reconnect = ct => client.ConnectAsync(uri, ct);
        }

        var token = await provider.GetTokenAsync(request, cancellationToken).ConfigureAwait(false);
        var attempt = 1;
        var reconnectedForRetry = false;
        while (true)
        {
            var user = mailbox ?? token.Account ?? throw new MailAuthenticationException(
                MailErrorCodes.InvalidConfiguration,
                "The token does not say which account it belongs to, so there is no XOAUTH2 user= to send.",
                "Pass the mailbox (the signed-in user's address, or a shared mailbox) to AuthenticateAsync.")
            {
                Protocol = protocol,
            };

            SaslMechanism mechanism = mechanismName == XOAuth2 ? new XOAuth2Mechanism(user, token.Token) : new OAuthBearerMechanism(user, token.Token);
            Log.Authenticating(logger, protocol, user, mechanismName, token.Fingerprint, attempt);
            var started = Stopwatch.GetTimestamp();
            Exception? failure = null;
            var connectionLost = false;
            IReadOnlyList<string>? serverLines = null;
            protocolLogger?.BeginAuthentication();
            try
            {
                await client.AuthenticateAsync(mechanism, cancellationToken).ConfigureAwait(false);
                serverLines = protocolLogger?.EndAuthentication();
                Log.Authenticated(logger, protocol, user, mechanismName, ElapsedMs(started));
                return;
            }
            catch (AuthenticationException ex)
            {
                // Also a SaslException, which derives from it.
                failure = ex;
            }
            catch (Exception ex) when (attempt > 1 && !reconnectedForRetry && reconnect is not null && IsConnectionLoss(ex))
            {
                // The server closed the connection after its rejection without saying so; MailKit only notices when it
                // sends the next command. Reconnect once and send the fresh token again.
                connectionLost = true;
            }
            catch (ProtocolException ex) when (((IOAuthMechanism)mechanism).ErrorChallenge is not null || protocolLogger is not null)
            {
                // The server answered in a way the client could not parse mid-authentication (or dropped the
                // connection). Explain it if its words say it was a rejection; otherwise it is not ours to hide.
                failure = ex;
            }
            finally
            {
                serverLines ??= protocolLogger?.EndAuthentication();
            }

            if (connectionLost)
            {
                reconnectedForRetry = true;
                Log.Reconnecting(logger, protocol);
                if (client.IsConnected)
                {
                    await client.DisconnectAsync(false, cancellationToken).ConfigureAwait(false);
                }

                await reconnect!(cancellationToken).ConfigureAwait(false);
                continue;
            }

            failure ??= new AuthenticationException();
            var reply = RejectionDiagnosis.Collect(serverLines, ((IOAuthMechanism)mechanism).ErrorChallenge, failure, protocol);
            var explanation = RejectionDiagnosis.Explain(reply, protocol);
            if (failure is ProtocolException && !explanation.IsRecognised)
            {
                ExceptionDispatchInfo.Capture(failure).Throw();
            }

            var context = new AttemptContext(protocol, user, provider.IsAppOnly, mechanismName, options.Cloud ?? provider.Cloud, options.TimeProvider ?? TimeProvider.System);
            var verdict = RejectionDiagnosis.Judge(context, token, explanation);
            Log.Rejected(logger, protocol, user, verdict.Code, reply.Shown ?? failure.Message, attempt);
            if (attempt == 1 && options.RetryWithFreshToken && verdict.FreshTokenMayHelp)
            {
                token = await provider.GetTokenAsync(request.WithForceRefresh(), cancellationToken).ConfigureAwait(false);
                if (!client.IsConnected && reconnect is not null)
                {
                    Log.Reconnecting(logger, protocol);
                    await reconnect(cancellationToken).ConfigureAwait(false);
                }

                if (client.IsConnected)
                {
                    attempt++;
                    continue;
                }
            }

            throw RejectionDiagnosis.CreateException(context, token, reply, verdict, attempt, failure);
        }
    }

    private static string ChooseMechanism(MailService client, MailProtocol protocol, MailKitOAuthMechanism preference)
    {
        switch (preference)
        {
            case MailKitOAuthMechanism.XOAuth2:
                return XOAuth2;
            case MailKitOAuthMechanism.OAuthBearer:
                return OAuthBearer;
        }

        var offered = client.AuthenticationMechanisms;
        if (offered.Contains(XOAuth2))
        {
            return XOAuth2;
        }

        if (offered.Contains(OAuthBearer))
        {
            return OAuthBearer;
        }

        var list = offered.Count == 0 ? "none" : string.Join(" ", offered.OrderBy(m => m, StringComparer.Ordinal));
        var hint = protocol == MailProtocol.Smtp
            ? " SMTP servers advertise AUTH only after STARTTLS: connect with MailTlsMode.StartTls on port 587."
            : string.Empty;
        throw new MailAuthenticationException(
            MailErrorCodes.NotSupported,
            $"The server offers neither XOAUTH2 nor OAUTHBEARER (it offers: {list}), so it cannot take an OAuth token.{hint}",
            "Check the host and port (Exchange Online: outlook.office365.com:993 for IMAP, :995 for POP, smtp.office365.com:587 for SMTP), or set MailKitAuthenticationOptions.Mechanism if the server accepts a mechanism it does not advertise.")
        {
            Protocol = protocol,
        };
    }

    private static bool IsConnectionLoss(Exception ex) =>
        ex is IOException or ServiceNotConnectedException or ProtocolException;

    private static long ElapsedMs(long started) => (Stopwatch.GetTimestamp() - started) * 1000 / Stopwatch.Frequency;
}
