using System.Net;
using System.Net.Sockets;
using System.Text;
using ModernAuth.Mail.Relay.Tests.Support;

namespace ModernAuth.Mail.Relay.Tests;

/// <summary>Clients that try to take the relay down for everyone else (Postfix's anvil and smtpd limits are the reference).</summary>
[Collection(RelayCollection.Name)]
public sealed class AbuseTests(MailServers servers)
{
    public enum HangUp
    {
        AtOnce,
        ResetAtOnce,
        MidData,
        AfterStartTls,
        MidTlsHandshake,
    }

    [Theory]
    [InlineData(HangUp.AtOnce)]
    [InlineData(HangUp.ResetAtOnce)]
    [InlineData(HangUp.MidData)]
    [InlineData(HangUp.AfterStartTls)]
    [InlineData(HangUp.MidTlsHandshake)]
    public async Task HungUpClients_GiveTheirSlotsBack_AGenuineClientStillGets220(HangUp how)
    {
        await using var env = new TestEnvironment(servers);
        var options = env.CreateOptions();
        options.MaxConnections = 10;
        options.MaxConnectionsPerClient = 10;
        options.MaxConnectionRatePerClient = 0;
        options.CertificatePath = TestCertificate.WritePfx(env.SpoolDirectory);
        options.CertificatePassword = "pfx-password";
        var relay = await env.StartRelayAsync(options);

        // The whole connection limit, each left in the chosen state and hung up (the idle timeout is 20 s: far away).
        var clients = new List<TcpClient>();
        for (var i = 0; i < options.MaxConnections; i++)
        {
            var client = new TcpClient();
            await client.ConnectAsync(relay.Endpoints[0]);
            clients.Add(client);
            var stream = client.GetStream();
            switch (how)
            {
                case HangUp.MidData:
                    await stream.WriteAsync(Encoding.ASCII.GetBytes("EHLO x\r\nMAIL FROM:<a@contoso.test>\r\nRCPT TO:<b@contoso.test>\r\nDATA\r\nSubject: cut\r\n\r\nhalf"));
                    break;
                case HangUp.AfterStartTls:
                    await stream.WriteAsync(Encoding.ASCII.GetBytes("EHLO x\r\nSTARTTLS\r\n"));
                    break;
                case HangUp.MidTlsHandshake:
                    await stream.WriteAsync(Encoding.ASCII.GetBytes("EHLO x\r\nSTARTTLS\r\n"));
                    await stream.WriteAsync(new byte[] { 0x16, 0x03, 0x01, 0x02, 0x00, 0x01 }); // the start of a ClientHello
                    break;
            }
        }

        await TestEnvironment.WaitUntilAsync(() => Task.FromResult(relay.ActiveConnections == options.MaxConnections), "every client holds a slot", TimeSpan.FromSeconds(10));
        foreach (var client in clients)
        {
            if (how == HangUp.ResetAtOnce)
            {
                client.Client.LingerState = new LingerOption(true, 0);
            }

            client.Dispose();
        }

        await TestEnvironment.WaitUntilAsync(() => Task.FromResult(relay.ActiveConnections == 0), "every hung-up connection gives its slot back", TimeSpan.FromSeconds(5));
        await using var genuine = await RawSmtpClient.ConnectAsync(relay.Endpoints[0]);
        Assert.StartsWith("220", await genuine.ReadReplyAsync(TimeSpan.FromSeconds(5)));
    }

