using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using MimeKit;
using ModernAuth.Mail.Extensions;
using ModernAuth.Mail.Relay.Tests.Support;
using ModernAuth.Mail.Testing;

namespace ModernAuth.Mail.Relay.Tests;

/// <summary>
/// A relay route whose provider is a managed identity, configured as any app configures one
/// (<c>ModernAuthMail:Providers:{name}:Flow = ManagedIdentity</c>): the relay delivers to the real Postfix with the
/// identity's token from the fake's IMDS endpoint.
/// </summary>
[Collection(RelayCollection.Name)]
[Trait("Category", "RealServers")]
public sealed class ManagedIdentityRouteTests(MailServers servers)
{
    [Fact]
    public async Task Route_ManagedIdentityProviderFromConfiguration_DeliversToPostfixWithTheIdentitysToken()
    {
        await using var env = new TestEnvironment(servers);
        var identity = env.Entra.AddUserAssignedIdentity(servers.TenantId, "relay-" + Guid.NewGuid().ToString("N")[..8]).WithAppRoles("SMTP.SendAsApp", "IMAP.AccessAsApp");
        var port = FreePort();
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Relay:SpoolDirectory"] = env.SpoolDirectory,
            ["Relay:Listen:0"] = $"127.0.0.1:{port}",
            ["Relay:Networks:0:Name"] = "loopback",
            ["Relay:Networks:0:Ranges:0"] = "127.0.0.0/8",
            ["Relay:Networks:0:AllowedSenders:0"] = "@contoso.test",
            ["Relay:Routes:0:Senders:0"] = "*",
            ["Relay:Routes:0:Provider"] = "azure-vm",
            ["Relay:Upstream:Host"] = servers.Host,
            ["Relay:Upstream:Port"] = servers.SubmissionPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Relay:Upstream:TlsMode"] = "StartTls",
            ["Relay:Upstream:TrustedCertificatePath"] = servers.CertificatePath,
            ["Relay:Delivery:InitialRetryDelay"] = "00:00:00.200",
            ["Relay:Delivery:RateLimitCount"] = "0",
            ["ModernAuthMail:Providers:azure-vm:Flow"] = "ManagedIdentity",
            ["ModernAuthMail:Providers:azure-vm:ManagedIdentityClientId"] = identity.ClientId,
        });
        builder.Services.AddModernAuthMail().AddFromConfiguration(builder.Configuration.GetSection("ModernAuthMail"));

        // In Azure MSAL would call IMDS at 169.254.169.254; here the fake answers it in process.
        builder.Services.Configure<ModernAuthMailProviderOptions>("azure-vm", o => o.ConfigureFlowOptions = flow => flow.Transport = env.Entra.CreateHandler());
        builder.Services.AddModernAuthMailRelay(builder.Configuration.GetSection("Relay"));
        using var host = builder.Build();
        await host.StartAsync();
        try
        {
            var sender = MailServers.NewMailbox("vm-app");
            var subject = "Managed identity " + Guid.NewGuid().ToString("N");
            using (var client = new global::MailKit.Net.Smtp.SmtpClient())
            {
                await client.ConnectAsync("127.0.0.1", port, global::MailKit.Security.SecureSocketOptions.None);
                var message = new MimeMessage();
                message.From.Add(MailboxAddress.Parse(sender));
                message.To.Add(MailboxAddress.Parse(sender));
                message.Subject = subject;
                message.Body = new TextPart("plain") { Text = "Sent through the relay with a managed identity." };
                await client.SendAsync(message);
                await client.DisconnectAsync(true);
            }

            var received = await env.WaitForMessageAsync(sender, subject);
            Assert.Equal(subject, received.Subject);
            var request = Assert.Single(env.Entra.Requests, r => r.IsManagedIdentityRequest);
            Assert.Equal("https://outlook.office365.com", request.Resource);
        }
        finally
        {
            await host.StopAsync();
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
