using ModernAuth.Mail.Relay.Tests.Support;

namespace ModernAuth.Mail.Relay.Tests;

/// <summary>How the relay treats an upstream that throttles it or rejects some recipients.</summary>
[Collection(RelayCollection.Name)]
public sealed class DeliveryTests(MailServers servers)
{
    [Theory]
    [InlineData("mail", "451 4.7.500 Server busy. Please try again later from [127.0.0.1]. (S77719) [fake.upstream]")]
    [InlineData("mail", "421 4.3.2 Service not available, closing transmission channel")]
    [InlineData("data", "554 5.2.0 STOREDRV.Submission.Exception:SubmissionQuotaExceededException; Failed to process message due to a permanent exception with message [BeginDiagnosticData]Message submission quota exceeded")]
    public async Task ThrottledUpstream_With100QueuedMessages_UsesFewConnections_AndDeadLettersNothing(string when, string reply)
    {
        await using var env = new TestEnvironment(servers);
        await using var upstream = new FakeUpstream();

        // The first three transactions are throttled; everything after them is accepted.
        if (when == "mail")
        {
            upstream.MailFromReply = n => n < 3 ? reply : null;
        }
        else
        {
            upstream.DataReply = n => n < 3 ? reply : null;
        }

        var options = env.CreateOptions();
        options.Upstream.Host = "127.0.0.1";
        options.Upstream.Port = upstream.Port;
        options.Upstream.TlsMode = MailTlsMode.None;
        options.Upstream.TrustedCertificatePath = null;
        options.Routes[0].Mailbox = "relay@contoso.test";
        var relay = await env.StartRelayAsync(options);
        var subject = "Throttled " + Guid.NewGuid().ToString("N");
        await EndToEndTests.SendAsync(relay, Enumerable.Range(0, 100).Select(i => EndToEndTests.Message("s@contoso.test", "to@contoso.test", $"{subject} #{i}")).ToArray());

        await TestEnvironment.WaitUntilAsync(() => Task.FromResult(upstream.Accepted.Count(m => m.Contains(subject, StringComparison.Ordinal)) == 100), "all 100 accepted upstream", TimeSpan.FromSeconds(60));
        await TestEnvironment.WaitUntilAsync(async () => (await relay.Spool.GetQueueAsync()).Count == 0, "the queue empties");
        Assert.Empty(await relay.Spool.GetDeadLettersAsync());

        // One connection per pause (three pauses) plus the one that delivers; never one per message.
        Assert.InRange(upstream.Connections, 1, 8);
        Assert.Contains(env.Logs.Entries, e => e.Id.Id == 4021 || e.Id.Id == 4012);
    }

    [Fact]
    public async Task RecipientRejectedWith5xx_FailsAlone_OthersGetTheMessage_AndTheBounceNamesOnlyIt()
    {
        await using var env = new TestEnvironment(servers);
        var options = env.CreateOptions();
        options.Delivery.SendBounces = true;
        var relay = await env.StartRelayAsync(options);
        var sender = MailServers.NewMailbox("part");
        var good = MailServers.NewMailbox("good");
        var subject = "Partial " + Guid.NewGuid().ToString("N");
        var message = EndToEndTests.Message(sender, good, subject);
        message.To.Add(MimeKit.MailboxAddress.Parse("someone@outside.example"));

        // Postfix refuses recipients outside its domains with 550 5.7.1.
        await EndToEndTests.SendAsync(relay, message);
        await env.WaitForMessageAsync(good, subject);
        var bounce = await env.WaitForMessageAsync(sender, "Undeliverable: " + subject);
        Assert.Contains("someone@outside.example", bounce.TextBody, StringComparison.Ordinal);
        Assert.DoesNotContain(good, bounce.TextBody, StringComparison.Ordinal);
        await TestEnvironment.WaitUntilAsync(async () => (await relay.Spool.GetQueueAsync()).Count == 0, "the queue empties");
        Assert.Empty(await relay.Spool.GetDeadLettersAsync());
        Assert.Contains(env.Logs.Entries, e => e.Id.Id == 4022);
    }
}
