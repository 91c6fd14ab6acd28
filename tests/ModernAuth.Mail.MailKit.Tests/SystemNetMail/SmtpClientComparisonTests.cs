using System.Net;
using System.Text;
using MailKit;
using MailKit.Search;
using MimeKit;
using ModernAuth.Mail.MailKit.Tests.Support;
using LegacySystemNetMail;
using Xunit.Abstractions;

namespace ModernAuth.Mail.MailKit.Tests.SystemNetMail;

/// <summary>
/// The legacy sample's messages, sent once by <see cref="System.Net.Mail.SmtpClient"/> with a password (as
/// samples/LegacySystemNetMail/Before does) and once by <see cref="ModernAuthSmtpClient"/> with XOAUTH2, to the same
/// real Postfix; both copies are read back over IMAP from every recipient's mailbox and compared.
/// </summary>
[Collection(MailServersCollection.Name)]
[Trait("Category", "RealServers")]
public sealed class SmtpClientComparisonTests
{
    /// <summary>
    /// Top-level headers that differ by nature between two sends: the server's trace and ids, the date, and the MIME
    /// framing (boundaries, transfer encodings and charsets are representation; the decoded content is compared).
    /// </summary>
    private static readonly HashSet<string> InherentHeaders = new(StringComparer.OrdinalIgnoreCase)
    {
        "Received", "Return-Path", "Delivered-To", "Message-ID", "Date", "MIME-Version", "Content-Type", "Content-Transfer-Encoding",
    };

    private readonly MailServers _servers;
    private readonly ITestOutputHelper _output;

    public SmtpClientComparisonTests(MailServers servers, ITestOutputHelper output)
    {
        _servers = servers;
        _output = output;
    }

    [Fact]
    public async Task LegacyMessages_SmtpClientWithPasswordAndModernAuthSmtpClientWithXOAuth2_ArriveTheSame()
    {
        var user = _servers.PasswordUser ?? throw new InvalidOperationException("The test servers name no password user: run " + MailServers.StartCommand + " again.");
        var password = _servers.Password!;
        using var identity = new TestIdentity(_servers);
        var provider = identity.CreateProvider(Flow.ClientSecret);
        string from = MailServers.NewMailbox("legacy"), to = MailServers.NewMailbox("to"), cc = MailServers.NewMailbox("cc"), bcc = MailServers.NewMailbox("bcc");
        var run = Guid.NewGuid().ToString("N")[..12];
        string oldTag = "old-" + run, newTag = "new-" + run;

        // System.Net.Mail trusts a self-signed certificate only through the process-wide callback (the Before sample does the same).
#pragma warning disable SYSLIB0014
        ServicePointManager.ServerCertificateValidationCallback = _servers.TrustServerCertificate;
#pragma warning restore SYSLIB0014
        using (var smtp = new System.Net.Mail.SmtpClient(_servers.Host, _servers.SubmissionPort) { EnableSsl = true, Credentials = new NetworkCredential(user, password) })
        {
            foreach (var message in LegacyMessages.Create(from, to, cc, bcc, oldTag))
            {
                using (message)
                {
                    smtp.Send(message);
                }
            }
        }

        using (var client = new ModernAuthSmtpClient(provider, _servers.ConnectOptions(MailProtocol.Smtp)))
        {
            foreach (var message in LegacyMessages.Create(from, to, cc, bcc, newTag))
            {
                using (message)
                {
                    client.Send(message);
                }
            }
        }

        var compared = 0;
        foreach (var (mailbox, expected) in new[] { (to, LegacyMessages.Count), (cc, 1), (bcc, 1) })
        {
            var before = await ReadAllAsync(provider, mailbox, oldTag, expected);
            var after = await ReadAllAsync(provider, mailbox, newTag, expected);
            for (var i = 0; i < expected; i++)
            {
                var old = Describe(before[i], oldTag);
                var now = Describe(after[i], newTag);
                Assert.Equal(old, now);
                _output.WriteLine($"== {mailbox[..mailbox.IndexOf('-', StringComparison.Ordinal)]} #{i + 1}, the same from both clients:\n{now}");
                Assert.False(after[i].Headers.Contains(HeaderId.Bcc), "The Bcc header must not be delivered.");
                Assert.False(before[i].Headers.Contains(HeaderId.Bcc));
                compared++;
            }
        }

        Assert.Equal(LegacyMessages.Count + 2, compared);
        Assert.Equal($"Quarterly report — café ☕ Ünïcödé {newTag}", (await ReadAllAsync(provider, cc, newTag, 1))[0].Subject);
        Assert.Equal($"Quarterly report — café ☕ Ünïcödé {oldTag}", (await ReadAllAsync(provider, cc, oldTag, 1))[0].Subject);
        var withAttachments = (await ReadAllAsync(provider, to, newTag, LegacyMessages.Count))[2];
        Assert.Equal(["report.bin", "Übersicht März.txt"], withAttachments.Attachments.Select(a => a.ContentDisposition?.FileName ?? a.ContentType.Name ?? "(none)").ToArray());
    }

