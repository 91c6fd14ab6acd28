using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using ModernAuth.Mail.Extensions;
using ModernAuth.Mail.Relay.Tests.Support;
using ModernAuth.Mail.Tests.Shared;

namespace ModernAuth.Mail.Relay.Tests;

/// <summary>Graph routes described by configuration alone: the relay host from a JSON file, and the sample in docs/relay.md.</summary>
public sealed class GraphConfigurationTests : IAsyncLifetime
{
    private GraphEnvironment _env = null!;

    public async Task InitializeAsync() => _env = await GraphEnvironment.StartAsync();

    public async Task DisposeAsync() => await _env.DisposeAsync();

    [Fact]
    public async Task RelayHost_GraphRouteFromConfigurationOnly_DeliversThroughTheProvidersGraphEndpoint()
    {
        var entraCertificate = Path.Combine(_env.Directory, "entra.crt");
        await File.WriteAllTextAsync(entraCertificate, _env.EntraServer.Certificate.ExportCertificatePem());
        var config = Path.Combine(_env.Directory, "relay.json");
        await File.WriteAllTextAsync(config, JsonSerializer.Serialize(new
        {
            ModernAuthMail = new
            {
                Providers = new Dictionary<string, object>
                {
                    ["contoso"] = new
                    {
                        Flow = "ClientSecret",
                        TenantId = GraphEnvironment.Tenant,
                        _env.ClientId,
                        ClientSecret = _env.Secret,
                        AuthorityHost = _env.EntraServer.BaseAddress,
                        DisableInstanceDiscovery = true,
                        AuthorityCertificatePath = entraCertificate,

                        // No Relay:Graph:Endpoint: the provider's cloud (with this override) says where Graph is.
                        GraphUrl = _env.GraphServer.BaseAddress,
                    },
                },
            },
            Relay = new
            {
                Listen = new[] { "127.0.0.1:0" },
                Networks = new[] { new { Name = "loopback", Ranges = new[] { "127.0.0.0/8" }, AllowedSenders = new[] { "@contoso.test" } } },
                Routes = new[] { new { Senders = new[] { "*" }, Provider = "contoso", Mailbox = GraphEnvironment.Relay, Upstream = "Graph" } },
                Graph = new { TrustedCertificatePath = _env.CertificatePath, Timeout = "00:00:30" },
                Delivery = new { InitialRetryDelay = "00:00:01", MaxRetryDelay = "00:00:05" },
                SpoolDirectory = _env.SpoolDirectory,
            },
        }));

        var builder = RelayHost.CreateBuilder(new RelayHostSettings { ConfigurationFile = config });
        builder.Services.AddSingleton<Microsoft.Extensions.Logging.ILoggerFactory>(_env.Logs);
        using var host = builder.Build();
        await host.StartAsync();
        try
        {
            var relay = host.Services.GetRequiredService<RelayServer>();
            var subject = "Graph config-only " + Guid.NewGuid().ToString("N")[..8];
            await EndToEndTests.SendAsync(relay, EndToEndTests.Message("scanner@contoso.test", "adele@contoso.test", subject, "Sent through a Graph route configured by file alone."));

            var arrived = (await _env.WaitForMessagesAsync("adele@contoso.test", subject)).Single();
            Assert.Equal("Sent through a Graph route configured by file alone.", arrived.TextBody?.Trim());
            Assert.Contains(_env.Graph.Requests, r => r.Path == "/v1.0/users/" + GraphEnvironment.Relay + "/sendMail" && r.StatusCode == 202);
            Assert.True(_env.Entra.TokenRequestCount >= 1);
            Assert.DoesNotContain(_env.Secret, _env.Logs.AllText, StringComparison.Ordinal);
            Assert.DoesNotContain("Bearer ", _env.Logs.AllText, StringComparison.Ordinal);
        }
        finally
        {
            await host.StopAsync();
        }
    }

    [Fact]
    public void RelayHost_GraphRouteWithADelegatedProviderAndNoMailbox_FailsAtStartNamingTheKey()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Relay:SpoolDirectory"] = _env.SpoolDirectory,
            ["Relay:Networks:0:Ranges:0"] = "10.0.0.0/8",
            ["Relay:Networks:0:AllowedSenders:0"] = "@contoso.com",
            ["Relay:Routes:0:Senders:0"] = "*",
            ["Relay:Routes:0:Provider"] = "kiosk",
            ["Relay:Routes:0:Upstream"] = "Graph",
            ["Relay:Graph:MaxRetries"] = "11",
            ["ModernAuthMail:Providers:kiosk:Flow"] = "DeviceCode",
            ["ModernAuthMail:Providers:kiosk:ClientId"] = Guid.NewGuid().ToString(),
        });
        builder.Services.AddModernAuthMail().AddFromConfiguration(builder.Configuration.GetSection("ModernAuthMail"));
        builder.Services.AddModernAuthMailRelay(builder.Configuration.GetSection("Relay"));
        using var host = builder.Build();

        var error = Assert.Throws<OptionsValidationException>(() => host.Services.GetRequiredService<IOptions<RelayOptions>>().Value);

        Assert.Contains(error.Failures, f => f.StartsWith("Relay:Routes:0:Mailbox: is required with Upstream Graph and the delegated provider 'kiosk'", StringComparison.Ordinal));
        Assert.Contains(error.Failures, f => f.StartsWith("Relay:Routes:0:Provider:", StringComparison.Ordinal) && f.Contains("--protocol graph", StringComparison.Ordinal));
        Assert.Contains(error.Failures, f => f.StartsWith("Relay:Graph:MaxRetries: 11 is outside 0 to 10", StringComparison.Ordinal));
    }

    [Fact]
    public void DocsSample_GraphRoute_IsAcceptedByTheRelay()
    {
        var json = DocsSample("docs/relay.md", "### Delivering through Microsoft Graph");
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddJsonStream(new MemoryStream(Encoding.UTF8.GetBytes(json)));
        builder.Services.AddModernAuthMail().AddFromConfiguration(builder.Configuration.GetSection("ModernAuthMail"));
        builder.Services.AddModernAuthMailRelay(builder.Configuration.GetSection("Relay"));
        using var host = builder.Build();

        var options = host.Services.GetRequiredService<IOptions<RelayOptions>>().Value;

        Assert.Contains(options.Routes, r => r.Upstream == RelayUpstreamKind.Graph);
        Assert.Contains(options.Routes, r => r.Upstream == RelayUpstreamKind.Smtp);
    }

    /// <summary>The first <c>```json</c> block after <paramref name="heading"/> in a doc.</summary>
    private static string DocsSample(string file, string heading)
    {
        var text = File.ReadAllText(Path.Combine(RepositoryRoot.Path, file));
        var at = text.IndexOf(heading, StringComparison.Ordinal);
        Assert.True(at >= 0, $"{file} has no '{heading}'.");
        var match = Regex.Match(text[at..], "```json\\n(.*?)\\n```", RegexOptions.Singleline);
        Assert.True(match.Success, $"{file} has no json block after '{heading}'.");
        return match.Groups[1].Value;
    }
}
