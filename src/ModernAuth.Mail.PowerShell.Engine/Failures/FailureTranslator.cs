using System.Net.Sockets;
using MailKit;
using MailKit.Net.Smtp;
using MailKit.Security;
using ModernAuth.Mail.Diagnostics;

namespace ModernAuth.Mail.PowerShell.Engine.Failures;

/// <summary>Turns MailKit's and the network's exceptions into <see cref="MailOperationException"/>s, so no third-party type reaches the cmdlets.</summary>
internal static class FailureTranslator
{
    /// <summary>The translated failure, or <see langword="null"/> when <paramref name="error"/> already is one of ours (or a cancellation).</summary>
    public static Exception? Translate(Exception error, string server)
    {
        switch (error)
        {
            case MailAuthenticationException or MailOperationException or Graph.GraphMailException or Ews.EwsException or OperationCanceledException:
                return null;
            case SmtpCommandException smtp:
                var reply = $"{(int)smtp.StatusCode} {smtp.Message}";
                var explanation = MailResponseCatalog.Default.Explain(reply, MailProtocol.Smtp);
                var code = explanation.IsRecognised
                    ? explanation.Code
                    : smtp.ErrorCode switch
                    {
                        SmtpErrorCode.RecipientNotAccepted => "smtp_recipient_rejected",
                        SmtpErrorCode.SenderNotAccepted => "smtp_sender_rejected",
                        _ => "smtp_message_rejected",
                    };
                var remedy = explanation.IsRecognised
                    ? explanation.Remedy
                    : smtp.ErrorCode switch
                    {
                        SmtpErrorCode.RecipientNotAccepted => $"Check the recipient {smtp.Mailbox?.Address}: the server does not deliver to it.",
                        SmtpErrorCode.SenderNotAccepted => $"Send from an address the signed-in account may send as (-From), or grant Send As on {smtp.Mailbox?.Address}.",
                        _ => "Read the server's reply above; `Resolve-ModernAuthMailError` explains known replies.",
                    };
                return new MailOperationException(code, $"The SMTP server {server} refused the message: {reply.Trim()}", remedy, MailFailureKind.Rejected, error) { Target = smtp.Mailbox?.Address };
            case SslHandshakeException:
                return new MailOperationException(
                    "tls_failed",
                    $"TLS with {server} failed: the server's certificate is not trusted by this machine, or the port does not speak TLS.",
                    "Check -SmtpServer and -Port. For a server with a certificate this machine does not trust (a test or on-premises server), pass its certificate with -TrustedCertificatePath.",
                    MailFailureKind.Tls,
                    error);
            case SocketException socket:
                return new MailOperationException(
                    "connection_failed",
                    $"Could not connect to {server}: {socket.Message} ({socket.SocketErrorCode}).",
                    "Check the host name and port (-SmtpServer, -Port), DNS, and any firewall or proxy on the way.",
                    MailFailureKind.Connection,
                    error);
            case TimeoutException or OperationCanceledException:
                return new MailOperationException("server_timeout", $"{server} did not answer in time.", "Try again; check that the server is reachable from this machine.", MailFailureKind.Timeout, error);
            case ProtocolException or IOException or CommandException:
                return new MailOperationException(
                    "connection_failed",
                    $"The conversation with {server} failed: {error.Message}",
                    "Check the host name and port (-SmtpServer, -Port) and that the server is running.",
                    MailFailureKind.Connection,
                    error);
            case ArgumentException argument when argument.Message.IndexOf("mailbox", StringComparison.OrdinalIgnoreCase) >= 0:
                return new MailOperationException("mailbox_required", argument.Message, "Give -From (the mailbox to send as) or a profile with \"mailbox\".", MailFailureKind.InvalidInput, error);
            default:
                return null;
        }
    }
}
