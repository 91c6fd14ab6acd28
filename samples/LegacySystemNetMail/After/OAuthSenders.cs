using MimeKit;
using ModernAuth.Mail;
using ModernAuth.Mail.Ews;
using ModernAuth.Mail.MailKit;

namespace LegacySystemNetMail;

/// <summary>The "after" code of docs/migration.md: the same messages with OAuth 2.0.</summary>
public static class OAuthSenders
{
    public static async Task SendWithMailKitAsync(MailTokenProvider provider, string sender, string recipient, MailKitConnectOptions options)
    {
        using var smtp = await MailKitConnector.ConnectSmtpAsync(provider, sender, options: options);
        var message = new MimeMessage { Subject = "Moved to OAuth", Body = new TextPart("plain") { Text = "Sent with XOAUTH2." } };
        message.From.Add(MailboxAddress.Parse(sender));
        message.To.Add(MailboxAddress.Parse(recipient));
        await smtp.SendAsync(message);
        await smtp.DisconnectAsync(true);
    }

    public static async Task SendWithMailKitClientAsync(MailTokenProvider provider, string sender, MimeMessage message)
    {
        using var smtp = new MailKit.Net.Smtp.SmtpClient();
        await smtp.ConnectAsync("smtp.office365.com", 587, MailKit.Security.SecureSocketOptions.StartTls);
        await smtp.AuthenticateAsync(provider, sender);
        await smtp.SendAsync(message);
        await smtp.DisconnectAsync(true);
    }

    public static async Task SendWithEwsAsync(MailTokenProvider provider, string sender, MimeMessage message)
    {
        using var ews = new EwsClient(provider, sender);
        using var mime = new MemoryStream();
        await message.WriteToAsync(mime);
        await ews.SendMimeAsync(mime.ToArray());
    }
}
