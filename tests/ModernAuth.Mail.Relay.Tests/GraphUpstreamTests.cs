using System.Security.Cryptography;
using MailKit.Net.Smtp;
using MailKit.Security;
using MimeKit;
using ModernAuth.Mail.Diagnostics;
using ModernAuth.Mail.Relay.Tests.Support;

namespace ModernAuth.Mail.Relay.Tests;

/// <summary>
/// Routes that deliver through Microsoft Graph sendMail: a real MailKit client submits to the real relay listener, the
/// relay delivers with the real GraphServiceClient (through GraphMailClient) to the fake Graph, tokens from real MSAL
/// and the fake Entra ID.
/// </summary>
public sealed class GraphUpstreamTests : IAsyncLifetime
{
    private GraphEnvironment _env = null!;

    public async Task InitializeAsync() => _env = await GraphEnvironment.StartAsync();

    public async Task DisposeAsync() => await _env.DisposeAsync();

    [Fact]
    public async Task GraphRoute_MessageWithA5MbAttachment_ArrivesIntact_ThroughAnUploadSession()
    {
        var relay = await _env.StartRelayAsync(_env.CreateOptions());
        var subject = "Graph scan " + Guid.NewGuid().ToString("N");
        var attachment = RandomNumberGenerator.GetBytes(5 * 1024 * 1024);
        var message = EndToEndTests.Message("scanner@contoso.test", "adele@contoso.test", subject, "Your scan is attached.");
        var body = new BodyBuilder { TextBody = "Your scan is attached." };
        body.Attachments.Add("scan.pdf", attachment, ContentType.Parse("application/pdf"));
        message.Body = body.ToMessageBody();

        await EndToEndTests.SendAsync(relay, message);
        var arrived = (await _env.WaitForMessagesAsync("adele@contoso.test", subject)).Single();

        Assert.Equal(subject, arrived.Subject);
        Assert.Equal("Your scan is attached.", arrived.TextBody?.Trim());
        var part = Assert.Single(arrived.Attachments.OfType<MimePart>());
        Assert.Equal("scan.pdf", part.FileName);
        using var content = new MemoryStream();
        await part.Content!.DecodeToAsync(content);
        Assert.Equal(attachment, content.ToArray());

        // Over Graph's 4 MB request limit: a draft, an upload session for the attachment, then send.
        Assert.Contains(_env.Graph.Requests, r => r.Path.EndsWith("/attachments/createUploadSession", StringComparison.Ordinal) && r.StatusCode == 201);
        Assert.Contains(_env.Graph.Requests, r => r.Path.EndsWith("/send", StringComparison.Ordinal) && r.StatusCode == 202);
        Assert.Single(_env.Messages(GraphEnvironment.Relay, subject, "sentitems"));
        await WaitForEmptyQueueAsync(relay);
        Assert.Empty(await relay.Spool.GetDeadLettersAsync());
        _env.AssertNoSecretsLogged();
    }

    [Fact]
    public async Task GraphRoute_SmallMessage_GoesToGraphByteForByte_AsBase64TextPlain()
    {
        var relay = await _env.StartRelayAsync(_env.CreateOptions());
        var subject = "Graph small " + Guid.NewGuid().ToString("N");
        var message = EndToEndTests.Message("scanner@contoso.test", "adele@contoso.test", subject, "Hello through Graph.");
        message.Headers.Add("X-Device", "Printer 3rd floor");

        await EndToEndTests.SendAsync(relay, message);
        var arrived = (await _env.WaitForMessagesAsync("adele@contoso.test", subject)).Single();

        Assert.Equal("Hello through Graph.", arrived.TextBody?.Trim());
        Assert.Equal("Printer 3rd floor", arrived.Headers["X-Device"]);
        Assert.Equal(message.MessageId, arrived.MessageId);
        var send = Assert.Single(_env.Graph.Requests, r => r.Path.EndsWith("/sendMail", StringComparison.Ordinal));
        Assert.Equal("/v1.0/users/" + GraphEnvironment.Relay + "/sendMail", send.Path);
        Assert.StartsWith("text/plain", send.ContentType, StringComparison.Ordinal);
        Assert.True(send.HasAuthorization);
        await TestEnvironment.WaitUntilAsync(() => Task.FromResult(_env.Logs.Entries.Any(e => e.Id.Id == 4011)), "event 4011 is logged");
        _env.AssertNoSecretsLogged();
    }

