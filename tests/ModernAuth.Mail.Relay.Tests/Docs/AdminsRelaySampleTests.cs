using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using ModernAuth.Mail.Extensions;
using ModernAuth.Mail.Tests.Shared;

namespace ModernAuth.Mail.Relay.Tests.Docs;

/// <summary>The relay configuration docs/admins.md shows is one the relay accepts, loaded the way <c>relay run --config</c> loads it.</summary>
public sealed class AdminsRelaySampleTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("modernauth-admins-relay-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void AdminsRelaySample_IsAcceptedByTheRelay()
    {
        var options = Load(Sample());

        var network = Assert.Single(options.Networks);
        Assert.Equal(["192.168.10.0/24"], network.Ranges);
        var route = Assert.Single(options.Routes);
        Assert.Equal("contoso", route.Provider);
    }

    [Fact]
    public void AdminsRelaySample_WithARouteToAnUnknownProvider_IsRefused()
    {
        // The check can fail: the same file with the route's provider misspelt.
        var error = Assert.Throws<OptionsValidationException>(() => Load(Sample().Replace("\"Provider\": \"contoso\"", "\"Provider\": \"contosso\"", StringComparison.Ordinal)));

        Assert.Contains("'contosso' is not a token provider", error.Message, StringComparison.Ordinal);
    }

    /// <summary>
    /// Loads the sample as <c>relay run --config</c> does, with the files it names (/etc/modernauth-mail/app.pfx and
    /// relay.pfx, the spool) in a folder of the test's: the only change made to it.
    /// </summary>
    private RelayOptions Load(string json)
    {
        var etc = Directory.CreateDirectory(Path.Combine(_directory, "etc")).FullName;
        foreach (var name in new[] { "app.pfx", "relay.pfx" })
        {
            using var rsa = RSA.Create(2048);
            var request = new CertificateRequest("CN=relay.contoso.local", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
            var now = TimeProvider.System.GetUtcNow();
            using var certificate = request.CreateSelfSigned(now.AddDays(-1), now.AddDays(30));
            File.WriteAllBytes(Path.Combine(etc, name), certificate.Export(X509ContentType.Pkcs12));
        }

        json = json.Replace("/etc/modernauth-mail/", etc + "/", StringComparison.Ordinal)
            .Replace("/var/spool/modernauth-relay", Path.Combine(_directory, "spool"), StringComparison.Ordinal);
        var file = Path.Combine(_directory, $"relay-{Guid.NewGuid():N}.json");
        File.WriteAllText(file, json);
        using var host = RelayHost.CreateBuilder(new RelayHostSettings { ConfigurationFile = file }).Build();
        var providers = host.Services.GetRequiredService<MailTokenProviderFactory>();
        Assert.Empty(providers.GetProviderOptions("contoso").Validate());
        return host.Services.GetRequiredService<IOptions<RelayOptions>>().Value;
    }

    /// <summary>The ```json block after <c>&lt;!-- admins:relay --&gt;</c> in docs/admins.md.</summary>
    private static string Sample()
    {
        var lines = File.ReadAllLines(RepositoryRoot.File("docs", "admins.md"));
        var marker = Array.FindIndex(lines, l => l.Trim() == "<!-- admins:relay -->");
        Assert.True(marker >= 0, "docs/admins.md has no <!-- admins:relay --> marker");
        Assert.Equal("```json", lines[marker + 1]);
        var end = Array.FindIndex(lines, marker + 2, l => l.StartsWith("```", StringComparison.Ordinal));
        return string.Join("\n", lines[(marker + 2)..end]);
    }
}
