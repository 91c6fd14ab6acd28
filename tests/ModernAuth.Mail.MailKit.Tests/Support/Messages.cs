using MailKit;
using MailKit.Net.Imap;
using MailKit.Search;
using MimeKit;

namespace ModernAuth.Mail.MailKit.Tests.Support;

public static class Messages
{
    public static MimeMessage WithAttachment(string from, string to, string subject, byte[] attachment, string fileName = "report.bin")
    {
        var builder = new BodyBuilder { TextBody = "Sent by the ModernAuth.Mail.MailKit tests." };
        builder.Attachments.Add(fileName, attachment, new ContentType("application", "octet-stream"));
        var message = new MimeMessage();
        message.From.Add(MailboxAddress.Parse(from));
        message.To.Add(MailboxAddress.Parse(to));
        message.Subject = subject;
        message.Body = builder.ToMessageBody();
        return message;
    }

    public static byte[] AttachmentBytes(MimeMessage message)
    {
        var part = Assert.IsType<MimePart>(Assert.Single(message.Attachments));
        using var stream = new MemoryStream();
        var content = part.Content;
        Assert.NotNull(content);
        content.DecodeTo(stream);
        return stream.ToArray();
    }

    /// <summary>Waits (bounded) until the message with <paramref name="subject"/> is in the INBOX; polls, since delivery is asynchronous.</summary>
    public static async Task<UniqueId> WaitForMessageAsync(ImapClient imap, string subject, TimeSpan timeout)
    {
        var inbox = imap.Inbox;
        if (!inbox.IsOpen)
        {
            await inbox.OpenAsync(FolderAccess.ReadOnly);
        }

        using var deadline = new CancellationTokenSource(timeout);
        while (true)
        {
            var found = await inbox.SearchAsync(SearchQuery.SubjectContains(subject));
            if (found.Count > 0)
            {
                return found[0];
            }

            try
            {
                await Task.Delay(50, deadline.Token);
                await imap.NoOpAsync(deadline.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"The message '{subject}' did not arrive in {timeout.TotalSeconds} s.");
            }
        }
    }
}
