using System.Diagnostics;
using MailKit;
using MailKit.Net.Imap;
using MailKit.Search;
using MailKit.Security;
using MimeKit;
using ModernAuth.Mail.Cli.Tests.Commands;

namespace ModernAuth.Mail.Cli.Tests.Support;

/// <summary>Reads a sent message back from the sandbox's Dovecot over IMAP with XOAUTH2 (an app-only token from the tool).</summary>
public static class InboxReader
{
    /// <summary>The first message in <paramref name="mailbox"/>'s inbox whose subject contains <paramref name="subject"/>, waiting up to 20 s for it.</summary>
    public static async Task<MimeMessage> ReadBackAsync(SandboxServersFixture servers, CliRunner cli, string mailbox, string subject)
    {
        var token = await InspectCommandTests.TokenAsync(cli, "imap", "secret");
        using var imap = new ImapClient { ServerCertificateValidationCallback = servers.Servers.TrustServerCertificate, CheckCertificateRevocation = false };
        await imap.ConnectAsync(servers.Servers.Host, servers.Servers.ImapsPort, SecureSocketOptions.SslOnConnect);
        await imap.AuthenticateAsync(new SaslMechanismOAuth2(mailbox, token));
        await imap.Inbox.OpenAsync(FolderAccess.ReadOnly);
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromSeconds(20))
        {
            var uids = await imap.Inbox.SearchAsync(SearchQuery.SubjectContains(subject));
            if (uids.Count > 0)
            {
                return await imap.Inbox.GetMessageAsync(uids[0]);
            }

            await Task.Delay(100);
            await imap.NoOpAsync();
        }

        throw new InvalidOperationException($"'{subject}' did not arrive in {mailbox}'s inbox within 20 s.");
    }
}