    [Fact]
    public async Task GraphRoute_BccAndEnvelopeOnlyRecipients_AreDeliveredAsBcc_AndNobodyElseSeesThem()
    {
        var relay = await _env.StartRelayAsync(_env.CreateOptions());
        var subject = "Graph bcc " + Guid.NewGuid().ToString("N");

        // MailKit keeps Bcc out of the data it sends: bob is in the envelope only.
        var withBcc = EndToEndTests.Message("scanner@contoso.test", "adele@contoso.test", subject + " a");
        withBcc.Bcc.Add(MailboxAddress.Parse("bob@contoso.test"));

        // A device that names no recipient in the headers at all.
        var headless = new MimeMessage { Subject = subject + " b" };
        headless.From.Add(MailboxAddress.Parse("scanner@contoso.test"));
        headless.Body = new TextPart("plain") { Text = "No To header." };

        using (var client = new SmtpClient())
        {
            await client.ConnectAsync(relay.Endpoints[0].Address.ToString(), relay.Endpoints[0].Port, SecureSocketOptions.None);
            await client.SendAsync(withBcc);
            await client.SendAsync(headless, MailboxAddress.Parse("scanner@contoso.test"), [MailboxAddress.Parse("carol@contoso.test")]);
            await client.DisconnectAsync(true);
        }

        var toAdele = (await _env.WaitForMessagesAsync("adele@contoso.test", subject + " a")).Single();
        var toBob = (await _env.WaitForMessagesAsync("bob@contoso.test", subject + " a")).Single();
        var toCarol = (await _env.WaitForMessagesAsync("carol@contoso.test", subject + " b")).Single();

        Assert.Empty(toAdele.Bcc);
        Assert.DoesNotContain("bob@contoso.test", toAdele.ToString(), StringComparison.OrdinalIgnoreCase);
        Assert.Equal("adele@contoso.test", toBob.To.Mailboxes.Single().Address);
        Assert.Equal("No To header.", toCarol.TextBody?.Trim());
        Assert.Empty(toCarol.To);

        // The sender's copy in Sent Items keeps who got it, as Outlook's does.
        var sent = _env.Messages(GraphEnvironment.Relay, subject + " a", "sentitems").Single();
        Assert.Equal("bob@contoso.test", sent.Bcc.Mailboxes.Single().Address);
        Assert.Empty(_env.Messages("carol@contoso.test", subject + " a"));
        Assert.Empty(_env.Messages("adele@contoso.test", subject + " b"));
        await WaitForEmptyQueueAsync(relay);
        Assert.Empty(await relay.Spool.GetDeadLettersAsync());
        _env.AssertNoSecretsLogged();
    }

    [Fact]
    public async Task GraphRoute_HeadersNameARecipientOutsideTheEnvelope_DeadLettersWithTheReason_NobodyGetsIt_SenderGetsABounce()
    {
        var options = _env.CreateOptions();
        options.Delivery.SendBounces = true;
        var relay = await _env.StartRelayAsync(options);
        var subject = "Graph split " + Guid.NewGuid().ToString("N");
        var message = EndToEndTests.Message("scanner@contoso.test", "adele@contoso.test", subject);
        message.To.Add(MailboxAddress.Parse("carol@contoso.test"));

        // The client sends this copy to adele only (it sends carol hers in another transaction).
        using (var client = new SmtpClient())
        {
            await client.ConnectAsync(relay.Endpoints[0].Address.ToString(), relay.Endpoints[0].Port, SecureSocketOptions.None);
            await client.SendAsync(message, MailboxAddress.Parse("scanner@contoso.test"), [MailboxAddress.Parse("adele@contoso.test")]);
            await client.DisconnectAsync(true);
        }

        var bounce = (await _env.WaitForMessagesAsync("scanner@contoso.test", "Undeliverable: " + subject)).Single();
        Assert.Contains("adele@contoso.test", bounce.TextBody, StringComparison.Ordinal);
        Assert.Contains("carol@contoso.test", bounce.TextBody, StringComparison.Ordinal);
        var dead = Assert.Single(await relay.Spool.GetDeadLettersAsync());
        Assert.Equal("graph_envelope_mismatch", dead.LastErrorCode);
        Assert.Contains("carol@contoso.test", dead.LastError, StringComparison.Ordinal);
        Assert.Contains("Upstream Smtp", dead.LastError, StringComparison.Ordinal);
        Assert.Empty(_env.Messages("adele@contoso.test", subject));
        Assert.Empty(_env.Messages("carol@contoso.test", subject));

        // Refused before Graph was asked: the only sendMail is the bounce's.
        Assert.Single(_env.Graph.Requests, r => r.Path.EndsWith("/sendMail", StringComparison.Ordinal));
        _env.AssertNoSecretsLogged();
    }

