using System.Net;
using System.Net.Mail;
using System.Net.Security;
using MailKit.Security;
using MimeKit;

namespace LegacySystemNetMail;

/// <summary>The "before" code of docs/migration.md: sending with a password.</summary>
public static class PasswordSenders
{
    public static void SendWithSystemNetMail(string host, int port, string user, string password, string recipient, RemoteCertificateValidationCallback? trust)
    {
        // System.Net.Mail has no hook of its own for certificate validation: the sandbox's self-signed certificate is
        // trusted through the process-wide (obsolete) ServicePointManager callback, for this sample only.
#pragma warning disable SYSLIB0014
        ServicePointManager.ServerCertificateValidationCallback = trust;
#pragma warning restore SYSLIB0014
        using var client = new System.Net.Mail.SmtpClient(host, port)
        {
            EnableSsl = true,
            Credentials = new NetworkCredential(user, password),
        };
        using var message = new MailMessage(user, recipient, "Legacy: System.Net.Mail with a password", "Sent with a password.");
        client.Send(message);
    }

    public static async Task SendWithMailKitAsync(string host, int port, string user, string password, string recipient, RemoteCertificateValidationCallback? trust)
    {
        using var smtp = new MailKit.Net.Smtp.SmtpClient { ServerCertificateValidationCallback = trust };
        await smtp.ConnectAsync(host, port, SecureSocketOptions.StartTls);
        await smtp.AuthenticateAsync(user, password);
        var message = new MimeMessage { Subject = "Legacy: MailKit with a password", Body = new TextPart("plain") { Text = "Sent with a password." } };
        message.From.Add(MailboxAddress.Parse(user));
        message.To.Add(MailboxAddress.Parse(recipient));
        await smtp.SendAsync(message);
        await smtp.DisconnectAsync(true);
    }
}
