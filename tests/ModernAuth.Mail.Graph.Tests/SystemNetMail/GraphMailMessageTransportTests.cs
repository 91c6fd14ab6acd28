using System.Net.Mail;
using MimeKit;
using ModernAuth.Mail.Graph.Tests.Client;
using ModernAuth.Mail.MailKit;

namespace ModernAuth.Mail.Graph.Tests.SystemNetMail;

/// <summary>
/// <see cref="ModernAuthSmtpClient"/> sending through Graph: old System.Net.Mail code with the Graph transport, against
/// the fake Graph (real GraphServiceClient, tokens from real MSAL and the fake Entra ID).
/// </summary>
public sealed class GraphMailMessageTransportTests : IAsyncLifetime
{
    private GraphTestContext _ctx = null!;

    public async Task InitializeAsync() => _ctx = await GraphTestContext.StartAsync();

    public async Task DisposeAsync() => await _ctx.DisposeAsync();

    [Fact]
    public async Task SendAndSendMailAsync_ThroughGraph_ArriveWithAttachmentAndReachTheBccRecipient()
    {
        var attachment = Enumerable.Range(0, 5000).Select(i => (byte)i).ToArray();
        using (var client = new ModernAuthSmtpClient(new GraphMailMessageTransport(_ctx.AppOnlyProvider(), _ctx.Options())))
        {
            using var message = new MailMessage("adele@contoso.test", "ceo@contoso.test", "Through Graph", "Sent by old code, through Graph.");
            message.Bcc.Add("shared@contoso.test");
            message.Attachments.Add(new Attachment(new MemoryStream(attachment), "report.bin"));
            client.Send(message);
            await client.SendMailAsync("adele@contoso.test", "ceo@contoso.test", "Short form through Graph", "Body.");
        }

        var sender = _ctx.Graph.Mailbox("adele@contoso.test");
        Assert.Equal(2, sender.Sent.Count);
        var sent = MimeMessage.Load(new MemoryStream(sender.Sent[0]));
        Assert.Equal("Through Graph", sent.Subject);
        var part = Assert.IsType<MimePart>(Assert.Single(sent.Attachments));
        Assert.Equal("report.bin", part.FileName);
        using var bytes = new MemoryStream();
        part.Content!.DecodeTo(bytes);
        Assert.Equal(attachment, bytes.ToArray());
        foreach (var recipient in new[] { "ceo@contoso.test", "shared@contoso.test" })
        {
            var mailbox = _ctx.Graph.Mailbox(recipient);
            Assert.Contains(mailbox.MessagesIn(mailbox.FindFolder("inbox", true)!.Id), m => m.Subject == "Through Graph");
        }
    }

    [Fact]
    public async Task SendMailAsync_GraphRefuses_SmtpExceptionWithTheGraphErrorInside_NoSecret()
    {
        using var client = new ModernAuthSmtpClient(new GraphMailMessageTransport(_ctx.AppOnlyProvider(), _ctx.Options()));
        using var message = new MailMessage("nobody@contoso.test", "ceo@contoso.test", "From a mailbox Graph does not have", "x");

        var error = await Assert.ThrowsAsync<SmtpException>(() => client.SendMailAsync(message));

        var inner = Assert.IsType<GraphMailException>(error.InnerException);
        Assert.Contains(inner.Message, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(GraphTestContext.Secret, error.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(GraphTestContext.Secret, _ctx.Logs.AllText, StringComparison.Ordinal);
    }
}
