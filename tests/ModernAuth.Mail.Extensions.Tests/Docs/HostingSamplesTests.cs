using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using ModernAuth.Mail.Extensions.Tests.Support;
using ModernAuth.Mail.Testing;

namespace ModernAuth.Mail.Extensions.Tests.Docs;

/// <summary>Runs the samples of docs/hosting.md: the host from command-line settings, the fake Entra ID and the real Redis.</summary>
public sealed class HostingSamplesTests : IDisposable
{
    private readonly FakeEntraId _entra = new();

    public HostingSamplesTests() => _entra.RegisterApplication(TestIds.Tenant, TestIds.ClientId).WithSecret(TestIds.Secret);

    public void Dispose() => _entra.Dispose();

    private string[] Args(string prefix) => new[]
    {
        "--Redis=" + TestRedis.Endpoint,
        "--ModernAuthMail:TokenCache:EncryptionKey=" + TestIds.EncryptionKey,
        "--ModernAuthMail:TokenCache:KeyPrefix=" + prefix,
        "--ModernAuthMail:Providers:shared-inbox:Flow=ClientSecret",
        "--ModernAuthMail:Providers:shared-inbox:TenantId=" + TestIds.Tenant,
        "--ModernAuthMail:Providers:shared-inbox:ClientId=" + TestIds.ClientId,
        "--ModernAuthMail:Providers:shared-inbox:ClientSecret=" + TestIds.Secret,
        "--ModernAuthMail:Providers:shared-inbox:Mailbox=" + TestIds.Mailbox,
    };

    [Fact]
    [Trait("Category", "RealServers")]
    public async Task BuildHost_TwoInstancesFromArgs_ShareOneTokenAndReportHealthy()
    {
        var prefix = TestIds.NewPrefix();
        using var first = HostingSamples.BuildHost(Args(prefix), s => HostingSamples.UseFakeEntraIdInTests(s, _entra));
        using var second = HostingSamples.BuildHost(Args(prefix), s => HostingSamples.UseFakeEntraIdInTests(s, _entra));
        await first.StartAsync();
        await second.StartAsync();

        var token1 = await ActivatorUtilities.CreateInstance<InboxReader>(first.Services).GetTokenAsync(CancellationToken.None);
        var token2 = await ActivatorUtilities.CreateInstance<InboxReader>(second.Services).GetTokenAsync(CancellationToken.None);
        var report = await HostingSamples.CheckAsync(second);

        Assert.Equal(token1.Token, token2.Token);
        Assert.Equal(TestIds.Mailbox, token2.Account);
        Assert.Equal(1, _entra.TokenRequestCount);
        Assert.Equal(HealthStatus.Healthy, report.Status);
        await first.StopAsync();
        await second.StopAsync();
    }

    [Fact]
    [Trait("Category", "RealServers")]
    public async Task BuildHost_EncryptionKeyMissing_DoesNotStart()
    {
        var args = Args(TestIds.NewPrefix()).Where(a => !a.Contains("EncryptionKey", StringComparison.Ordinal)).ToArray();
        using var host = HostingSamples.BuildHost(args);

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.StartsWith("ModernAuthMail:TokenCache:EncryptionKey is missing", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RegisterInCode_EveryFlow_ResolvedByNameAndKey()
    {
        var services = new ServiceCollection();
        var federatedTokenFile = Path.GetTempFileName();
        File.WriteAllText(federatedTokenFile, "a-federated-token-read-only-when-a-token-is-asked-for");
        HostingSamples.RegisterInCode(services, TestIds.Secret, federatedTokenFile);
        await using var provider = services.BuildServiceProvider();

        var factory = provider.GetRequiredService<MailTokenProviderFactory>();
        var sender = ActivatorUtilities.CreateInstance<ScanSender>(provider);

        Assert.Equal(new[] { "shared-inbox", "scanner", "in-azure", "in-kubernetes", "adele", "desktop" }, factory.ProviderNames);
        Assert.IsType<ClientSecretTokenProvider>(factory.GetProvider("shared-inbox"));
        Assert.IsType<ClientCertificateTokenProvider>(provider.GetRequiredKeyedService<MailTokenProvider>("scanner"));
        Assert.IsType<DeviceCodeTokenProvider>(factory.GetProvider("adele"));
        Assert.IsType<ManagedIdentityTokenProvider>(factory.GetProvider("in-azure"));
        Assert.IsType<WorkloadIdentityTokenProvider>(factory.GetProvider("in-kubernetes"));
        Assert.IsType<InteractiveBrowserTokenProvider>(factory.GetProvider("desktop"));
        Assert.NotNull(sender);
        Assert.Equal("shared@contoso.com", factory.GetProviderOptions("shared-inbox").Mailbox);
    }
}
