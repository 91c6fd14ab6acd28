using System.Net.Mail;
using MimeKit;

namespace ModernAuth.Mail.MailKit;

/// <summary>
/// Where a <see cref="ModernAuthSmtpClient"/> hands a message once it has turned the <see cref="MailMessage"/> into a
/// <see cref="MimeMessage"/>. The client's own default sends over SMTP with XOAUTH2; <c>ModernAuth.Mail.Graph</c>'s
/// <c>GraphMailMessageTransport</c> sends through Microsoft Graph's <c>sendMail</c> instead, and a test or an app can
/// derive its own.
/// </summary>
public abstract class MailMessageTransport : IDisposable
{
    /// <summary>Creates a transport.</summary>
    protected MailMessageTransport()
    {
    }

    /// <summary>Sends one message.</summary>
    /// <param name="message">
    /// The message as <see cref="MimeMessage.CreateFromMailMessage"/> made it (plus the client's fixes). It still holds
    /// the <c>Bcc</c> header: an SMTP transport must not send it (MailKit's SMTP client hides it), a transport that
    /// takes recipients from the headers (Graph) needs it.
    /// </param>
    /// <param name="sender">The envelope sender: <see cref="MailMessage.Sender"/>, else <see cref="MailMessage.From"/>.</param>
    /// <param name="recipients">The envelope recipients: To, then Cc, then Bcc, as <see cref="SmtpClient"/> sends them.</param>
    /// <param name="deliveryNotifications">What <see cref="MailMessage.DeliveryNotificationOptions"/> asked for (SMTP DSN).</param>
    /// <param name="cancellationToken">Cancels the send; the client also cancels it when its <c>Timeout</c> passes.</param>
    /// <returns>A task that completes when the server has accepted the message.</returns>
    public abstract Task SendAsync(
        MimeMessage message,
        MailboxAddress sender,
        IReadOnlyList<MailboxAddress> recipients,
        DeliveryNotificationOptions deliveryNotifications,
        CancellationToken cancellationToken = default);

    /// <summary>Releases what the transport holds.</summary>
    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    /// <summary>Releases what the transport holds.</summary>
    /// <param name="disposing"><see langword="true"/> from <see cref="Dispose()"/>.</param>
    protected virtual void Dispose(bool disposing)
    {
    }
}
