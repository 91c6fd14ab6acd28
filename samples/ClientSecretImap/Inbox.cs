using MailKit;
using ModernAuth.Mail;
using ModernAuth.Mail.MailKit;

namespace ClientSecretImap;

/// <summary>The part of the sample that docs/getting-started.md shows.</summary>
public static class Inbox
{
    public static async Task<IReadOnlyList<string>> NewestSubjectsAsync(MailTokenProvider provider, string mailbox, MailKitConnectOptions options, int count = 5)
    {
        using var imap = await MailKitConnector.ConnectImapAsync(provider, mailbox, options: options);
        await imap.Inbox.OpenAsync(FolderAccess.ReadOnly);
        var subjects = new List<string>();
        for (var index = imap.Inbox.Count - 1; index >= 0 && subjects.Count < count; index--)
        {
            var message = await imap.Inbox.GetMessageAsync(index);
            subjects.Add(message.Subject ?? "(no subject)");
        }

        await imap.DisconnectAsync(true);
        return subjects;
    }
}
