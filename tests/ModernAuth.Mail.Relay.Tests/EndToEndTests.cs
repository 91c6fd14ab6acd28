using System.Net;
using System.Net.Mail;
using System.Text;
using MailKit.Net.Smtp;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using MimeKit;
using ModernAuth.Mail.Relay.Tests.Support;

namespace ModernAuth.Mail.Relay.Tests;

[Collection(RelayCollection.Name)]
[Trait("Category", "RealServers")]
public sealed class EndToEndTests(MailServers servers)
{
    [Fact]
    public async Task LegacySmtpClient_WithRelayAccount_ArrivesWithHeadersAndAttachmentIntact()
    {
        await using var env = new TestEnvironment(servers);
        var options = env.CreateOptions(network: false);
        var sender = MailServers.NewMailbox("scanner");
        var recipient = MailServers.NewMailbox("to");
        options.Accounts.Add(TestEnvironment.Account("scanner1", "relay-pass-1", sender));
        var relay = await env.StartRelayAsync(options);
        var subject = "E2E " + Guid.NewGuid().ToString("N");
        var attachment = Encoding.UTF8.GetBytes("scan page 1 " + new string('x', 5000));

        using (var client = new System.Net.Mail.SmtpClient(relay.Endpoints[0].Address.ToString(), relay.Endpoints[0].Port))
        {
            client.Credentials = new NetworkCredential("scanner1", "relay-pass-1");
            using var message = new MailMessage(sender, recipient, subject, "Scanned document attached.");
            message.Headers.Add("X-Legacy-Device", "printer-42");
            message.Attachments.Add(new Attachment(new MemoryStream(attachment), "scan.pdf", "application/pdf"));
            await client.SendMailAsync(message);
        }

        var received = await env.WaitForMessageAsync(recipient, subject);
        Assert.Equal("printer-42", received.Headers["X-Legacy-Device"]);
        Assert.Equal(sender, received.From.Mailboxes.Single().Address);
        var part = Assert.Single(received.Attachments.OfType<MimePart>());
        Assert.Equal("scan.pdf", part.FileName);
        Assert.NotNull(part.Content);
        using var decoded = new MemoryStream();
        await part.Content!.DecodeToAsync(decoded);
        Assert.Equal(attachment, decoded.ToArray());
        Assert.Contains("Scanned document attached.", received.TextBody, StringComparison.Ordinal);
        await TestEnvironment.WaitUntilAsync(async () => (await relay.Spool.GetQueueAsync()).Count == 0, "the spool is empty after delivery");
    }

    [Fact]
    public async Task OneConnectionPerMessage_VerifiesThePasswordHashOnce()
    {
        await using var env = new TestEnvironment(servers);
        var options = env.CreateOptions(network: false);
        var sender = MailServers.NewMailbox("mfp");
        var recipient = MailServers.NewMailbox("to");
        options.Accounts.Add(TestEnvironment.Account("mfp", "mfp-pass", sender));
        var relay = await env.StartRelayAsync(options);
        var subject = "PerConnection " + Guid.NewGuid().ToString("N");
        for (var i = 0; i < 5; i++)
        {
            using var client = new global::MailKit.Net.Smtp.SmtpClient();
            await client.ConnectAsync(relay.Endpoints[0].Address.ToString(), relay.Endpoints[0].Port, global::MailKit.Security.SecureSocketOptions.None);
            await client.AuthenticateAsync("mfp", "mfp-pass");
            await client.SendAsync(Message(sender, recipient, $"{subject} #{i}"));
            await client.DisconnectAsync(true);
        }

        Assert.Equal(1, relay.PasswordChecks);
        await env.WaitForMessagesAsync(recipient, subject, 5);
    }

    [Fact]
    public async Task AllowedNetwork_WithoutLogin_Delivers_AndCountersMove()
    {
        await using var env = new TestEnvironment(servers);
        using var meters = new MeterFactoryForTests();
        using var received = new MetricCollector<long>(meters, "ModernAuth.Mail.Relay", "modernauth.relay.messages.received");
        using var delivered = new MetricCollector<long>(meters, "ModernAuth.Mail.Relay", "modernauth.relay.messages.delivered");
        var relay = await env.StartRelayAsync(env.CreateOptions(), meters: meters);
        var sender = MailServers.NewMailbox("app");
        var recipient = MailServers.NewMailbox("to");
        var subject = "Network " + Guid.NewGuid().ToString("N");
        await SendAsync(relay, Message(sender, recipient, subject));
        await env.WaitForMessageAsync(recipient, subject);
        await TestEnvironment.WaitUntilAsync(() => Task.FromResult(delivered.GetMeasurementSnapshot().Sum(m => m.Value) == 1), "one delivered counted");
        Assert.Equal(1, received.GetMeasurementSnapshot().Sum(m => m.Value));
    }

