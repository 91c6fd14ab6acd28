using MimeKit;
using ModernAuth.Mail;
using ModernAuth.Mail.MailKit;

namespace CertificateSmtp;

/// <summary>The part of the sample that docs/getting-started.md shows.</summary>
public static class Sender
{
    public static async Task<string> SendAsync(MailTokenProvider provider, string sender, string recipient, string subject, string text, MailKitConnectOptions options)
    {
        using var smtp = await MailKitConnector.ConnectSmtpAsync(provider, sender, options: options);
        var message = new MimeMessage { Subject = subject, Body = new TextPart("plain") { Text = text } };
        message.From.Add(MailboxAddress.Parse(sender));
        message.To.Add(MailboxAddress.Parse(recipient));
        await smtp.SendAsync(message);
        await smtp.DisconnectAsync(true);
        return message.MessageId ?? string.Empty;
    }
}
