using System.Net.Mail;
using MimeKit;

namespace ModernAuth.Mail.MailKit.Tests.SystemNetMail;

/// <summary>What <see cref="ModernAuthSmtpClient"/> hands its transport: the envelope and the fixes on top of MimeKit's conversion.</summary>
public sealed class MailMessageConversionTests
{
    [Fact]
    public void Send_Envelope_SenderBeforeFromAndRecipientsToCcBccAsSmtpClientSendsThem()
    {
        using var transport = new RecordingTransport();
        using (var client = new ModernAuthSmtpClient(transport))
        {
            using var message = new MailMessage("from@contoso.test", "to@contoso.test") { Sender = new MailAddress("sender@contoso.test"), Subject = "Envelope" };
            message.CC.Add("cc@contoso.test");
            message.Bcc.Add("bcc@contoso.test");
            message.To.Add("to2@contoso.test");
            message.DeliveryNotificationOptions = DeliveryNotificationOptions.OnSuccess;
            client.Send(message);
        }

        var sent = Assert.Single(transport.Sent);
        Assert.Equal("sender@contoso.test", sent.Sender.Address);
        Assert.Equal(["to@contoso.test", "to2@contoso.test", "cc@contoso.test", "bcc@contoso.test"], sent.Recipients.Select(r => r.Address).ToArray());
        Assert.Equal(DeliveryNotificationOptions.OnSuccess, sent.Notify);
        // Kept in the MimeMessage for transports that read recipients from headers (Graph); MailKit's SMTP client hides it.
        Assert.Equal("bcc@contoso.test", Assert.Single(sent.Message.Bcc.Mailboxes).Address);
        Assert.Equal("sender@contoso.test", sent.Message.Sender!.Address);
        Assert.True(transport.Disposed, "The client disposes the transport it was given.");
    }

    [Fact]
    public void Send_PriorityObsoleteReplyToAndAttachmentNames_AsSmtpClientWritesThem()
    {
        using var transport = new RecordingTransport();
        using var client = new ModernAuthSmtpClient(transport);
        using var high = new MailMessage("a@contoso.test", "b@contoso.test", "High", "x") { Priority = MailPriority.High };
#pragma warning disable CS0618 // old code sets the obsolete ReplyTo
        high.ReplyTo = new MailAddress("desk@contoso.test", "Desk");
#pragma warning restore CS0618
        high.Attachments.Add(new Attachment(new MemoryStream([1, 2, 3]), "Übersicht März.bin"));
        using var low = new MailMessage("a@contoso.test", "b@contoso.test", "Low", "x") { Priority = MailPriority.Low };

        client.Send(high);
        client.Send(low);

        var first = transport.Sent[0].Message;
        Assert.Equal("1", first.Headers[HeaderId.XPriority]);
        Assert.Equal("urgent", first.Headers[HeaderId.Priority]);
        Assert.Equal("high", first.Headers[HeaderId.Importance]);
        Assert.Equal("desk@contoso.test", Assert.Single(first.ReplyTo.Mailboxes).Address);
        var attachment = Assert.IsType<MimePart>(Assert.Single(first.Attachments));
        Assert.Equal("Übersicht März.bin", attachment.FileName);
        Assert.True(attachment.IsAttachment);
        var second = transport.Sent[1].Message;
        Assert.Equal("5", second.Headers[HeaderId.XPriority]);
        Assert.Equal("non-urgent", second.Headers[HeaderId.Priority]);
    }
}
