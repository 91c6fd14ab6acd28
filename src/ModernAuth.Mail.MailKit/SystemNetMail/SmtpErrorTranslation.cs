using System.Globalization;
using System.Net.Mail;
using MailKit.Net.Smtp;
using SmtpStatusCode = System.Net.Mail.SmtpStatusCode;

namespace ModernAuth.Mail.MailKit;

/// <summary>
/// Turns a failure of the send into what <see cref="System.Net.Mail.SmtpClient"/> throws, so the catch blocks of old
/// code keep working; the original (a <see cref="MailAuthenticationException"/> with its ErrorCode and Remedy, MailKit's
/// exception, a Graph error) stays as <see cref="Exception.InnerException"/>.
/// </summary>
internal static class SmtpErrorTranslation
{
    public const string TimedOut = "The operation has timed out.";

    /// <summary>The exception to throw instead of <paramref name="error"/>, or <see langword="null"/> to let it pass (cancellation, an SmtpException already).</summary>
    public static Exception? Translate(Exception error)
    {
        switch (error)
        {
            case OperationCanceledException:
            case SmtpException:
                return null;
            case MailAuthenticationException auth:
                // Its message already ends with "Fix: <remedy>"; the catalog's code is on the inner exception.
                return new SmtpException(auth.Message, auth) { StatusCode = StatusOf(auth.ServerResponse) ?? SmtpStatusCode.GeneralFailure };
            case SmtpCommandException command:
                var status = (SmtpStatusCode)(int)command.StatusCode;
                return command.ErrorCode switch
                {
                    SmtpErrorCode.RecipientNotAccepted => new SmtpFailedRecipientException(status, command.Mailbox?.Address, command.Message),
                    SmtpErrorCode.SenderNotAccepted => new SmtpException($"The server refused the sender {command.Mailbox?.Address}: {(int)command.StatusCode} {command.Message}", command) { StatusCode = status },
                    _ => new SmtpException($"The server refused the message: {(int)command.StatusCode} {command.Message}", command) { StatusCode = status },
                };
            case TimeoutException:
                return new SmtpException(TimedOut, error) { StatusCode = SmtpStatusCode.GeneralFailure };
            default:
                return new SmtpException("Failure sending mail: " + error.Message, error) { StatusCode = SmtpStatusCode.GeneralFailure };
        }
    }

    /// <summary>
    /// The reply code of the server's last reply line (<c>535 5.7.3 ...</c>), if there is one; the lines before it may
    /// be a decoded error challenge (<c>{"status":"401",...}</c>).
    /// </summary>
    private static SmtpStatusCode? StatusOf(string? reply)
    {
        if (reply is null)
        {
            return null;
        }

        var lines = reply.Split('\n');
        for (var i = lines.Length - 1; i >= 0; i--)
        {
            var text = lines[i].Trim();
            if (text.Length >= 3 && int.TryParse(text.Substring(0, 3), NumberStyles.None, CultureInfo.InvariantCulture, out var code) && code is >= 400 and < 600)
            {
                return (SmtpStatusCode)code;
            }
        }

        return null;
    }
}
