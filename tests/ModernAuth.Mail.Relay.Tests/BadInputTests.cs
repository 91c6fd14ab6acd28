using System.Net;
using System.Text;
using ModernAuth.Mail.Relay.Tests.Support;

namespace ModernAuth.Mail.Relay.Tests;

[Collection(RelayCollection.Name)]
[Trait("Category", "RealServers")]
public sealed class BadInputTests(MailServers servers)
{
    [Fact]
    public async Task UnknownClientAddress_WithoutAccounts_IsRefusedAtConnect()
    {
        await using var env = new TestEnvironment(servers);
        var options = env.CreateOptions(network: false);
        var elsewhere = new RelayNetworkOptions();
        elsewhere.Ranges.Add("10.99.0.0/16");
        elsewhere.AllowedSenders.Add("*");
        options.Networks.Add(elsewhere);
        var relay = await env.StartRelayAsync(options);
        await using var raw = await RawSmtpClient.ConnectAsync(relay.Endpoints[0]);
        Assert.StartsWith("554 5.7.1", await raw.ReadReplyAsync());
        Assert.Null(await raw.TryReadReplyAsync(TimeSpan.FromSeconds(5)));
    }

    [Theory]
    [InlineData("victim@contoso.test")]
    [InlineData("someone@gmail.example")]
    [InlineData("postmaster@fabrikam.test")]
    public async Task NeverAnOpenRelay_NotLoggedInFromUnknownAddress_NoRecipientIsAccepted(string recipient)
    {
        await using var env = new TestEnvironment(servers);
        var options = env.CreateOptions(network: false);
        options.Accounts.Add(TestEnvironment.Account("dev", "dev-pass", "*"));
        var relay = await env.StartRelayAsync(options);
        await using var raw = await RawSmtpClient.ConnectAsync(relay.Endpoints[0]);
        Assert.StartsWith("220", await raw.ReadReplyAsync());
        await raw.CommandAsync("EHLO attacker");
        Assert.StartsWith("530 5.7.0", await raw.CommandAsync("MAIL FROM:<ceo@contoso.test>"));
        Assert.DoesNotMatch("^2", await raw.CommandAsync($"RCPT TO:<{recipient}>"));
        Assert.DoesNotMatch("^3", await raw.CommandAsync("DATA"));
        Assert.Empty(await relay.Spool.GetQueueAsync());
    }

    [Fact]
    public async Task WrongRelayPassword_Gets535_AndCannotSend()
    {
        await using var env = new TestEnvironment(servers);
        var options = env.CreateOptions(network: false);
        options.Accounts.Add(TestEnvironment.Account("dev", "right-pass", "*"));
        var relay = await env.StartRelayAsync(options);
        await using var raw = await RawSmtpClient.ConnectAsync(relay.Endpoints[0]);
        await raw.ReadReplyAsync();
        Assert.Contains("AUTH PLAIN LOGIN", await raw.CommandAsync("EHLO device"), StringComparison.Ordinal);
        var plain = Convert.ToBase64String(Encoding.UTF8.GetBytes("\0dev\0wrong-pass"));
        Assert.StartsWith("535", await raw.CommandAsync("AUTH PLAIN " + plain));
        Assert.StartsWith("530 5.7.0", await raw.CommandAsync("MAIL FROM:<a@contoso.test>"));
        var ok = Convert.ToBase64String(Encoding.UTF8.GetBytes("\0dev\0right-pass"));
        Assert.StartsWith("235", await raw.CommandAsync("AUTH PLAIN " + ok));
        Assert.StartsWith("250", await raw.CommandAsync("MAIL FROM:<a@contoso.test>"));
    }