    [Fact]
    public async Task GraphRoute_ThrottlingStorm_PausesTheLaneForRetryAfter_ThenDeliversEachMessageOnce()
    {
        var relay = await _env.StartRelayAsync(_env.CreateOptions());
        var subject = "Graph throttled " + Guid.NewGuid().ToString("N");

        // Six 429s with Retry-After 1 s: the SDK retries once per attempt (MaxRetries 1), then the lane must wait.
        _env.Graph.ThrottleNext(6, TimeSpan.FromSeconds(1));
        await EndToEndTests.SendAsync(relay, Enumerable.Range(0, 3).Select(i => EndToEndTests.Message("scanner@contoso.test", "adele@contoso.test", $"{subject} #{i}")).ToArray());

        await _env.WaitForMessagesAsync("adele@contoso.test", subject, 3, TimeSpan.FromSeconds(60));
        await WaitForEmptyQueueAsync(relay);

        for (var i = 0; i < 3; i++)
        {
            Assert.Single(_env.Messages("adele@contoso.test", $"{subject} #{i}"));
        }

        Assert.Empty(await relay.Spool.GetDeadLettersAsync());
        var sends = _env.Graph.Requests.Where(r => r.Path.EndsWith("/sendMail", StringComparison.Ordinal)).OrderBy(r => r.ReceivedAt).ToList();
        Assert.Equal(6 + 3, sends.Count);

        // Nothing is sent to a throttled mailbox before its Retry-After has passed, by the SDK or by the lane.
        for (var i = 0; i < sends.Count - 1; i++)
        {
            if (sends[i].StatusCode == 429)
            {
                var gap = sends[i + 1].ReceivedAt - sends[i].ReceivedAt;
                Assert.True(gap >= TimeSpan.FromMilliseconds(950), $"request {i + 1} came {gap.TotalMilliseconds} ms after a 429 with Retry-After 1 s");
            }
        }

        // The lane (not only the SDK) waited: the relay logged the pause with Graph's code.
        Assert.Contains(_env.Logs.Entries, e => e.Id.Id == 4021 && e.Text.Contains(MailFindingCodes.GraphThrottled, StringComparison.Ordinal) && e.Text.Contains("Retry-After 1 s", StringComparison.Ordinal));
        _env.AssertNoSecretsLogged();
    }

    [Theory]
    [InlineData("policy", MailFindingCodes.GraphAccessPolicyDenied, "New-ApplicationAccessPolicy")]
    [InlineData("no-mailbox", MailFindingCodes.GraphInvalidUser, "Fix:")]
    [InlineData("rest-disabled", MailFindingCodes.GraphMailboxNotEnabledForRest, "Fix:")]
    [InlineData("no-send-role", MailFindingCodes.GraphAccessDenied, "Mail.Send")]
    [InlineData("too-large", MailFindingCodes.GraphMessageTooLarge, "Fix:")]
    public async Task GraphRoute_PermanentRefusal_DeadLettersWithTheCatalogsRemedy_AndDoesNotRetry(string what, string code, string remedy)
    {
        var options = _env.CreateOptions();
        var mailbox = GraphEnvironment.Relay;
        switch (what)
        {
            case "policy":
                _env.Graph.RestrictAccess(_env.ClientId, "adele@contoso.test");
                break;
            case "no-mailbox":
                mailbox = "nobody@contoso.test";
                options.Routes[0].Mailbox = mailbox;
                break;
            case "rest-disabled":
                _env.Graph.DisableRestApi(mailbox);
                break;
            case "no-send-role":
                _env.Application.WithAppRoles("Mail.ReadWrite");
                break;
        }

        var relay = await _env.StartRelayAsync(options);
        var subject = "Graph refused " + Guid.NewGuid().ToString("N");

        // Too large: a 5 MB body with no attachment to take out, over Graph's 4 MB per request.
        var body = what == "too-large" ? new string('x', 76) + "\r\n" : "Hello from a legacy device.";
        await EndToEndTests.SendAsync(relay, EndToEndTests.Message("scanner@contoso.test", "adele@contoso.test", subject, what == "too-large" ? string.Concat(Enumerable.Repeat(body, 5 * 1024 * 1024 / body.Length)) : body));

        await TestEnvironment.WaitUntilAsync(async () => (await relay.Spool.GetDeadLettersAsync()).Count == 1, "the message is dead-lettered");
        var dead = (await relay.Spool.GetDeadLettersAsync()).Single();
        Assert.Equal(code, dead.LastErrorCode);
        Assert.Contains(remedy, dead.LastError, StringComparison.Ordinal);
        Assert.Contains(what == "too-large" ? "4 MB" : mailbox, dead.LastError, StringComparison.Ordinal);
        Assert.Empty(await relay.Spool.GetQueueAsync());
        Assert.Equal(what == "too-large" ? 0 : 1, _env.Graph.Requests.Count(r => r.Path.EndsWith("/sendMail", StringComparison.Ordinal)));
        Assert.Empty(_env.Messages("adele@contoso.test", subject));
        await TestEnvironment.WaitUntilAsync(() => Task.FromResult(_env.Logs.Entries.Any(e => e.Id.Id == 4013)), "event 4013 is logged");
        _env.AssertNoSecretsLogged(expectTokens: what != "too-large");
    }

