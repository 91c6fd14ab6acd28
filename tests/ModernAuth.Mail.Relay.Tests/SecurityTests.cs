using System.Text;
using ModernAuth.Mail.Relay.Tests.Support;

namespace ModernAuth.Mail.Relay.Tests;

[Collection(RelayCollection.Name)]
[Trait("Category", "RealServers")]
public sealed class SecurityTests(MailServers servers)
{
    [Fact]
    public async Task Logs_NeverHoldRelayPasswordsTokensOrMessageBodies()
    {
        await using var env = new TestEnvironment(servers);
        var options = env.CreateOptions(network: false);
        var sender = MailServers.NewMailbox("sec");
        var recipient = MailServers.NewMailbox("to");
        const string Password = "Relay-Secret-Password-7731";
        options.Accounts.Add(TestEnvironment.Account("device7", Password, sender));
        var relay = await env.StartRelayAsync(options);
        var subject = "Secrets " + Guid.NewGuid().ToString("N");
        const string Body = "BODY-MARKER-do-not-log-4471";

        await using (var raw = await RawSmtpClient.ConnectAsync(relay.Endpoints[0]))
        {
            await raw.ReadReplyAsync();
            await raw.CommandAsync("EHLO device");
            Assert.StartsWith("535", await raw.CommandAsync("AUTH PLAIN " + Convert.ToBase64String(Encoding.UTF8.GetBytes("\0device7\0Wrong-" + Password))));
            Assert.StartsWith("334", await raw.CommandAsync("AUTH LOGIN"));
            Assert.StartsWith("334", await raw.CommandAsync(Convert.ToBase64String(Encoding.UTF8.GetBytes("device7"))));
            Assert.StartsWith("235", await raw.CommandAsync(Convert.ToBase64String(Encoding.UTF8.GetBytes(Password))));
        }

        using (var client = new global::MailKit.Net.Smtp.SmtpClient())
        {
            await client.ConnectAsync(relay.Endpoints[0].Address.ToString(), relay.Endpoints[0].Port, global::MailKit.Security.SecureSocketOptions.None);
            await client.AuthenticateAsync("device7", Password);
            await client.SendAsync(EndToEndTests.Message(sender, recipient, subject, Body));
            await client.DisconnectAsync(true);
        }

        await env.WaitForMessageAsync(recipient, subject);
        await TestEnvironment.WaitUntilAsync(() => Task.FromResult(env.Logs.Entries.Any(e => e.Id.Id == 4011)), "the delivery is logged");
        var logs = env.Logs.AllText;
        Assert.Contains("device7", logs, StringComparison.Ordinal);
        Assert.DoesNotContain(Password, logs, StringComparison.Ordinal);
        Assert.DoesNotContain(Convert.ToBase64String(Encoding.UTF8.GetBytes(Password)), logs, StringComparison.Ordinal);
        Assert.DoesNotContain(Body, logs, StringComparison.Ordinal);
        Assert.NotEmpty(env.Provider.Tokens);
        foreach (var token in env.Provider.Tokens)
        {
            Assert.DoesNotContain(token, logs, StringComparison.Ordinal);
            Assert.DoesNotContain(token[..40], logs, StringComparison.Ordinal);
        }

        Assert.All(env.Logs.Entries.Where(e => e.Category.StartsWith("ModernAuth.Mail.Relay", StringComparison.Ordinal)), e => Assert.InRange(e.Id.Id, 4001, 4099));
    }
}
