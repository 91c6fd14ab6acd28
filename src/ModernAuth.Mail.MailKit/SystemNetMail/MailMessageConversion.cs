using System.Net.Mail;
using MimeKit;

namespace ModernAuth.Mail.MailKit;

/// <summary>
/// A <see cref="MailMessage"/> made ready to send: MimeKit's <see cref="MimeMessage.CreateFromMailMessage"/> plus what
/// it leaves out compared with what <see cref="System.Net.Mail.SmtpClient"/> puts on the wire, and the envelope.
/// </summary>
internal sealed class MailMessageConversion
{
    private MailMessageConversion(MimeMessage message, MailboxAddress sender, IReadOnlyList<MailboxAddress> recipients, DeliveryNotificationOptions notifications)
    {
        Message = message;
        Sender = sender;
        Recipients = recipients;
        DeliveryNotifications = notifications;
    }

    public MimeMessage Message { get; }

    public MailboxAddress Sender { get; }

    public IReadOnlyList<MailboxAddress> Recipients { get; }

    public DeliveryNotificationOptions DeliveryNotifications { get; }

    /// <exception cref="InvalidOperationException">No From address, or no recipient (SmtpClient's checks and words).</exception>
    public static MailMessageConversion Create(MailMessage message)
    {
        // SmtpClient's own checks, in its order and with its words, so old code sees the same InvalidOperationException.
        if (message.From is null)
        {
            throw new InvalidOperationException("A from address must be specified.");
        }

        if (message.To.Count + message.CC.Count + message.Bcc.Count == 0)
        {
            throw new InvalidOperationException("A recipient must be specified.");
        }

        var mime = MimeMessage.CreateFromMailMessage(message);
        ApplyPriority(message.Priority, mime);
#pragma warning disable CS0618 // MailMessage.ReplyTo is obsolete but old code sets it, and SmtpClient sends it.
        if (message.ReplyTo is { } replyTo && message.ReplyToList.Count == 0)
        {
            mime.ReplyTo.Add((MailboxAddress)replyTo);
        }
#pragma warning restore CS0618
        NameAttachments(message, mime);
        DropViewContentIds(mime.Body);

        var sender = (MailboxAddress)(message.Sender ?? message.From);
        var recipients = message.To.Concat(message.CC).Concat(message.Bcc).Select(a => (MailboxAddress)a).ToArray();
        return new MailMessageConversion(mime, sender, recipients, message.DeliveryNotificationOptions);
    }

    /// <summary>
    /// MimeKit writes <c>X-Priority: 2 (High)</c> / <c>4 (Low)</c>; SmtpClient writes <c>1</c> / <c>5</c> (the values
    /// Outlook shows as high and low importance). Priority and Importance are the same in both.
    /// </summary>
    private static void ApplyPriority(MailPriority priority, MimeMessage mime)
    {
        switch (priority)
        {
            case MailPriority.High:
                mime.Headers.Replace(HeaderId.XPriority, "1");
                break;
            case MailPriority.Low:
                mime.Headers.Replace(HeaderId.XPriority, "5");
                break;
        }
    }

    /// <summary>
    /// MimeKit copies <see cref="AttachmentBase.ContentId"/> onto every view, and reading it makes up a random one when
    /// none was set; SmtpClient writes none there. Nothing refers to a view by Content-ID (a multipart/related's root is
    /// its first part unless a <c>start</c> parameter names one), so views go without, as SmtpClient sends them. Linked
    /// resources and attachments keep theirs: HTML refers to them with <c>cid:</c>.
    /// </summary>
    private static void DropViewContentIds(MimeEntity? body)
    {
        if (body is Multipart mixed && mixed is not MultipartAlternative && mixed.Count > 0 && mixed.ContentType.IsMimeType("multipart", "mixed"))
        {
            body = mixed[0];
        }

        if (body is not MultipartAlternative alternative)
        {
            return;
        }

        foreach (var view in alternative)
        {
            var root = view is MultipartRelated related && related.ContentType.Parameters["start"] is null && related.Count > 0 ? related[0] : view;
            if (root is MimePart)
            {
                root.ContentId = null;
            }
        }
    }

    /// <summary>
    /// SmtpClient names every attachment by <see cref="AttachmentBase.ContentType"/>'s name, encoding a non-ASCII name;
    /// MimeKit copies Content-Disposition as text, where the name may be missing. Name each part as the attachment is
    /// named (MimeKit encodes it per RFC 2231) and mark it an attachment, as SmtpClient does.
    /// </summary>
    private static void NameAttachments(MailMessage message, MimeMessage mime)
    {
        if (message.Attachments.Count == 0 || mime.Body is not Multipart mixed || mixed.Count != message.Attachments.Count + 1)
        {
            return;
        }

        for (var i = 0; i < message.Attachments.Count; i++)
        {
            var attachment = message.Attachments[i];
            if (mixed[i + 1] is not MimePart part)
            {
                continue;
            }

            var name = attachment.Name ?? attachment.ContentDisposition?.FileName;
            if (string.IsNullOrEmpty(name))
            {
                continue;
            }

            part.ContentDisposition ??= new ContentDisposition(attachment.ContentDisposition?.Inline == true ? ContentDisposition.Inline : ContentDisposition.Attachment);
            part.FileName = name;
        }
    }
}
