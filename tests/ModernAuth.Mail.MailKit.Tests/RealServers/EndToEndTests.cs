using System.Security.Cryptography;
using MailKit;
using ModernAuth.Mail.MailKit.Tests.Support;

namespace ModernAuth.Mail.MailKit.Tests.RealServers;

/// <summary>
/// Every flow against the real servers: SMTP sends a message with an attachment, IMAP and POP3 read the same message
/// back, each connection made and authenticated by <see cref="MailKitConnector"/> with tokens from the real provider.
/// </summary>
[Collection(MailServersCollection.Name)]
[Trait("Category", "RealServers")]
public sealed class EndToEndTests
{
    private readonly MailServers _servers;

    public EndToEndTests(MailServers servers) => _servers = servers;

    [Theory]
    [InlineData(Flow.ClientSecret)]
    [InlineData(Flow.ClientCertificate)]
    [InlineData(Flow.DeviceCode)]
    [InlineData(Flow.InteractiveBrowser)]
    [InlineData(Flow.ManagedIdentity)]
    [InlineData(Flow.WorkloadIdentity)]
    public async Task SendWithAttachment_ReadBackOverImapAndPop_SameMessage(Flow flow)
    {
        using var identity = new TestIdentity(_servers);
        var mailbox = MailServers.NewMailbox(flow.ToString().ToLowerInvariant());
        var provider = identity.CreateProvider(flow, mailbox);
        // App-only flows must name the mailbox; delegated ones default to the signed-in user.
        var user = flow is Flow.DeviceCode or Flow.InteractiveBrowser ? null : mailbox;
        var subject = $"End to end {flow} {Guid.NewGuid():N}";
        var attachment = RandomNumberGenerator.GetBytes(20_000);

        using (var smtp = await MailKitConnector.ConnectSmtpAsync(provider, user, options: _servers.ConnectOptions(MailProtocol.Smtp)))
        {
            Assert.True(smtp.IsAuthenticated);
            await smtp.SendAsync(Messages.WithAttachment(mailbox, mailbox, subject, attachment));
            await smtp.DisconnectAsync(quit: true);
        }

        using (var imap = await MailKitConnector.ConnectImapAsync(provider, user, options: _servers.ConnectOptions(MailProtocol.Imap)))
        {
            var uid = await Messages.WaitForMessageAsync(imap, subject, TimeSpan.FromSeconds(30));
            var summary = Assert.Single(await imap.Inbox.FetchAsync(new[] { uid }, MessageSummaryItems.Envelope | MessageSummaryItems.BodyStructure | MessageSummaryItems.Size));
            Assert.Equal(subject, summary.Envelope?.Subject);
            Assert.Equal("report.bin", Assert.Single(summary.Attachments).FileName);
            var message = await imap.Inbox.GetMessageAsync(uid);
            Assert.Equal(attachment, Messages.AttachmentBytes(message));
            await imap.DisconnectAsync(quit: true);
        }

        using (var pop = await MailKitConnector.ConnectPop3Async(provider, user, options: _servers.ConnectOptions(MailProtocol.Pop)))
        {
            Assert.Equal(1, await pop.GetMessageCountAsync());
            var message = await pop.GetMessageAsync(0);
            Assert.Equal(subject, message.Subject);
            Assert.Equal(attachment, Messages.AttachmentBytes(message));
            await pop.DisconnectAsync(quit: true);
        }

        if (flow == Flow.ManagedIdentity)
        {
            // One token from the managed identity endpoint served SMTP, IMAP and POP (one resource, cached).
            Assert.Equal(1, identity.Fake.ManagedIdentityRequestCount);
        }

        if (flow == Flow.DeviceCode)
        {
            // Signed in once; the IMAP and POP tokens came silently from the cached account.
            Assert.Equal(1, identity.DeviceCodeRequests);
        }

        if (flow == Flow.InteractiveBrowser)
        {
            // One browser sign-in; every later token came silently from the cached account.
            Assert.Equal(1, identity.Browser.PageCount);
            Assert.Equal(0, identity.DeviceCodeRequests);
        }
    }
}
