using System.Net;
using MailKit.Net.Smtp;
using ModernAuth.Mail.Relay.Tests.Support;

namespace ModernAuth.Mail.Relay.Tests;

/// <summary>
/// The relay killed (SIGKILL) at each stage in a child process, then started again on the same spool: every message
/// acknowledged with 250 arrives at least once; one never acknowledged may or may not, and nothing half-written stays.
/// </summary>
[Collection(RelayCollection.Name)]
[Trait("Category", "RealServers")]
public sealed class CrashTests(MailServers servers)
{
    [Fact]
    public async Task KilledMidReceive_TheUnacknowledgedMessageIsDiscarded_AndTheSpoolIsClean()
    {
        await using var env = new TestEnvironment(servers);
        var spool = Path.Combine(env.SpoolDirectory, "spool");
        var config = RelayProcess.WriteConfiguration(env, spool);
        var recipient = MailServers.NewMailbox("to");
        var subject = "MidReceive " + Guid.NewGuid().ToString("N");
        await using (var relay = await RelayProcess.StartAsync(env, config))
        {
            await using var raw = await RawSmtpClient.ConnectAsync(new IPEndPoint(IPAddress.Loopback, relay.Port));
            await raw.ReadReplyAsync();
            await raw.CommandAsync("EHLO device");
            await raw.CommandAsync($"MAIL FROM:<{MailServers.NewMailbox("s")}>");
            await raw.CommandAsync($"RCPT TO:<{recipient}>");
            Assert.StartsWith("354", await raw.CommandAsync("DATA"));
            await raw.SendAsync($"Subject: {subject}\r\n\r\nhalf of a message");
            relay.Kill();
        }

        await using (var again = await RelayProcess.StartAsync(env, config))
        {
            Assert.Empty(Directory.EnumerateFiles(Path.Combine(spool, "tmp")));
            Assert.Empty(await new RelaySpool(spool).GetQueueAsync());

            // Proof that the restarted relay delivers: a marker message arrives, and the half message never does.
            var marker = "Marker " + Guid.NewGuid().ToString("N");
            await SendAsync(again.Port, MailServers.NewMailbox("s"), recipient, marker);
            await env.WaitForMessageAsync(recipient, marker);
            Assert.Empty(await env.ReadAsync(recipient, subject));
        }
    }

    [Fact]
    public async Task KilledAfterSpoolingBefore250_TheMessageIsDeliveredAfterRestart()
    {
        await using var env = new TestEnvironment(servers);
        var spool = Path.Combine(env.SpoolDirectory, "spool");
        var config = RelayProcess.WriteConfiguration(env, spool);
        var recipient = MailServers.NewMailbox("to");
        var subject = "AfterSpool " + Guid.NewGuid().ToString("N");
        await using (var relay = await RelayProcess.StartAsync(env, config, "after-spool"))
        {
            var sending = SendAsync(relay.Port, MailServers.NewMailbox("s"), recipient, subject);
            await relay.WaitForLineAsync("SPOOLED ", TimeSpan.FromSeconds(30));
            relay.Kill();
            await Assert.ThrowsAnyAsync<Exception>(() => sending);
        }

        Assert.Single(await new RelaySpool(spool).GetQueueAsync());
        await using var again = await RelayProcess.StartAsync(env, config);
        await env.WaitForMessageAsync(recipient, subject);
        await TestEnvironment.WaitUntilAsync(async () => (await new RelaySpool(spool).GetQueueAsync()).Count == 0, "the spool empties");
    }

    [Fact]
    public async Task KilledMidDelivery_TheMessageArrivesAtLeastOnceAfterRestart()
    {
        await using var env = new TestEnvironment(servers);
        var spool = Path.Combine(env.SpoolDirectory, "spool");
        var config = RelayProcess.WriteConfiguration(env, spool);
        var recipient = MailServers.NewMailbox("to");
        var subject = "MidDelivery " + Guid.NewGuid().ToString("N");
        await using (var relay = await RelayProcess.StartAsync(env, config, "before-complete"))
        {
            await SendAsync(relay.Port, MailServers.NewMailbox("s"), recipient, subject);
            await relay.WaitForLineAsync("UPSTREAM-ACCEPTED ", TimeSpan.FromSeconds(30));
            relay.Kill();
        }

        Assert.Single(await new RelaySpool(spool).GetQueueAsync());
        await using var again = await RelayProcess.StartAsync(env, config);
        await TestEnvironment.WaitUntilAsync(async () => (await new RelaySpool(spool).GetQueueAsync()).Count == 0, "the spool empties");
        var copies = await env.WaitForMessagesAsync(recipient, subject, 1);
        Assert.InRange(copies.Count, 1, 2);
    }

    [Fact]
    public async Task KilledRepeatedlyUnderLoad_EveryAcknowledgedMessageArrives()
    {
        await using var env = new TestEnvironment(servers);
        var spool = Path.Combine(env.SpoolDirectory, "spool");
        var recipient = MailServers.NewMailbox("to");
        var prefix = "Load " + Guid.NewGuid().ToString("N");
        var acknowledged = new System.Collections.Concurrent.ConcurrentBag<string>();
        for (var round = 0; round < 3; round++)
        {
            var config = RelayProcess.WriteConfiguration(env, spool);
            await using var relay = await RelayProcess.StartAsync(env, config);
            using var stop = new CancellationTokenSource();
            var senders = Enumerable.Range(0, 4).Select(c => Task.Run(async () =>
            {
                for (var i = 0; !stop.IsCancellationRequested; i++)
                {
                    var subject = $"{prefix} r{round} c{c} m{i}";
                    try
                    {
                        await SendAsync(relay.Port, MailServers.NewMailbox("s"), recipient, subject);
                        acknowledged.Add(subject);
                    }
                    catch (Exception ex) when (ex is IOException or SmtpProtocolException or SmtpCommandException or System.Net.Sockets.SocketException or global::MailKit.ServiceNotConnectedException)
                    {
                        return;
                    }
                }
            })).ToArray();
            await TestEnvironment.WaitUntilAsync(() => Task.FromResult(acknowledged.Count >= (round + 1) * 8), "some messages acknowledged");
            relay.Kill();
            await stop.CancelAsync();
            await Task.WhenAll(senders);
        }

        await using var last = await RelayProcess.StartAsync(env, RelayProcess.WriteConfiguration(env, spool));
        await TestEnvironment.WaitUntilAsync(async () => (await new RelaySpool(spool).GetQueueAsync()).Count == 0, "the spool empties", TimeSpan.FromSeconds(60));
        var arrived = await env.WaitForMessagesAsync(recipient, prefix, acknowledged.Count, TimeSpan.FromSeconds(60));
        var subjects = arrived.Select(m => m.Subject).ToHashSet();
        Assert.All(acknowledged, s => Assert.Contains(s, subjects));
    }

    private static async Task SendAsync(int port, string sender, string recipient, string subject)
    {
        using var client = new global::MailKit.Net.Smtp.SmtpClient { Timeout = 20_000 };
        await client.ConnectAsync("127.0.0.1", port, global::MailKit.Security.SecureSocketOptions.None);
        await client.SendAsync(EndToEndTests.Message(sender, recipient, subject));
        await client.DisconnectAsync(true);
    }
}
