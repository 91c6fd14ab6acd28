using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ModernAuth.Mail.Extensions.Tests.Support;
using ModernAuth.Mail.Testing;

namespace ModernAuth.Mail.Extensions.Tests.DependencyInjection;

public sealed class RegistrationTests : IDisposable
{
    private readonly FakeEntraId _entra = new();

    public RegistrationTests() => _entra.RegisterApplication(TestIds.Tenant, TestIds.ClientId).WithSecret(TestIds.Secret);

    public void Dispose() => _entra.Dispose();

    private void SharedInbox(ModernAuthMailProviderOptions o)
    {
        o.TenantId = TestIds.Tenant;
        o.ClientId = TestIds.ClientId;
        o.ClientSecret = TestIds.Secret;
        o.ConfigureFlowOptions = f => f.UseFakeEntraId(_entra);
    }

    [Fact]
    public async Task GetProvider_SameName_SameInstanceByFactoryKeyAndDefault()
    {
        var services = new ServiceCollection();
        services.AddModernAuthMail().AddClientSecret("shared-inbox", SharedInbox);
        await using var provider = services.BuildServiceProvider();

        var byFactory = provider.GetRequiredService<MailTokenProviderFactory>().GetProvider("shared-inbox");
        var byKey = provider.GetRequiredKeyedService<MailTokenProvider>("shared-inbox");
        var byDefault = provider.GetRequiredService<MailTokenProvider>();
        var otherCase = provider.GetRequiredService<MailTokenProviderFactory>().GetProvider("Shared-Inbox");

        Assert.IsType<ClientSecretTokenProvider>(byFactory);
        Assert.Same(byFactory, byKey);
        Assert.Same(byFactory, byDefault);
        Assert.Same(byFactory, otherCase);
        Assert.Equal(TestIds.ClientId, ((ClientSecretTokenProvider)byFactory).ClientId);
        Assert.False(string.IsNullOrEmpty((await byFactory.GetTokenAsync(new MailTokenRequest(MailProtocol.Smtp))).Token));
    }

    [Fact]
    public async Task AddFromConfiguration_SharedSettings_ProviderReadsSecretFileAndCarriesTheServerOverrides()
    {
        // The same keys the relay and the CLI read: a secret from a mounted file, servers from the settings.
        var secretFile = Path.GetTempFileName();
        await File.WriteAllTextAsync(secretFile, TestIds.Secret);
        try
        {
            var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["ModernAuthMail:Providers:scanner:Flow"] = "ClientSecret",
                ["ModernAuthMail:Providers:scanner:TenantId"] = TestIds.Tenant,
                ["ModernAuthMail:Providers:scanner:ClientId"] = TestIds.ClientId,
                ["ModernAuthMail:Providers:scanner:ClientSecretFile"] = secretFile,
                ["ModernAuthMail:Providers:scanner:SmtpServer"] = "smtp.relay.test:2587",
                ["ModernAuthMail:Providers:scanner:GraphUrl"] = "https://graph.microsoft.us/v1.0",
            }).Build();
            var services = new ServiceCollection();
            services.AddModernAuthMail().AddFromConfiguration(configuration.GetSection("ModernAuthMail"));
            services.Configure<ModernAuthMailProviderOptions>("scanner", o => o.ConfigureFlowOptions = f => f.UseFakeEntraId(_entra));
            await using var provider = services.BuildServiceProvider();

            var scanner = provider.GetRequiredService<MailTokenProviderFactory>().GetProvider("scanner");
            var token = await scanner.GetTokenAsync(new MailTokenRequest(MailProtocol.Smtp, "scanner@contoso.test"));

