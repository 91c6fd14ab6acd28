using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using ModernAuth.Mail.Extensions.Tests.Support;
using ModernAuth.Mail.Testing;

namespace ModernAuth.Mail.Extensions.Tests.Hosting;

/// <summary>A real generic host, configured like an app's appsettings.json and environment.</summary>
public sealed class HostTests : IDisposable
{
    private readonly FakeEntraId _entra = new();
    private readonly string _directory = Directory.CreateTempSubdirectory("modernauth-hosting-").FullName;

    public HostTests()
    {
        _entra.RegisterApplication(TestIds.Tenant, TestIds.ClientId).WithSecret(TestIds.Secret);
    }

    public void Dispose()
    {
        _entra.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public async Task CreateApplicationBuilder_AppSettingsConfiguration_ResolvesNamedProvidersAndGetsTokens()
    {
        using var certificate = CreateCertificate();
        _entra.RegisterApplication(TestIds.Tenant, TestIds.CertificateClientId).WithCertificate(certificate);
        var pfx = Path.Combine(_directory, "mail-app.pfx");
        await File.WriteAllBytesAsync(pfx, certificate.Export(X509ContentType.Pfx, "pfx-password"));

        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true, EnvironmentName = "Production" });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ModernAuthMail:DefaultProvider"] = "shared-inbox",
            ["ModernAuthMail:Providers:shared-inbox:Flow"] = "ClientSecret",
            ["ModernAuthMail:Providers:shared-inbox:TenantId"] = TestIds.Tenant,
            ["ModernAuthMail:Providers:shared-inbox:ClientId"] = TestIds.ClientId,
            ["ModernAuthMail:Providers:shared-inbox:ClientSecret"] = TestIds.Secret,
            ["ModernAuthMail:Providers:shared-inbox:Mailbox"] = TestIds.Mailbox,
            ["ModernAuthMail:Providers:scanner:Flow"] = "ClientCertificate",
            ["ModernAuthMail:Providers:scanner:TenantId"] = TestIds.Tenant,
            ["ModernAuthMail:Providers:scanner:ClientId"] = TestIds.CertificateClientId,
            ["ModernAuthMail:Providers:scanner:CertificatePath"] = pfx,
            ["ModernAuthMail:Providers:scanner:CertificatePassword"] = "pfx-password",
            ["ModernAuthMail:Providers:scanner:Mailbox"] = "scanner@contoso.test",
            ["ModernAuthMail:Providers:scanner:HealthCheckProtocol"] = "Smtp",
            ["ModernAuthMail:Providers:adele:Flow"] = "DeviceCode",
            ["ModernAuthMail:Providers:adele:ClientId"] = TestIds.PublicClientId,
            ["ModernAuthMail:Providers:adele:Cloud"] = "PersonalAccounts",
            ["ModernAuthMail:Providers:adele:TokenCachePath"] = Path.Combine(_directory, "adele.bin"),
            ["ModernAuthMail:Providers:adele:DisableInteractiveSignIn"] = "true",
        });
        builder.Services.AddModernAuthMail().AddFromConfiguration(builder.Configuration.GetSection("ModernAuthMail"));
        builder.Services.PostConfigureAll<ModernAuthMailProviderOptions>(o => o.ConfigureFlowOptions = f => f.UseFakeEntraId(_entra));
        using var host = builder.Build();
        await host.StartAsync();

        var factory = host.Services.GetRequiredService<MailTokenProviderFactory>();
        var inbox = host.Services.GetRequiredService<MailTokenProvider>();
        var scanner = host.Services.GetRequiredKeyedService<MailTokenProvider>("scanner");
        var adele = Assert.IsType<DeviceCodeTokenProvider>(factory.GetProvider("adele"));
        var inboxToken = await inbox.GetTokenAsync(new MailTokenRequest(MailProtocol.Imap, factory.GetProviderOptions("shared-inbox").Mailbox));
        var scannerToken = await scanner.GetTokenAsync(new MailTokenRequest(MailProtocol.Smtp, factory.GetProviderOptions("scanner").Mailbox));

        Assert.Equal(new[] { "adele", "scanner", "shared-inbox" }, factory.ProviderNames); // configuration lists keys sorted
        Assert.Same(factory.GetProvider("shared-inbox"), inbox);
        Assert.Equal(TestIds.Mailbox, inboxToken.Account);
        Assert.Equal("scanner@contoso.test", scannerToken.Account);
        Assert.IsType<ClientCertificateTokenProvider>(scanner);
        Assert.Equal(MailProtocol.Smtp, factory.GetProviderOptions("scanner").HealthCheckProtocol);
        Assert.Equal("consumers", adele.TenantId);
        Assert.Equal(Path.Combine(_directory, "adele.bin"), adele.TokenCachePath);
        Assert.Equal(2, _entra.TokenRequestCount);
        await host.StopAsync();
    }

    [Fact]
    public async Task AddFromConfiguration_EnvironmentVariables_MappedThroughDoubleUnderscore()
    {
        var prefix = "MAMTEST" + Guid.NewGuid().ToString("N")[..8] + "_";
        var variables = new Dictionary<string, string>
        {
            [prefix + "ModernAuthMail__Providers__shared-inbox__Flow"] = "ClientSecret",
            [prefix + "ModernAuthMail__Providers__shared-inbox__TenantId"] = TestIds.Tenant,
            [prefix + "ModernAuthMail__Providers__shared-inbox__ClientId"] = TestIds.ClientId,
            [prefix + "ModernAuthMail__Providers__shared-inbox__ClientSecret"] = TestIds.Secret,
        };
        foreach (var (name, value) in variables)
        {
            Environment.SetEnvironmentVariable(name, value);
        }

        try
        {
            var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
            builder.Configuration.AddEnvironmentVariables(prefix);
            builder.Services.AddModernAuthMail().AddFromConfiguration(builder.Configuration.GetSection("ModernAuthMail"));
            builder.Services.PostConfigureAll<ModernAuthMailProviderOptions>(o => o.ConfigureFlowOptions = f => f.UseFakeEntraId(_entra));
            using var host = builder.Build();
            await host.StartAsync();

            var token = await host.Services.GetRequiredService<MailTokenProvider>().GetTokenAsync(new MailTokenRequest(MailProtocol.Pop, TestIds.Mailbox));

            Assert.False(string.IsNullOrEmpty(token.Token));
            Assert.Equal("shared-inbox", Assert.Single(host.Services.GetRequiredService<MailTokenProviderFactory>().ProviderNames));
            await host.StopAsync();
        }
        finally
        {
            foreach (var name in variables.Keys)
            {
                Environment.SetEnvironmentVariable(name, null);
            }
        }
    }

    [Fact]
    public async Task StartAsync_InvalidProvider_HostDoesNotStart()
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ModernAuthMail:Providers:shared-inbox:Flow"] = "ClientSecret",
            ["ModernAuthMail:Providers:shared-inbox:TenantId"] = TestIds.Tenant,
            ["ModernAuthMail:Providers:shared-inbox:ClientSecret"] = TestIds.Secret,
        });
        builder.Services.AddModernAuthMail().AddFromConfiguration(builder.Configuration.GetSection("ModernAuthMail"));
        using var host = builder.Build();

        var error = await Assert.ThrowsAsync<Microsoft.Extensions.Options.OptionsValidationException>(() => host.StartAsync());

        Assert.StartsWith("ModernAuthMail:Providers:shared-inbox:ClientId is missing", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(TestIds.Secret, error.Message, StringComparison.Ordinal);
        Assert.Equal(0, _entra.RequestCount);
    }

    private static X509Certificate2 CreateCertificate()
    {
        using var rsa = RSA.Create(2048);
        var request = new CertificateRequest("CN=ModernAuth.Mail hosting test", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var now = DateTimeOffset.UtcNow;
        using var created = request.CreateSelfSigned(now.AddDays(-1), now.AddDays(30));
        return X509CertificateLoader.LoadPkcs12(created.Export(X509ContentType.Pkcs12), null, X509KeyStorageFlags.Exportable);
    }
}
