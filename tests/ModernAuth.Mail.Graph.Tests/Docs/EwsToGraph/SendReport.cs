// docs/ews-to-graph.md, "Sending": the block below is the doc's, word for word (EwsToGraphSnippetsTests runs it).
using MimeKit;
using ModernAuth.Mail.Graph;

public static class SendReport
{
    // EWS: new EmailMessage(service) { ... }; message.Attachments.AddFileAttachment(path); message.SendAndSaveCopy();
    public static async Task SendAsync(GraphMailClient mail, string to, string attachmentPath)
    {
        var message = new MimeMessage { Subject = "Monthly report" };
        message.From.Add(MailboxAddress.Parse(mail.Mailbox));
        message.To.Add(MailboxAddress.Parse(to));
        var body = new BodyBuilder { TextBody = "The report is attached." };
        await body.Attachments.AddAsync(attachmentPath);
        message.Body = body.ToMessageBody();

        // Graph keeps a copy in Sent Items; attachments of 3 MB and more go through an upload session.
        await mail.SendMessageAsync(message);
    }

    // EWS: message.Save(WellKnownFolderName.Drafts), later message.SendAndSaveCopy().
    public static async Task SaveThenSendAsync(GraphMailClient mail, byte[] mime)
    {
        var draftId = await mail.CreateItemFromMimeAsync(mime);
        await mail.SendItemAsync(draftId);
    }
}