    [Fact]
    public async Task SenderNotAllowedForTheClient_Gets553_5_7_1()
    {
        await using var env = new TestEnvironment(servers);
        var options = env.CreateOptions(network: false);
        options.Accounts.Add(TestEnvironment.Account("scanner", "scan-pass", "scanner@contoso.test", "@fabrikam.test"));
        var relay = await env.StartRelayAsync(options);
        await using var raw = await RawSmtpClient.ConnectAsync(relay.Endpoints[0]);
        await raw.ReadReplyAsync();
        await raw.CommandAsync("EHLO device");
        Assert.StartsWith("235", await raw.CommandAsync("AUTH PLAIN " + Convert.ToBase64String(Encoding.UTF8.GetBytes("\0scanner\0scan-pass"))));
        Assert.StartsWith("553 5.7.1", await raw.CommandAsync("MAIL FROM:<ceo@contoso.test>"));
        Assert.StartsWith("553 5.7.1", await raw.CommandAsync("MAIL FROM:<>"));
        Assert.StartsWith("250", await raw.CommandAsync("MAIL FROM:<anyone@fabrikam.test>"));
        await raw.CommandAsync("RSET");
        Assert.StartsWith("250", await raw.CommandAsync("MAIL FROM:<Scanner@Contoso.test>"));
    }

    [Fact]
    public async Task OversizeMessage_Gets552_AndTheSessionStaysInStep()
    {
        await using var env = new TestEnvironment(servers);
        var options = env.CreateOptions();
        options.MaxMessageSize = 10_000;
        var relay = await env.StartRelayAsync(options);
        await using var raw = await RawSmtpClient.ConnectAsync(relay.Endpoints[0]);
        await raw.ReadReplyAsync();
        Assert.Contains("SIZE 10000", await raw.CommandAsync("EHLO device"), StringComparison.Ordinal);
        Assert.StartsWith("552", await raw.CommandAsync("MAIL FROM:<a@contoso.test> SIZE=20000"));
        Assert.StartsWith("250", await raw.CommandAsync("MAIL FROM:<a@contoso.test>"));
        Assert.StartsWith("250", await raw.CommandAsync("RCPT TO:<b@contoso.test>"));
        Assert.StartsWith("354", await raw.CommandAsync("DATA"));
        var big = new StringBuilder("Subject: big\r\n\r\n");
        for (var i = 0; i < 2000; i++)
        {
            big.Append("0123456789012345678901234567890123456789\r\n");
        }

        Assert.StartsWith("552 5.3.4", await raw.CommandAsync(big + "."));
        Assert.StartsWith("250", await raw.CommandAsync("NOOP"));
        Assert.Empty(await relay.Spool.GetQueueAsync());
    }

    [Fact]
    public async Task BareLineFeedInData_Gets554_5_6_0_AndTheSessionStaysInStep()
    {
        await using var env = new TestEnvironment(servers);
        var relay = await env.StartRelayAsync(env.CreateOptions());
        await using var raw = await RawSmtpClient.ConnectAsync(relay.Endpoints[0]);
        await raw.ReadReplyAsync();
        await raw.CommandAsync("EHLO device");
        await raw.CommandAsync("MAIL FROM:<a@contoso.test>");
        await raw.CommandAsync("RCPT TO:<b@contoso.test>");
        Assert.StartsWith("354", await raw.CommandAsync("DATA"));
        await raw.SendAsync("Subject: smuggle\r\n\r\nline one\nline two\n.\nMAIL FROM:<ceo@contoso.test>\r\n");
        Assert.StartsWith("554 5.6.0", await raw.ReadReplyAsync());

        // What followed the lenient end is read as a command, in step: here a MAIL FROM the client may use.
        Assert.StartsWith("250", await raw.ReadReplyAsync());
        Assert.StartsWith("250", await raw.CommandAsync("RSET"));
        Assert.Empty(await relay.Spool.GetQueueAsync());
    }