            Assert.Equal(new MailServerEndpoint("smtp.relay.test", 2587, MailTlsMode.StartTls), scanner.Cloud.Smtp);
            Assert.Equal(new Uri("https://graph.microsoft.us"), scanner.Cloud.Graph);
            Assert.True(token.IsJwt);
        }
        finally
        {
            File.Delete(secretFile);
        }
    }

    [Fact]
    public async Task GetDefaultProvider_TwoProvidersNoDefault_ThrowsListingThem()
    {
        var services = new ServiceCollection();
        services.AddModernAuthMail().AddClientSecret("a", SharedInbox).AddClientSecret("b", SharedInbox);
        await using var provider = services.BuildServiceProvider();

        var error = Assert.Throws<InvalidOperationException>(() => provider.GetRequiredService<MailTokenProvider>());

        Assert.Contains("2 ModernAuth.Mail providers are registered ('a', 'b')", error.Message, StringComparison.Ordinal);
        Assert.Contains("ModernAuthMailOptions.DefaultProvider", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetDefaultProvider_DefaultNamed_ReturnsIt()
    {
        var services = new ServiceCollection();
        services.AddModernAuthMail().AddClientSecret("a", SharedInbox).AddClientSecret("b", SharedInbox);
        services.Configure<ModernAuthMailOptions>(o => o.DefaultProvider = "b");
        await using var provider = services.BuildServiceProvider();

        Assert.Same(provider.GetRequiredKeyedService<MailTokenProvider>("b"), provider.GetRequiredService<MailTokenProvider>());
        Assert.NotSame(provider.GetRequiredKeyedService<MailTokenProvider>("a"), provider.GetRequiredService<MailTokenProvider>());
    }

    [Fact]
    public async Task GetProvider_UnknownName_ThrowsListingRegistered()
    {
        var services = new ServiceCollection();
        services.AddModernAuthMail().AddClientSecret("shared-inbox", SharedInbox);
        await using var provider = services.BuildServiceProvider();

        var error = Assert.Throws<InvalidOperationException>(() => provider.GetRequiredService<MailTokenProviderFactory>().GetProvider("scanner"));

        Assert.Equal("No ModernAuth.Mail provider is named 'scanner'. Registered: 'shared-inbox'.", error.Message);
    }

    [Fact]
    public async Task GetProvider_InvalidSettingsWithoutHost_ThrowsValidationNamingKey()
    {
        var services = new ServiceCollection();
        services.AddModernAuthMail().AddClientSecret("shared-inbox", o => o.ClientId = TestIds.ClientId);
        await using var provider = services.BuildServiceProvider();
        var factory = provider.GetRequiredService<MailTokenProviderFactory>();

        var error = Assert.Throws<OptionsValidationException>(() => factory.GetProvider("shared-inbox"));
        var again = Assert.Throws<OptionsValidationException>(() => factory.GetProvider("shared-inbox"));

        Assert.Contains("TenantId of the ModernAuth.Mail provider 'shared-inbox' is missing", error.Message, StringComparison.Ordinal);
        Assert.Equal(error.Message, again.Message);
    }

    [Fact]
    public void AddModernAuthMail_CalledTwice_ServicesRegisteredOnce()
    {
        var services = new ServiceCollection();
        services.AddModernAuthMail().AddClientSecret("a", SharedInbox);
        services.AddModernAuthMail().AddClientSecret("b", SharedInbox);

        Assert.Single(services, d => d.ServiceType == typeof(MailTokenProviderFactory));
        Assert.Single(services, d => d.ServiceType == typeof(MailTokenProvider) && !d.IsKeyedService);
        Assert.Single(services, d => d.ServiceType == typeof(IValidateOptions<ModernAuthMailProviderOptions>));
        using var provider = services.BuildServiceProvider();
        Assert.Equal(new[] { "a", "b" }, provider.GetRequiredService<MailTokenProviderFactory>().ProviderNames);
    }

    [Fact]
    public async Task AddModernAuthMail_FactoryReplacedBefore_ReplacementKept()
    {
        var services = new ServiceCollection();
        var replacement = new FixedFactory();
        services.AddSingleton<MailTokenProviderFactory>(replacement);
        services.AddModernAuthMail().AddClientSecret("a", SharedInbox);
        await using var provider = services.BuildServiceProvider();

        Assert.Same(replacement, provider.GetRequiredService<MailTokenProviderFactory>());
        Assert.Same(replacement.Provider, provider.GetRequiredService<MailTokenProvider>());
    }

    [Fact]
    public async Task AddProvider_CustomProvider_ResolvedByNameOnce()
    {
        var created = 0;
        var services = new ServiceCollection();
        services.AddModernAuthMail().AddProvider("custom", _ =>
        {
            created++;
            return new FixedProvider();
        });
        await using var provider = services.BuildServiceProvider();

        var first = provider.GetRequiredKeyedService<MailTokenProvider>("custom");
        var second = provider.GetRequiredService<MailTokenProviderFactory>().GetProvider("custom");

        Assert.Same(first, second);
        Assert.Equal(1, created);
        Assert.Equal("fixed-token", (await first.GetTokenAsync(new MailTokenRequest(MailProtocol.Imap))).Token);
    }

    [Theory]
    [InlineData("")]
    [InlineData(" ")]
    [InlineData("a:b")]
    public void AddClientSecret_BadName_Throws(string name)
    {
        Assert.Throws<ArgumentException>(() => new ServiceCollection().AddModernAuthMail().AddClientSecret(name, SharedInbox));
    }

    [Fact]
    public async Task GetTokenAsync_HostLoggerFactory_ProviderLogsThroughIt()
    {
        var logs = new LogCapture();
        var services = new ServiceCollection();
        services.AddLogging(b => b.AddProvider(logs).SetMinimumLevel(LogLevel.Trace));
        services.AddModernAuthMail().AddClientSecret("shared-inbox", SharedInbox);
        await using var provider = services.BuildServiceProvider();

        await provider.GetRequiredService<MailTokenProvider>().GetTokenAsync(new MailTokenRequest(MailProtocol.Imap));

        Assert.Equal(1, logs.Count(1001)); // the core's TokenAcquired
        Assert.Equal(1, logs.Count(2004)); // ProviderCreated
        Assert.Contains(logs.Entries, e => e.EventId == 1001 && e.Category == typeof(ClientSecretTokenProvider).FullName);
    }

    [Fact]
    public async Task GetProvider_TimeProviderRegistered_ProviderUsesIt()
    {
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(DateTimeOffset.UtcNow);
        var services = new ServiceCollection();
        services.AddSingleton<TimeProvider>(time);
        services.AddModernAuthMail().AddClientSecret("shared-inbox", SharedInbox);
        await using var provider = services.BuildServiceProvider();
        var mail = provider.GetRequiredService<MailTokenProvider>();
        var first = await mail.GetTokenAsync(new MailTokenRequest(MailProtocol.Imap));

        time.SetUtcNow(first.ExpiresOn + TimeSpan.FromMinutes(1));
        await mail.GetTokenAsync(new MailTokenRequest(MailProtocol.Imap));

        Assert.Equal(2, _entra.TokenRequestCount); // the provider's clock said the first token had expired
    }

    private sealed class FixedProvider : MailTokenProvider
    {
        public override ValueTask<MailAccessToken> GetTokenAsync(MailTokenRequest request, CancellationToken cancellationToken = default) =>
            new(new MailAccessToken("fixed-token", DateTimeOffset.MaxValue, request.Mailbox));
    }

    private sealed class FixedFactory : MailTokenProviderFactory
    {
        public MailTokenProvider Provider { get; } = new FixedProvider();

        public override IReadOnlyList<string> ProviderNames => new[] { "fixed" };

        public override MailTokenProvider GetProvider(string name) => Provider;

        public override MailTokenProvider GetDefaultProvider() => Provider;

        public override ModernAuthMailProviderOptions GetProviderOptions(string name) => new();
    }
}
