using System.Net;
using ModernAuth.Mail.Relay.Tests.Support;
using ModernAuth.Mail.Testing;

namespace ModernAuth.Mail.Relay.Tests;

[Collection(RelayCollection.Name)]
[Trait("Category", "RealServers")]
public sealed class OutageTests(MailServers servers)
{
    [Fact]
    public async Task UpstreamDown_MessagesStaySpooledWithTheReason_ThenAllArriveOnce()
    {
        await using var env = new TestEnvironment(servers);
        await using var proxy = new SwitchableProxy(servers.Host, servers.SubmissionPort);
        var options = env.CreateOptions();
        options.Upstream.Port = proxy.Port;
        var relay = await env.StartRelayAsync(options);
        var sender = MailServers.NewMailbox("down");
        var recipient = MailServers.NewMailbox("to");
        var subject = "Outage " + Guid.NewGuid().ToString("N");
        await EndToEndTests.SendAsync(relay, Enumerable.Range(0, 3).Select(i => EndToEndTests.Message(sender, recipient, $"{subject} #{i}")).ToArray());

        await TestEnvironment.WaitUntilAsync(
            async () => (await relay.Spool.GetQueueAsync()) is { Count: 3 } queue && queue.All(e => e.Attempts >= 1 && e.LastErrorCode == "upstream_unreachable" && e.NextAttempt is not null),
            "three messages wait with upstream_unreachable");
        Assert.Contains(proxy.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), (await relay.Spool.GetQueueAsync())[0].LastError, StringComparison.Ordinal);

        proxy.Open();
        var arrived = await env.WaitForMessagesAsync(recipient, subject, 3);
        await TestEnvironment.WaitUntilAsync(async () => (await relay.Spool.GetQueueAsync()).Count == 0, "the spool empties");
        Assert.Equal(3, (await env.ReadAsync(recipient, subject)).Count);
        Assert.Equal(3, arrived.Select(m => m.Subject).Distinct().Count());
    }

    [Fact]
    public async Task TokenServiceDown_MessageStaysSpooledWithTheReason_ThenArrives()
    {
        await using var env = new TestEnvironment(servers);
        var relay = await env.StartRelayAsync(env.CreateOptions());
        env.Entra.FailNext(6, HttpStatusCode.ServiceUnavailable);
        var sender = MailServers.NewMailbox("tok");
        var recipient = MailServers.NewMailbox("to");
        var subject = "TokenDown " + Guid.NewGuid().ToString("N");
        await EndToEndTests.SendAsync(relay, EndToEndTests.Message(sender, recipient, subject));
        await TestEnvironment.WaitUntilAsync(
            async () => (await relay.Spool.GetQueueAsync()) is { Count: 1 } queue && queue[0].LastErrorCode is { } code && code.StartsWith("token_service", StringComparison.Ordinal),
            "the message waits with a token service reason");
        await env.WaitForMessageAsync(recipient, subject);
    }

    [Fact]
    public async Task WrongClientSecret_MessageStaysSpooled_WithTheTokenServiceReasonAndRemedy()
    {
        await using var env = new TestEnvironment(servers);
        var options = env.CreateOptions();
        options.TokenProviders["test"] = new ClientSecretTokenProvider(servers.TenantId, env.ClientId, "not-the-secret", new ClientSecretTokenProviderOptions().UseFakeEntraId(env.Entra));
        var relay = await env.StartRelayAsync(options);
        var sender = MailServers.NewMailbox("sec");
        await EndToEndTests.SendAsync(relay, EndToEndTests.Message(sender, MailServers.NewMailbox("to"), "WrongSecret " + Guid.NewGuid().ToString("N")));
        await TestEnvironment.WaitUntilAsync(
            async () => (await relay.Spool.GetQueueAsync()) is { Count: 1 } queue && queue[0].Attempts >= 2,
            "two attempts failed");
        var entry = Assert.Single(await relay.Spool.GetQueueAsync());
        Assert.Equal(MailErrorCodes.InvalidClientSecret, entry.LastErrorCode);
        Assert.Contains("secret", entry.LastError, StringComparison.OrdinalIgnoreCase);
        Assert.Empty(await relay.Spool.GetDeadLettersAsync());
    }

    [Fact]
    public async Task MessageOlderThanItsLifetime_IsDeadLetteredAsExpired()
    {
        await using var env = new TestEnvironment(servers);
        await using var proxy = new SwitchableProxy(servers.Host, servers.SubmissionPort);
        var options = env.CreateOptions();
        options.Upstream.Port = proxy.Port;
        options.Delivery.MessageLifetime = TimeSpan.FromSeconds(1);
        var relay = await env.StartRelayAsync(options);
        await EndToEndTests.SendAsync(relay, EndToEndTests.Message(MailServers.NewMailbox("exp"), MailServers.NewMailbox("to"), "Expire " + Guid.NewGuid().ToString("N")));
        await TestEnvironment.WaitUntilAsync(async () => (await relay.Spool.GetDeadLettersAsync()).Count == 1, "the message expires");
        var dead = Assert.Single(await relay.Spool.GetDeadLettersAsync());
        Assert.Equal("expired", dead.LastErrorCode);
        Assert.Contains("upstream_unreachable", dead.LastError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Pacing_HoldsTheMailboxToItsRateLimit_UntilTheWindowPasses()
    {
        await using var env = new TestEnvironment(servers);
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(DateTimeOffset.UtcNow);
        var options = env.CreateOptions();
        options.Delivery.RateLimitCount = 2;
        options.Delivery.RateLimitWindow = TimeSpan.FromMinutes(1);
        var mailbox = MailServers.NewMailbox("paced");
        options.Routes[0].Mailbox = mailbox;
        var relay = await env.StartRelayAsync(options, time);
        var recipient = MailServers.NewMailbox("to");
        var subject = "Paced " + Guid.NewGuid().ToString("N");
        await EndToEndTests.SendAsync(relay, Enumerable.Range(0, 3).Select(i => EndToEndTests.Message(MailServers.NewMailbox("s"), recipient, $"{subject} #{i}")).ToArray());
        await TestEnvironment.WaitUntilAsync(() => Task.FromResult(relay.QueueDepth == 1), "two of three delivered");
        await env.WaitForMessagesAsync(recipient, subject, 2);

        // The third waits for the window: a second of real time later it is still queued.
        var watch = System.Diagnostics.Stopwatch.StartNew();
        while (watch.Elapsed < TimeSpan.FromSeconds(1))
        {
            Assert.Equal(1, relay.QueueDepth);
            await Task.Delay(100);
        }

        time.Advance(TimeSpan.FromMinutes(1));
        await TestEnvironment.WaitUntilAsync(() => Task.FromResult(relay.QueueDepth == 0), "the third is delivered once the window passed");
        await env.WaitForMessagesAsync(recipient, subject, 3);
    }
}