    /// <summary>
    /// What a reader sees: every header but the inherent ones (decoded; addresses as name and address), and the MIME
    /// tree (types, file names, decoded text or the bytes' hash, the Content-ID of related parts).
    /// </summary>
    private static string Describe(MimeMessage message, string tag)
    {
        var text = new StringBuilder();
        foreach (var name in message.Headers.Select(h => h.Field).Where(f => !InherentHeaders.Contains(f)).Distinct(StringComparer.OrdinalIgnoreCase).OrderBy(f => f, StringComparer.OrdinalIgnoreCase))
        {
            var values = message.Headers.Where(h => string.Equals(h.Field, name, StringComparison.OrdinalIgnoreCase)).Select(h => HeaderValue(h, tag));
            text.Append(name.ToLowerInvariant()).Append(": ").AppendJoin(" | ", values).Append('\n');
        }

        DescribeEntity(message.Body!, related: false, depth: 0, text);
        return text.ToString();
    }

    private static string HeaderValue(Header header, string tag)
    {
        switch (header.Id)
        {
            case HeaderId.From:
            case HeaderId.To:
            case HeaderId.Cc:
            case HeaderId.ReplyTo:
            case HeaderId.Sender:
                return string.Join(", ", InternetAddressList.Parse(header.Value).Mailboxes.Select(m => $"{m.Name} <{m.Address}>"));
            default:
                // Header.Value is decoded (RFC 2047 encoded-words, or raw UTF-8).
                var value = header.Value.Trim();
                return string.Join(' ', value.Replace(tag, "{tag}", StringComparison.Ordinal).Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
        }
    }

    private static void DescribeEntity(MimeEntity entity, bool related, int depth, StringBuilder text)
    {
        text.Append(' ', depth * 2).Append(entity.ContentType.MimeType.ToLowerInvariant());
        if (entity.ContentDisposition is { } disposition)
        {
            text.Append(" disposition=").Append(disposition.Disposition.ToLowerInvariant());
        }

        // The name a reader shows: SmtpClient puts it in Content-Type's name only, ModernAuthSmtpClient (MimeKit) also in
        // Content-Disposition's filename (RFC 2183); MimePart.FileName reads either, as mail programs do.
        if (entity is MimePart { FileName: { } name })
        {
            text.Append(" name=").Append(name);
        }

        // A Content-ID matters where something refers to it (cid: in a multipart/related). MimeKit gives every other part
        // one too (reading AttachmentBase.ContentId creates it): harmless, and not compared.
        if (related && entity.ContentId is { } contentId)
        {
            text.Append(" cid=").Append(contentId);
        }

        text.Append('\n');
        switch (entity)
        {
            case Multipart multipart:
                foreach (var child in multipart)
                {
                    DescribeEntity(child, multipart is MultipartRelated, depth + 1, text);
                }

                break;
            case TextPart textPart when !textPart.IsAttachment:
                text.Append(' ', depth * 2 + 2).Append(textPart.Text.ReplaceLineEndings("\n").TrimEnd()).Append('\n');
                break;
            case MimePart part:
                using (var bytes = new MemoryStream())
                {
                    part.Content!.DecodeTo(bytes);
                    text.Append(' ', depth * 2 + 2).Append("sha256=").Append(Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(bytes.ToArray()))).Append('\n');
                }

                break;
        }
    }

    private async Task<IReadOnlyList<MimeMessage>> ReadAllAsync(MailTokenProvider provider, string mailbox, string tag, int expected)
    {
        using var imap = await MailKitConnector.ConnectImapAsync(provider, mailbox, _servers.ConnectOptions(MailProtocol.Imap));
        await imap.Inbox.OpenAsync(FolderAccess.ReadOnly);
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        while (true)
        {
            var found = await imap.Inbox.SearchAsync(SearchQuery.SubjectContains(tag));
            if (found.Count >= expected)
            {
                var messages = new List<MimeMessage>();
                foreach (var uid in found)
                {
                    messages.Add(await imap.Inbox.GetMessageAsync(uid));
                }

                await imap.DisconnectAsync(true);
                // In the order LegacyMessages made them (delivery order may differ).
                return messages.OrderBy(m => m.Subject!.StartsWith("Quarterly", StringComparison.Ordinal) ? 0 : m.Subject!.StartsWith("Newsletter", StringComparison.Ordinal) ? 1 : 2).ToArray();
            }

            await Task.Delay(50, deadline.Token);
            await imap.NoOpAsync(deadline.Token);
        }
    }
}
