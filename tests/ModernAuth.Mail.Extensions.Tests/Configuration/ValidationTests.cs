using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using ModernAuth.Mail.Extensions.Tests.Support;

namespace ModernAuth.Mail.Extensions.Tests.Configuration;

/// <summary>Start-up validation: each bad setting fails host start with a message that names its key and the fix.</summary>
public sealed class ValidationTests
{
    private const string Key = "ModernAuthMail:Providers:shared-inbox:";

    public static TheoryData<string, string?, string> BadSettings() => new()
    {
        { "ClientId", null, Key + "ClientId is missing: use the Application (client) ID from the app registration's Overview page" },
        { "ClientId", "my-mail-app", Key + "ClientId 'my-mail-app' is not a GUID" },
        { "TenantId", null, Key + "TenantId is missing: use the Directory (tenant) ID" },
        { "TenantId", "common", Key + "TenantId is 'common': app-only flows need one specific tenant" },
        { "ClientSecret", null, Key + "ClientSecret is missing: use the secret's Value (not its Secret ID)" },
        { "Flow", null, Key + "Flow is missing: use ClientSecret or ClientCertificate (app-only), ManagedIdentity (app-only, running in Azure), WorkloadIdentity (app-only, Kubernetes or CI with federated credentials), or DeviceCode or InteractiveBrowser" },
        { "Cloud", "Mars", Key + "Cloud 'Mars' is not a known cloud: use Global, PersonalAccounts" },
        { "Cloud", "PersonalAccounts", Key + "Cloud is PersonalAccounts, which has no app-only access" },
        { "AuthorityHost", "http://login.example.test", Key + "AuthorityHost 'http://login.example.test' must be an absolute https URI" },
        { "Mailbox", "shared", Key + "Mailbox 'shared' is not an email address" },
        { "NetworkTimeout", "00:00:00", Key + "NetworkTimeout must be positive" },
        { "ClientSecrett", "x", Key + "ClientSecrett is not a ModernAuth.Mail provider setting: did you mean ClientSecret?" },
        { "Flow", "Password", "ModernAuthMail:Providers:shared-inbox:Flow" },
        { "SmtpServer", "smtp.example.com:0", Key + "SmtpServer 'smtp.example.com:0' is not host[:port]" },
        { "GraphUrl", "graph.microsoft.us", Key + "GraphUrl 'graph.microsoft.us' is not an http(s) URL" },
        { "ClientSecretFile", "no-such-secret-file", Key + "ClientSecret and " + Key + "ClientSecretFile are both given: give one." },
        { "AuthorityCertificatePath", "no-such.crt", Key + "AuthorityCertificatePath 'no-such.crt' does not exist" },
    };

