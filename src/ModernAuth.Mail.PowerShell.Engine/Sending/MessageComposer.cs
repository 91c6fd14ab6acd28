using System.Net.Mail;
using MimeKit;
using ModernAuth.Mail.PowerShell.Engine.Failures;

namespace ModernAuth.Mail.PowerShell.Engine.Sending;

/// <summary>Builds the MIME message Send-MailMessage would have sent: addresses, subject and body in the chosen charset, priority headers, attachments.</summary>
internal static class MessageComposer
{
    /// <exception cref="MailOperationException">An address is not an email address, or an attachment cannot be read.</exception>
    public static MimeMessage Compose(OutgoingMail mail)
    {
        var message = new MimeMessage();
        message.MessageId ??= MimeKit.Utils.MimeUtils.GenerateMessageId();
        message.From.Add(Address(mail.From, "-From"));
        AddAll(message.To, mail.To, "-To");
        AddAll(message.Cc, mail.Cc, "-Cc");
        AddAll(message.Bcc, mail.Bcc, "-Bcc");
        AddAll(message.ReplyTo, mail.ReplyTo, "-ReplyTo");
        if (mail.Subject is { } subject)
        {
            message.Headers.Replace(HeaderId.Subject, mail.Encoding, subject);
        }

        // System.Net.Mail writes all three priority headers; mail clients read different ones.
        (message.Priority, message.XPriority, message.Importance) = mail.Priority switch
        {
            MailPriority.High => (MessagePriority.Urgent, XMessagePriority.High, MessageImportance.High),
            MailPriority.Low => (MessagePriority.NonUrgent, XMessagePriority.Low, MessageImportance.Low),
            _ => (MessagePriority.Normal, XMessagePriority.Normal, MessageImportance.Normal),
        };
        if (mail.Priority == MailPriority.Normal)
        {
            message.Headers.Remove(HeaderId.Priority);
            message.Headers.Remove(HeaderId.XPriority);
            message.Headers.Remove(HeaderId.Importance);
        }

        var body = new TextPart(mail.BodyAsHtml ? "html" : "plain");
        body.SetText(mail.Encoding, mail.Body ?? string.Empty);
        if (mail.Attachments.Count == 0)
        {
            message.Body = body;
            return message;
        }

        var mixed = new Multipart("mixed") { body };
        foreach (var path in mail.Attachments)
        {
            mixed.Add(Attachment(path));
        }

        message.Body = mixed;
        return message;
    }

    private static MimePart Attachment(string path)
    {
        byte[] content;
        try
        {
            content = File.ReadAllBytes(path);
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException)
        {
            throw new MailOperationException(
                error is FileNotFoundException or DirectoryNotFoundException ? "attachment_not_found" : "attachment_unreadable",
                $"The attachment '{path}' could not be read: {error.Message}",
                "Check the path given to -Attachments and that this account may read the file.",
                error is FileNotFoundException or DirectoryNotFoundException ? MailFailureKind.NotFound : MailFailureKind.InvalidInput,
                error) { Target = path };
        }

        // Files are read whole, so nothing stays open (Send-MailMessage disposes its attachments for the same reason).
        return new MimePart(MimeTypes.GetMimeType(path))
        {
            Content = new MimeContent(new MemoryStream(content)),
            ContentDisposition = new ContentDisposition(ContentDisposition.Attachment),
            ContentTransferEncoding = ContentEncoding.Base64,
            FileName = Path.GetFileName(path),
        };
    }

    private static void AddAll(InternetAddressList list, IReadOnlyList<string> values, string parameter)
    {
        foreach (var value in values)
        {
            list.Add(Address(value, parameter));
        }
    }

    /// <exception cref="MailOperationException">Not one email address.</exception>
    public static MailboxAddress Address(string value, string parameter) =>
        MailboxAddress.TryParse(ParserOptions.Default, value?.Trim() ?? string.Empty, out var address) && address.Address.IndexOf('@') > 0
            ? address
            : throw new MailOperationException(
                "invalid_address",
                $"'{value}' ({parameter}) is not an email address.",
                $"Give {parameter} one address per value, such as someone@contoso.com or \"Some One <someone@contoso.com>\"; several go as an array: {parameter} a@contoso.com, b@contoso.com.",
                MailFailureKind.InvalidInput) { Target = value };
}