    [Fact]
    public async Task ThousandRecipients_AreAcceptedAndDelivered()
    {
        await using var env = new TestEnvironment(servers);
        var relay = await env.StartRelayAsync(env.CreateOptions());
        var sender = MailServers.NewMailbox("list");
        var recipients = Enumerable.Range(0, 1000).Select(_ => MailServers.NewMailbox("m")).ToArray();
        var subject = "Thousand " + Guid.NewGuid().ToString("N");
        await using (var raw = await RawSmtpClient.ConnectAsync(relay.Endpoints[0]))
        {
            await raw.ReadReplyAsync();
            await raw.CommandAsync("EHLO test");
            Assert.StartsWith("250", await raw.CommandAsync($"MAIL FROM:<{sender}>"));
            foreach (var recipient in recipients)
            {
                Assert.StartsWith("250", await raw.CommandAsync($"RCPT TO:<{recipient}>"));
            }

            Assert.StartsWith("452 4.5.3", await raw.CommandAsync($"RCPT TO:<{MailServers.NewMailbox("extra")}>"));
            Assert.StartsWith("354", await raw.CommandAsync("DATA"));
            Assert.StartsWith("250", await raw.CommandAsync($"From: {sender}\r\nSubject: {subject}\r\n\r\nHello all.\r\n."));
        }

        var entry = Assert.Single(await relay.Spool.GetQueueAsync());
        Assert.Equal(1000, entry.RecipientCount);
        await env.WaitForMessageAsync(recipients[0], subject, TimeSpan.FromSeconds(60));
        await env.WaitForMessageAsync(recipients[^1], subject, TimeSpan.FromSeconds(60));
    }

    [Fact]
    public async Task EightBitWithout8BitMime_IsAcceptedAndArrivesIntact()
    {
        await using var env = new TestEnvironment(servers);
        var relay = await env.StartRelayAsync(env.CreateOptions());
        var sender = MailServers.NewMailbox("eu");
        var recipient = MailServers.NewMailbox("to");
        var subject = "EightBit " + Guid.NewGuid().ToString("N");
        await using (var raw = await RawSmtpClient.ConnectAsync(relay.Endpoints[0]))
        {
            await raw.ReadReplyAsync();
            await raw.CommandAsync("HELO old-device");
            Assert.StartsWith("250", await raw.CommandAsync($"MAIL FROM:<{sender}>"));
            Assert.StartsWith("250", await raw.CommandAsync($"RCPT TO:<{recipient}>"));
            Assert.StartsWith("354", await raw.CommandAsync("DATA"));
            var body = Encoding.UTF8.GetBytes($"From: {sender}\r\nSubject: {subject}\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\nGrüße aus Köln: café\r\n.\r\n");
            await raw.SendBytesAsync(body);
            Assert.StartsWith("250", await raw.ReadReplyAsync());
        }

        var received = await env.WaitForMessageAsync(recipient, subject);
        Assert.Contains("Grüße aus Köln: café", received.TextBody, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UpstreamRejection_GoesToDeadLetters_WithReason_AndBounceReachesTheSender()
    {
        await using var env = new TestEnvironment(servers);
        var options = env.CreateOptions();
        options.Delivery.SendBounces = true;
        var relay = await env.StartRelayAsync(options);
        var sender = MailServers.NewMailbox("bounce");
        var subject = "Rejected " + Guid.NewGuid().ToString("N");

        // Postfix refuses recipients outside its domains with 550 5.7.1: a permanent failure.
        await SendAsync(relay, Message(sender, "someone@outside.example", subject));
        await TestEnvironment.WaitUntilAsync(async () => (await relay.Spool.GetDeadLettersAsync()).Count == 1, "the message is dead-lettered");
        var dead = Assert.Single(await relay.Spool.GetDeadLettersAsync());
        Assert.Equal("upstream_rejected", dead.LastErrorCode);
        Assert.Contains("550", dead.LastError, StringComparison.Ordinal);
        Assert.NotNull(dead.DeadLetteredAt);
        Assert.True(File.Exists(Path.Combine(env.SpoolDirectory, "dead", dead.Id + ".reason")));

        var bounce = await env.WaitForMessageAsync(sender, "Undeliverable: " + subject);
        Assert.Contains("outside.example", bounce.TextBody, StringComparison.Ordinal);
    }

    internal static MimeMessage Message(string from, string to, string subject, string body = "Hello from a legacy device.")
    {
        var message = new MimeMessage { Subject = subject };
        message.From.Add(MailboxAddress.Parse(from));
        message.To.Add(MailboxAddress.Parse(to));
        message.Body = new TextPart("plain") { Text = body };
        return message;
    }

    internal static async Task SendAsync(RelayServer relay, params MimeMessage[] messages)
    {
        using var client = new global::MailKit.Net.Smtp.SmtpClient();
        await client.ConnectAsync(relay.Endpoints[0].Address.ToString(), relay.Endpoints[0].Port, global::MailKit.Security.SecureSocketOptions.None);
        foreach (var message in messages)
        {
            await client.SendAsync(message);
        }

        await client.DisconnectAsync(true);
    }
}