    [Theory]
    [MemberData(nameof(BadSettings))]
    public async Task StartAsync_BadSetting_FailsNamingTheKey(string setting, string? value, string expected)
    {
        var settings = StartupErrors.ValidClientSecret();
        settings[Key + setting] = value;

        var message = await StartupErrors.OfAsync(settings);

        Assert.Contains(expected, message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StartAsync_MissingClientId_MessageReadsWell()
    {
        var settings = StartupErrors.ValidClientSecret();
        settings[Key + "ClientId"] = null;

        var message = await StartupErrors.OfAsync(settings);

        Assert.Equal(
            "ModernAuthMail:Providers:shared-inbox:ClientId is missing: use the Application (client) ID from the app registration's Overview page in the Microsoft Entra admin center (a GUID).",
            message);
    }

    [Fact]
    public async Task StartAsync_ValidSettings_Starts()
    {
        Assert.Equal(string.Empty, await StartupErrors.OfAsync(StartupErrors.ValidClientSecret()));
    }

    [Fact]
    public async Task StartAsync_SecretIdInsteadOfValue_SaysSoWithoutEchoingIt()
    {
        var settings = StartupErrors.ValidClientSecret();
        var secretId = "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0";
        settings[Key + "ClientSecret"] = secretId;

        var message = await StartupErrors.OfAsync(settings);

        Assert.Contains(Key + "ClientSecret looks like a GUID: that is the secret's Secret ID, not its Value", message, StringComparison.Ordinal);
        Assert.DoesNotContain(secretId, message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StartAsync_SeveralBadSettings_ReportsEach()
    {
        var settings = StartupErrors.ValidClientSecret();
        settings[Key + "ClientId"] = null;
        settings[Key + "TenantId"] = null;

        var message = await StartupErrors.OfAsync(settings);

        Assert.Contains(Key + "ClientId is missing", message, StringComparison.Ordinal);
        Assert.Contains(Key + "TenantId is missing", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StartAsync_CertificateFileMissing_NamesKeyAndPath()
    {
        var settings = StartupErrors.ValidClientSecret();
        settings[Key + "Flow"] = "ClientCertificate";
        settings[Key + "ClientSecret"] = null;
        settings[Key + "CertificatePath"] = "/nonexistent/mail-app.pfx";

        var message = await StartupErrors.OfAsync(settings);

        Assert.Contains(Key + "CertificatePath '/nonexistent/mail-app.pfx' does not exist", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StartAsync_CertificateWithoutSource_SaysWhichKeys()
    {
        var settings = StartupErrors.ValidClientSecret();
        settings[Key + "Flow"] = "ClientCertificate";

        var message = await StartupErrors.OfAsync(settings);

        Assert.Contains(Key + "CertificatePath or " + Key + "CertificateThumbprint is missing", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StartAsync_BadThumbprint_NamesKey()
    {
        var settings = StartupErrors.ValidClientSecret();
        settings[Key + "Flow"] = "ClientCertificate";
        settings[Key + "CertificateThumbprint"] = "not-a-thumbprint";

        var message = await StartupErrors.OfAsync(settings);

        Assert.Contains(Key + "CertificateThumbprint is not a SHA-1 thumbprint", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StartAsync_DeviceCodeWithoutTenant_Starts()
    {
        var settings = new Dictionary<string, string?>
        {
            ["ModernAuthMail:Providers:adele:Flow"] = "DeviceCode",
            ["ModernAuthMail:Providers:adele:ClientId"] = TestIds.PublicClientId,
        };

        Assert.Equal(string.Empty, await StartupErrors.OfAsync(settings));
    }

    [Fact]
    public async Task StartAsync_NoProviders_SaysWhereToAddOne()
    {
        var message = await StartupErrors.OfAsync(new Dictionary<string, string?>());

        Assert.Contains("ModernAuthMail:Providers has no provider", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StartAsync_UnknownDefaultProvider_ListsRegistered()
    {
        var settings = StartupErrors.ValidClientSecret();
        settings["ModernAuthMail:DefaultProvider"] = "scanner";

        var message = await StartupErrors.OfAsync(settings);

        Assert.Contains("ModernAuthMail:DefaultProvider 'scanner' is not a registered provider: use one of 'shared-inbox'", message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null, "ModernAuthMail:TokenCache:EncryptionKey is missing: use at least 32 random bytes in base64")]
    [InlineData("c2hvcnQ=", "ModernAuthMail:TokenCache:EncryptionKey has 5 bytes, too few")]
    [InlineData("%%%", "ModernAuthMail:TokenCache:EncryptionKey is not base64")]
    public async Task StartAsync_DistributedCacheBadKey_NamesKey(string? key, string expected)
    {
        var settings = StartupErrors.ValidClientSecret();
        settings["ModernAuthMail:TokenCache:EncryptionKey"] = key;

        var message = await StartupErrors.OfAsync(settings, b =>
        {
            b.Services.AddDistributedMemoryCache();
            b.AddDistributedTokenCache();
        });

        Assert.Contains(expected, message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("LeaseDuration", "00:00:00.500", "ModernAuthMail:TokenCache:LeaseDuration must be at least one second")]
    [InlineData("LeaseSettleDelay", "00:00:10", "ModernAuthMail:TokenCache:LeaseSettleDelay must be zero or more and shorter than LeaseDuration")]
    [InlineData("LeaseSettleDelay", "-00:00:01", "ModernAuthMail:TokenCache:LeaseSettleDelay must be zero or more and shorter than LeaseDuration")]
    [InlineData("LeaseMaxWait", "-00:00:01", "ModernAuthMail:TokenCache:LeaseMaxWait cannot be negative")]
    public async Task StartAsync_DistributedCacheBadLeaseSetting_NamesKey(string setting, string value, string expected)
    {
        var settings = StartupErrors.ValidClientSecret();
        settings["ModernAuthMail:TokenCache:EncryptionKey"] = TestIds.EncryptionKey;
        settings["ModernAuthMail:TokenCache:" + setting] = value;

        var message = await StartupErrors.OfAsync(settings, b =>
        {
            b.Services.AddDistributedMemoryCache();
            b.AddDistributedTokenCache();
        });

        Assert.Contains(expected, message, StringComparison.Ordinal);
    }

    [Fact]
    public void AddFromConfiguration_LeaseSettings_BoundFromTokenCacheSection()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ModernAuthMail:TokenCache:EncryptionKey"] = TestIds.EncryptionKey,
            ["ModernAuthMail:TokenCache:LeaseEnabled"] = "false",
            ["ModernAuthMail:TokenCache:LeaseDuration"] = "00:00:05",
            ["ModernAuthMail:TokenCache:LeaseSettleDelay"] = "00:00:00.100",
            ["ModernAuthMail:TokenCache:LeaseMaxWait"] = "00:01:00",
        }).Build();
        var services = new ServiceCollection();
        services.AddDistributedMemoryCache();
        services.AddModernAuthMail().AddFromConfiguration(configuration.GetSection("ModernAuthMail")).AddDistributedTokenCache();
        using var provider = services.BuildServiceProvider();

        var options = provider.GetRequiredService<IOptions<DistributedTokenCacheOptions>>().Value;

        Assert.False(options.LeaseEnabled);
        Assert.Equal(TimeSpan.FromSeconds(5), options.LeaseDuration);
        Assert.Equal(TimeSpan.FromMilliseconds(100), options.LeaseSettleDelay);
        Assert.Equal(TimeSpan.FromMinutes(1), options.LeaseMaxWait);
        var defaults = new DistributedTokenCacheOptions();
        Assert.True(defaults.LeaseEnabled);
        Assert.Equal(TimeSpan.FromSeconds(10), defaults.LeaseDuration);
        Assert.Equal(TimeSpan.FromMilliseconds(50), defaults.LeaseSettleDelay);
        Assert.Equal(TimeSpan.FromSeconds(30), defaults.LeaseMaxWait);
    }

    [Fact]
    public async Task StartAsync_DistributedCacheWithoutIDistributedCache_SaysRegisterOne()
    {
        var settings = StartupErrors.ValidClientSecret();
        settings["ModernAuthMail:TokenCache:EncryptionKey"] = TestIds.EncryptionKey;

        var message = await StartupErrors.OfAsync(settings, b => b.AddDistributedTokenCache());

        Assert.Contains("AddDistributedTokenCache() needs an IDistributedCache service", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StartAsync_ProviderFromCode_NamesOptionAndProvider()
    {
        var message = await StartupErrors.OfAsync(new Dictionary<string, string?>(), b => b.AddClientSecret("scanner", o =>
        {
            o.TenantId = TestIds.Tenant;
            o.ClientSecret = TestIds.Secret;
        }));

        Assert.Contains("ClientId of the ModernAuth.Mail provider 'scanner' is missing", message, StringComparison.Ordinal);
    }
}
