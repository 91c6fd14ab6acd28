using System.Text;
using MimeKit;
using ModernAuth.Mail.Graph;

namespace GraphAppOnly;

/// <summary>What the sample does with the shared mailbox; the same code runs against Microsoft Graph and the sandbox.</summary>
public static class SharedMailbox
{
    /// <summary>
    /// Sends a report from the mailbox to itself. Its attachment is about 3.5 MB, over what one Graph request carries:
    /// <see cref="GraphMailClient.SendMessageAsync"/> saves a draft, uploads the attachment through an upload session and
    /// sends the draft; a copy lands in Sent Items, as EWS's SendAndSaveCopy did.
    /// </summary>
    public static async Task<int> SendReportAsync(GraphMailClient mail, string subject, CancellationToken cancellationToken = default)
    {
        var report = new StringBuilder("day,invoices,total\r\n");
        for (var day = 0; report.Length < 3_500_000; day++)
        {
            report.Append(System.FormattableString.Invariant($"{new DateOnly(2026, 1, 1).AddDays(day % 365):yyyy-MM-dd},{day % 97},{day * 31 % 100_000}.00\r\n"));
        }

        var message = new MimeMessage { Subject = subject };
        message.From.Add(MailboxAddress.Parse(mail.Mailbox));
        message.To.Add(MailboxAddress.Parse(mail.Mailbox));
        var body = new BodyBuilder { TextBody = "The daily invoice totals are attached." };
        body.Attachments.Add("invoices.csv", Encoding.UTF8.GetBytes(report.ToString()), new ContentType("text", "csv"));
        message.Body = body.ToMessageBody();
        await mail.SendMessageAsync(message, cancellationToken);
        return report.Length;
    }

    /// <summary>
    /// Waits until a message with <paramref name="subject"/> is in the Inbox (Exchange delivers asynchronously, usually
    /// within seconds), reads it as MIME and marks it read.
    /// </summary>
    public static async Task<MimeMessage?> ReadAsync(GraphMailClient mail, string subject, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        var deadline = DateTimeOffset.UtcNow + timeout;
        while (true)
        {
            var page = await mail.FindItemsAsync(GraphWellKnownFolders.Inbox, pageSize: 25, cancellationToken: cancellationToken);
            var found = page.Items.FirstOrDefault(m => m.Subject == subject);
            if (found is not null)
            {
                var item = await mail.GetItemAsync(found.Id, includeMimeContent: true, cancellationToken);
                await mail.MarkReadAsync(found.Id, cancellationToken: cancellationToken);
                return await MimeMessage.LoadAsync(item.OpenMimeContent(), cancellationToken);
            }

            if (DateTimeOffset.UtcNow >= deadline)
            {
                return null;
            }

            await Task.Delay(TimeSpan.FromSeconds(2), cancellationToken);
        }
    }
}
