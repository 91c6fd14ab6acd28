using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using MailKit.Net.Smtp;
using MailKit.Security;
using MimeKit;
using ModernAuth.Mail.Cli.Tests.Support;
using ModernAuth.Mail.Relay;

namespace ModernAuth.Mail.Cli.Tests.Commands;

public sealed class RelayCommandTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("modernauth-cli-relay-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task HashPassword_FromStandardInput_PrintsVerifiableHashWithoutThePassword()
    {
        var result = await new CliRunner().RunAsync(["relay", "hash-password"], "relay-Pa55word\n", CancellationToken.None);

        Assert.True(result.ExitCode == 0, result.ToString());
        var hash = result.Out.Trim();
        Assert.True(RelayPasswordHasher.VerifyPassword("relay-Pa55word", hash));
        Assert.DoesNotContain("relay-Pa55word", result.All, StringComparison.Ordinal);
    }

    [Fact]
    public async Task HashPassword_NoInput_UsageErrorSayingHow()
    {
        var result = await new CliRunner().RunAsync(["relay", "hash-password"], string.Empty, CancellationToken.None);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("standard input", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Status_NoConfigurationOrSpool_ConfigurationErrorSayingWhatToPass()
    {
        var result = await new CliRunner().RunAsync("relay", "status");

        Assert.Equal(3, result.ExitCode);
        Assert.Contains("--spool", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_MissingConfigurationFile_ConfigurationError()
    {
        var result = await new CliRunner().RunAsync("relay", "run", "--config", Path.Combine(_directory, "missing.json"));

        Assert.Equal(3, result.ExitCode);
        Assert.Contains("does not exist", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_InvalidConfiguration_ConfigurationErrorNamingTheKey()
    {
        var config = Path.Combine(_directory, "bad.json");
        await File.WriteAllTextAsync(config, """{ "Relay": { "Listen": [ "127.0.0.1:0" ], "Networks": [ { "Ranges": [ "10.0.0/8" ] } ] } }""");

        var result = await new CliRunner().RunAsync("relay", "run", "--config", config);

        Assert.Equal(3, result.ExitCode);
        Assert.Contains("Relay:", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunThenStatus_UpstreamUnreachable_MessageAcceptedStaysQueuedWithItsReason()
    {
        var runner = new CliRunner();
        var hash = (await runner.RunAsync(["relay", "hash-password"], "erp-secret-1\n", CancellationToken.None)).Out.Trim();
        var port = FreePort();
        var spool = Path.Combine(_directory, "spool");
        var config = Path.Combine(_directory, "relay.json");
        await File.WriteAllTextAsync(config, JsonSerializer.Serialize(new
        {
            ModernAuthMail = new
            {
                Providers = new Dictionary<string, object>
                {
                    ["contoso"] = new { Flow = "ClientSecret", TenantId = "11111111-2222-3333-4444-555555555555", ClientId = "6a3f1c52-0e1b-4a7e-9d51-5c8f0b0e7a11", ClientSecret = "not-used-upstream-is-down", AuthorityHost = $"https://127.0.0.1:{FreePort()}", DisableInstanceDiscovery = true },
                },
            },
            Relay = new
            {
                Listen = new[] { $"127.0.0.1:{port}" },
                AllowAuthenticationWithoutTls = true,
                Accounts = new[] { new { UserName = "erp", PasswordHash = hash, AllowedSenders = new[] { "@contoso.test" } } },
                Routes = new[] { new { Senders = new[] { "*" }, Mailbox = "relay@contoso.test", Provider = "contoso" } },
                Upstream = new { Host = "127.0.0.1", Port = FreePort(), TlsMode = "None", Timeout = "00:00:05" },
                Delivery = new { InitialRetryDelay = "00:10:00", MaxRetryDelay = "00:30:00" },
                SpoolDirectory = spool,
            },
        }));

        using var stop = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        var run = runner.RunAsync(["relay", "run", "--config", config], null, stop.Token);
        try
        {
            await SendThroughRelayAsync(port, run);

            using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            JsonElement entry;
            while (true)
            {
                var status = await runner.RunAsync("relay", "status", "--config", config, "--json");
                Assert.True(status.ExitCode == 0, status.ToString());
                var entries = JsonDocument.Parse(status.Out).RootElement;
                if (entries.GetArrayLength() == 1 && entries[0].GetProperty("lastErrorCode").ValueKind == JsonValueKind.String)
                {
                    entry = entries[0];
                    break;
                }

                await Task.Delay(200, deadline.Token);
            }

            Assert.Equal("app@contoso.test", entry.GetProperty("sender").GetString());
            Assert.True(entry.GetProperty("attempts").GetInt32() >= 1);
            var text = await runner.RunAsync("relay", "status", "--spool", spool);
            Assert.Contains("1 queued messages", text.Out, StringComparison.Ordinal);
            Assert.Contains("last error", text.Out, StringComparison.Ordinal);
            Assert.DoesNotContain("erp-secret-1", text.All, StringComparison.Ordinal);
        }
        finally
        {
            stop.Cancel();
            var result = await run;
            Assert.True(result.ExitCode == 0, result.ToString());
            Assert.DoesNotContain("erp-secret-1", result.All, StringComparison.Ordinal);
        }
    }

    private static async Task SendThroughRelayAsync(int port, Task<CliResult> run)
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        using var smtp = new SmtpClient();
        while (true)
        {
            if (run.IsCompleted)
            {
                Assert.Fail("The relay stopped before accepting a connection: " + await run);
            }

            try
            {
                await smtp.ConnectAsync("127.0.0.1", port, SecureSocketOptions.None, deadline.Token);
                break;
            }
            catch (SocketException)
            {
                await Task.Delay(100, deadline.Token);
            }
        }

        await smtp.AuthenticateAsync("erp", "erp-secret-1", deadline.Token);
        var message = new MimeMessage { Subject = "From the ERP" };
        message.From.Add(MailboxAddress.Parse("app@contoso.test"));
        message.To.Add(MailboxAddress.Parse("adele@contoso.test"));
        message.Body = new TextPart("plain") { Text = "Invoice attached (not really)." };
        await smtp.SendAsync(message, deadline.Token);
        await smtp.DisconnectAsync(true, deadline.Token);
    }

    private static int FreePort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
