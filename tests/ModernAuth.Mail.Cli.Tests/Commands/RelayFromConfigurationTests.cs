using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using MailKit;
using MailKit.Net.Smtp;
using MailKit.Search;
using MailKit.Security;
using MimeKit;
using ModernAuth.Mail.Cli.Tests.Support;
using ModernAuth.Mail.MailKit;
using ModernAuth.Mail.Testing;

namespace ModernAuth.Mail.Cli.Tests.Commands;

/// <summary>
/// A relay described by its configuration file alone: its route names a provider under <c>ModernAuthMail:Providers</c>
/// (the same settings as any app), which reaches a test token service over HTTPS with only settings (its host, no
/// instance discovery, its certificate), and the message goes upstream to the provider's cloud's SMTP server.
/// </summary>
[Collection(SandboxCollection.Name)]
[Trait("Category", "RealServers")]
public sealed class RelayFromConfigurationTests : IDisposable
{
    private const string ClientId = "7f1e2d3c-4b5a-4978-8a6b-5c4d3e2f1a0b";
    private const string Secret = "relay-config-only-secret-6b2f";
    private readonly ModernAuth.Mail.Shared.TestServers _servers;
    private readonly string _directory = Directory.CreateTempSubdirectory("modernauth-cli-relay-config-").FullName;

    public RelayFromConfigurationTests(SandboxServersFixture servers) => _servers = servers.Servers;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task RelayRun_ProviderFromConfigurationOnly_GetsItsTokenFromATestServiceAndDelivers()
    {
        using var signingKey = _servers.CreateSigningKey();
        await using var entra = new FakeEntraId(new FakeEntraIdOptions { SigningKey = signingKey, KeyId = _servers.KeyId });
        entra.RegisterApplication(_servers.TenantId, ClientId).WithSecret(Secret);
        await using var tokenService = await entra.StartHttpsServerAsync();
        var tokenServiceCertificate = Path.Combine(_directory, "token-service.crt");
        await File.WriteAllTextAsync(tokenServiceCertificate, tokenService.Certificate.ExportCertificatePem());

        var runner = new CliRunner();
        var hash = (await runner.RunAsync(["relay", "hash-password"], "erp-secret-2\n", CancellationToken.None)).Out.Trim();
        var port = FreePort();
        var config = Path.Combine(_directory, "relay.json");
        await File.WriteAllTextAsync(config, JsonSerializer.Serialize(new
        {
            ModernAuthMail = new
            {
                Providers = new Dictionary<string, object>
                {
                    ["contoso"] = new
                    {
                        Flow = "ClientSecret",
                        TenantId = _servers.TenantId,
                        ClientId,
                        ClientSecret = Secret,
                        AuthorityHost = tokenService.BaseAddress,
                        DisableInstanceDiscovery = true,
                        AuthorityCertificatePath = tokenServiceCertificate,
                        SmtpServer = $"{_servers.Host}:{_servers.SubmissionPort}",
                    },
                },
            },
            Relay = new
            {
                Listen = new[] { $"127.0.0.1:{port}" },
                AllowAuthenticationWithoutTls = true,
                Accounts = new[] { new { UserName = "erp", PasswordHash = hash, AllowedSenders = new[] { "@contoso.test" } } },
                Routes = new[] { new { Senders = new[] { "*" }, Provider = "contoso" } },

                // No upstream host or port: the provider's cloud (with its SmtpServer override) says where SMTP is.
                Upstream = new { TrustedCertificatePath = _servers.TlsCertificatePath, Timeout = "00:00:20" },
                Delivery = new { InitialRetryDelay = "00:00:01", MaxRetryDelay = "00:00:05" },
                SpoolDirectory = Path.Combine(_directory, "spool"),
            },
        }));

        var subject = "Config-only relay " + Guid.NewGuid().ToString("N")[..8];
        using var stop = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        var run = runner.RunAsync(["relay", "run", "--config", config], null, stop.Token);
        try
        {
            await SendAsync(port, subject, run);
            var arrived = await WaitForMessageAsync(entra, subject);

            Assert.Equal("Sent through a relay configured by file alone.", arrived.TextBody?.Trim());
            Assert.True(entra.TokenRequestCount >= 1);
        }
        finally
        {
            stop.Cancel();
            var result = await run;
            Assert.True(result.ExitCode == 0, result.ToString());
            Assert.DoesNotContain(Secret, result.All, StringComparison.Ordinal);
            Assert.DoesNotContain("erp-secret-2", result.All, StringComparison.Ordinal);
        }
    }

    private static async Task SendAsync(int port, string subject, Task<CliResult> run)
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

        await smtp.AuthenticateAsync("erp", "erp-secret-2", deadline.Token);
        var message = new MimeMessage { Subject = subject };
        message.From.Add(MailboxAddress.Parse("adele@contoso.test"));
        message.To.Add(MailboxAddress.Parse("adele@contoso.test"));
        message.Body = new TextPart("plain") { Text = "Sent through a relay configured by file alone." };
        await smtp.SendAsync(message, deadline.Token);
        await smtp.DisconnectAsync(true, deadline.Token);
    }

    private async Task<MimeMessage> WaitForMessageAsync(FakeEntraId entra, string subject)
    {
        // Read it back as the same application (an app-only token for the mailbox), through the sandbox's Dovecot.
        var reader = new ClientSecretTokenProvider(_servers.TenantId, ClientId, Secret, new ClientSecretTokenProviderOptions().UseFakeEntraId(entra));
        var options = new MailKitConnectOptions
        {
            Host = _servers.Host,
            Port = _servers.ImapsPort,
            ServerCertificateValidationCallback = _servers.TrustServerCertificate,
            CheckCertificateRevocation = false,
        };
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        while (true)
        {
            using (var imap = await MailKitConnector.ConnectImapAsync(reader, "adele@contoso.test", options, deadline.Token))
            {
                await imap.Inbox.OpenAsync(FolderAccess.ReadOnly, deadline.Token);
                var found = await imap.Inbox.SearchAsync(SearchQuery.SubjectContains(subject), deadline.Token);
                if (found.Count > 0)
                {
                    return await imap.Inbox.GetMessageAsync(found[0], deadline.Token);
                }
            }

            await Task.Delay(250, deadline.Token);
        }
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