    [Fact]
    public async Task MalformedCommands_GetSyntaxErrors_AndTheRelayServesOthers()
    {
        await using var env = new TestEnvironment(servers);
        var relay = await env.StartRelayAsync(env.CreateOptions());
        await using var raw = await RawSmtpClient.ConnectAsync(relay.Endpoints[0]);
        await raw.ReadReplyAsync();
        Assert.Matches("^5[0-9][0-9]", await raw.CommandAsync("HELLO?"));
        Assert.Matches("^5[0-9][0-9]", await raw.CommandAsync("MAIL FROM:<not an address>"));
        Assert.Matches("^50[13]", await raw.CommandAsync("DATA"));

        var sender = MailServers.NewMailbox("ok");
        var recipient = MailServers.NewMailbox("to");
        var subject = "Meanwhile " + Guid.NewGuid().ToString("N");
        await EndToEndTests.SendAsync(relay, EndToEndTests.Message(sender, recipient, subject));
        await env.WaitForMessageAsync(recipient, subject);
    }

    [Fact]
    public async Task SilentClient_IsClosedAfterTheIdleTimeout_WhileOthersAreServed()
    {
        await using var env = new TestEnvironment(servers);
        var options = env.CreateOptions();
        options.IdleTimeout = TimeSpan.FromSeconds(1);
        options.CommandTimeout = TimeSpan.FromSeconds(1);
        var relay = await env.StartRelayAsync(options);
        await using var idle = await RawSmtpClient.ConnectAsync(relay.Endpoints[0]);
        await idle.ReadReplyAsync();
        await using var slow = await RawSmtpClient.ConnectAsync(relay.Endpoints[0]);
        await slow.ReadReplyAsync();
        var dripping = Task.Run(async () =>
        {
            try
            {
                foreach (var c in "EHLO slowloris-slowloris-slowloris")
                {
                    await slow.SendAsync(c.ToString());
                    await Task.Delay(200);
                }
            }
            catch (IOException)
            {
            }
        });

        var sender = MailServers.NewMailbox("ok");
        var recipient = MailServers.NewMailbox("to");
        var subject = "Loris " + Guid.NewGuid().ToString("N");
        await EndToEndTests.SendAsync(relay, EndToEndTests.Message(sender, recipient, subject));

        var idleReply = await idle.TryReadReplyAsync(TimeSpan.FromSeconds(10));
        Assert.True(idleReply is null || idleReply.StartsWith("421", StringComparison.Ordinal) || idleReply.StartsWith("221", StringComparison.Ordinal), idleReply);
        var slowReply = await slow.TryReadReplyAsync(TimeSpan.FromSeconds(10));
        Assert.True(slowReply is null || slowReply.StartsWith("221", StringComparison.Ordinal) || slowReply.StartsWith("421", StringComparison.Ordinal), slowReply);
        Assert.Null(await slow.TryReadReplyAsync(TimeSpan.FromSeconds(5)));
        await dripping;
        await env.WaitForMessageAsync(recipient, subject);
    }

    [Fact]
    public async Task TooManyConnections_Get421()
    {
        await using var env = new TestEnvironment(servers);
        var options = env.CreateOptions();
        options.MaxConnections = 2;
        var relay = await env.StartRelayAsync(options);
        await using var first = await RawSmtpClient.ConnectAsync(relay.Endpoints[0]);
        Assert.StartsWith("220", await first.ReadReplyAsync());
        await using var second = await RawSmtpClient.ConnectAsync(relay.Endpoints[0]);
        Assert.StartsWith("220", await second.ReadReplyAsync());
        await using var third = await RawSmtpClient.ConnectAsync(relay.Endpoints[0]);
        Assert.StartsWith("421 4.3.2", await third.ReadReplyAsync());
    }

    [Fact]
    public async Task OverlongCommandLine_ClosesTheConnection()
    {
        await using var env = new TestEnvironment(servers);
        var relay = await env.StartRelayAsync(env.CreateOptions());
        await using var raw = await RawSmtpClient.ConnectAsync(relay.Endpoints[0]);
        await raw.ReadReplyAsync();
        try
        {
            await raw.SendAsync("EHLO " + new string('a', 100_000));
        }
        catch (IOException)
        {
        }

        var reply = await raw.TryReadReplyAsync(TimeSpan.FromSeconds(10));
        Assert.True(reply is null || reply.StartsWith("500", StringComparison.Ordinal), reply);
        Assert.Null(await raw.TryReadReplyAsync(TimeSpan.FromSeconds(5)));
    }
}