    [Fact]
    public async Task GraphRoute_RelayRestartsWithMessagesQueued_EachIsDeliveredOnce()
    {
        // First run: Graph cannot be reached (nothing listens on loopback port 1), so the messages wait in the spool.
        var first = await _env.StartRelayAsync(_env.CreateOptions(new Uri("https://127.0.0.1:1/v1.0")));
        var subject = "Graph restart " + Guid.NewGuid().ToString("N");
        await EndToEndTests.SendAsync(first, Enumerable.Range(0, 5).Select(i => EndToEndTests.Message("scanner@contoso.test", "adele@contoso.test", $"{subject} #{i}")).ToArray());
        await TestEnvironment.WaitUntilAsync(async () => (await first.Spool.GetQueueAsync()).Any(e => e.LastErrorCode == "upstream_unreachable"), "a failed attempt is recorded");
        await first.DisposeAsync();
        Assert.Equal(5, (await new RelaySpool(_env.SpoolDirectory).GetQueueAsync()).Count);
        Assert.Empty(_env.Messages("adele@contoso.test", subject));

        // Second run on the same spool, Graph reachable: every message arrives, once.
        var second = await _env.StartRelayAsync(_env.CreateOptions());
        await _env.WaitForMessagesAsync("adele@contoso.test", subject, 5);
        await WaitForEmptyQueueAsync(second);
        for (var i = 0; i < 5; i++)
        {
            Assert.Single(_env.Messages("adele@contoso.test", $"{subject} #{i}"));
        }

        Assert.Equal(5, _env.Graph.Requests.Count(r => r.Path.EndsWith("/sendMail", StringComparison.Ordinal)));
        Assert.Empty(await second.Spool.GetDeadLettersAsync());
        _env.AssertNoSecretsLogged();
    }

    [Fact]
    public async Task GraphRoute_DelegatedProviderWithoutMailbox_IsRefusedAtStart_NamingTheKey()
    {
        var options = _env.CreateOptions();
        options.Routes[0].Mailbox = null;
        options.TokenProviders["graph"] = new DelegatedProvider();
        options.Graph.Endpoint = new Uri("http://graph.contoso.test/v1.0");

        var error = await Assert.ThrowsAsync<RelayConfigurationException>(() => new RelayServer(options).StartAsync());

        Assert.Contains("Relay:Routes:0:Mailbox: is required with Upstream Graph and the delegated provider 'graph'", error.Message, StringComparison.Ordinal);
        Assert.Contains("Relay:Graph:Endpoint:", error.Message, StringComparison.Ordinal);

        // The same route with SMTP is fine (XOAUTH2 authenticates as the signed-in user without naming it).
        options.Routes[0].Upstream = RelayUpstreamKind.Smtp;
        options.Graph.Endpoint = null;
        await using var smtp = new RelayServer(options);
        await smtp.StartAsync();
    }

    private static async Task WaitForEmptyQueueAsync(RelayServer relay) =>
        await TestEnvironment.WaitUntilAsync(async () => (await relay.Spool.GetQueueAsync()).Count == 0, "the queue empties");

    private sealed class DelegatedProvider : MailTokenProvider
    {
        public override ValueTask<MailAccessToken> GetTokenAsync(MailTokenRequest request, CancellationToken cancellationToken = default) =>
            throw new MailAuthenticationException("test", "No tokens here.", "None.", isRetryable: true);
    }
}