    [Fact]
    public async Task SilentAfterStartTls_IsClosedAfterTheIdleTimeout()
    {
        await using var env = new TestEnvironment(servers);
        var options = env.CreateOptions();
        options.IdleTimeout = TimeSpan.FromSeconds(1);
        options.CertificatePath = TestCertificate.WritePfx(env.SpoolDirectory);
        options.CertificatePassword = "pfx-password";
        var relay = await env.StartRelayAsync(options);
        await using var raw = await RawSmtpClient.ConnectAsync(relay.Endpoints[0]);
        await raw.ReadReplyAsync();
        await raw.CommandAsync("EHLO x");
        Assert.StartsWith("220", await raw.CommandAsync("STARTTLS"));

        // No handshake follows: the slot must not be held for the 30-minute session timeout.
        await TestEnvironment.WaitUntilAsync(() => Task.FromResult(relay.ActiveConnections == 0), "the silent handshake is given up", TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task SilentOnTheImplicitTlsPort_IsClosedAfterTheIdleTimeout()
    {
        await using var env = new TestEnvironment(servers);
        var options = env.CreateOptions();
        options.IdleTimeout = TimeSpan.FromSeconds(1);
        options.CertificatePath = TestCertificate.WritePfx(env.SpoolDirectory);
        options.CertificatePassword = "pfx-password";
        options.ImplicitTlsListen.Add("127.0.0.1:0");
        var relay = await env.StartRelayAsync(options);
        using var silent = new TcpClient();
        await silent.ConnectAsync(relay.Endpoints[1]);
        await TestEnvironment.WaitUntilAsync(() => Task.FromResult(relay.ActiveConnections == 1), "the TLS client holds a slot", TimeSpan.FromSeconds(5));
        await TestEnvironment.WaitUntilAsync(() => Task.FromResult(relay.ActiveConnections == 0), "the silent handshake is given up", TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task OneAddressHoldingConnections_GetsItsCapOnly_AGenuineClientStillGets220AndSends()
    {
        await using var env = new TestEnvironment(servers);
        var options = env.CreateOptions();
        options.MaxConnections = 20;
        options.MaxConnectionsPerClient = 5;
        var relay = await env.StartRelayAsync(options);

        // Another host (127.0.0.2) tries to take every slot and keep it busy with NOOPs.
        var attacker = IPAddress.Parse("127.0.0.2");
        var held = new List<RawSmtpClient>();
        var refused = 0;
        try
        {
            for (var i = 0; i < options.MaxConnections; i++)
            {
                var raw = await RawSmtpClient.ConnectAsync(relay.Endpoints[0], attacker);
                held.Add(raw);
                var greeting = await raw.ReadReplyAsync();
                if (greeting.StartsWith("421 4.7.0", StringComparison.Ordinal))
                {
                    refused++;
                }
                else
                {
                    Assert.StartsWith("250", await raw.CommandAsync("NOOP"));
                }
            }

            Assert.Equal(options.MaxConnections - options.MaxConnectionsPerClient, refused);
            await using var genuine = await RawSmtpClient.ConnectAsync(relay.Endpoints[0]);
            Assert.StartsWith("220", await genuine.ReadReplyAsync(TimeSpan.FromSeconds(5)));
            var subject = "Genuine " + Guid.NewGuid().ToString("N");
            var recipient = MailServers.NewMailbox("to");
            await EndToEndTests.SendAsync(relay, EndToEndTests.Message(MailServers.NewMailbox("ok"), recipient, subject));
            await env.WaitForMessageAsync(recipient, subject);
        }
        finally
        {
            foreach (var raw in held)
            {
                await raw.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task ConnectionRatePerAddress_IsLimitedPerMinute()
    {
        await using var env = new TestEnvironment(servers);
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(DateTimeOffset.UtcNow);
        var options = env.CreateOptions();
        options.MaxConnectionRatePerClient = 3;
        var relay = await env.StartRelayAsync(options, time);
        for (var i = 0; i < 3; i++)
        {
            await using var raw = await RawSmtpClient.ConnectAsync(relay.Endpoints[0]);
            Assert.StartsWith("220", await raw.ReadReplyAsync());
        }

        await using (var fourth = await RawSmtpClient.ConnectAsync(relay.Endpoints[0]))
        {
            Assert.StartsWith("421 4.7.0", await fourth.ReadReplyAsync());
        }

        // Another address is not affected; the first one may connect again once the minute has passed.
        await using (var other = await RawSmtpClient.ConnectAsync(relay.Endpoints[0], IPAddress.Parse("127.0.0.2")))
        {
            Assert.StartsWith("220", await other.ReadReplyAsync());
        }

        time.Advance(TimeSpan.FromMinutes(1));
        await using var later = await RawSmtpClient.ConnectAsync(relay.Endpoints[0]);
        Assert.StartsWith("220", await later.ReadReplyAsync());
    }

    [Fact]
    public async Task StartTlsWithACommandInTheSameWrite_TheInjectedCommandGetsNoReply()
    {
        await using var env = new TestEnvironment(servers);
        var options = env.CreateOptions();
        options.CertificatePath = TestCertificate.WritePfx(env.SpoolDirectory);
        options.CertificatePassword = "pfx-password";
        var relay = await env.StartRelayAsync(options);
        await using var raw = await RawSmtpClient.ConnectAsync(relay.Endpoints[0]);
        await raw.ReadReplyAsync();
        Assert.Contains("STARTTLS", await raw.CommandAsync("EHLO x"), StringComparison.Ordinal);
        await raw.SendAsync("STARTTLS\r\nRSET\r\n");
        Assert.StartsWith("220", await raw.ReadReplyAsync());
        await raw.StartTlsAsync();

        // Had the plaintext RSET been kept, its 250 would come first; QUIT's 221 must be the first reply inside TLS.
        Assert.StartsWith("221", await raw.CommandAsync("QUIT"));
    }

    [Fact]
    public async Task PipelinedDataWithABareLineFeedInTheSameWrite_Gets554_5_6_0()
    {
        await using var env = new TestEnvironment(servers);
        var relay = await env.StartRelayAsync(env.CreateOptions());
        await using var raw = await RawSmtpClient.ConnectAsync(relay.Endpoints[0]);
        await raw.ReadReplyAsync();
        await raw.CommandAsync("EHLO device");

        // Everything in one write: the data reaches the listener before its 354 does.
        await raw.SendAsync("MAIL FROM:<a@contoso.test>\r\nRCPT TO:<b@contoso.test>\r\nDATA\r\nSubject: smuggle\r\n\r\nline one\nline two\r\n.\r\n");
        Assert.StartsWith("250", await raw.ReadReplyAsync());
        Assert.StartsWith("250", await raw.ReadReplyAsync());
        Assert.StartsWith("354", await raw.ReadReplyAsync());
        Assert.StartsWith("554 5.6.0", await raw.ReadReplyAsync());
        Assert.StartsWith("250", await raw.CommandAsync("NOOP"));
        Assert.Empty(await relay.Spool.GetQueueAsync());
    }
}
