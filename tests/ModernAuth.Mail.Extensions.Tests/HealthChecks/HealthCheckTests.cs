using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;
using ModernAuth.Mail.Extensions.Tests.Support;
using ModernAuth.Mail.Testing;

namespace ModernAuth.Mail.Extensions.Tests.HealthChecks;

public sealed class HealthCheckTests : IDisposable
{
    private readonly FakeEntraId _entra = new();
    private readonly LogCapture _logs = new();

    public HealthCheckTests()
    {
        _entra.RegisterApplication(TestIds.Tenant, TestIds.ClientId).WithSecret(TestIds.Secret);
        _entra.RegisterApplication(TestIds.Tenant, TestIds.PublicClientId).AsPublicClient();
        _entra.AddUser(TestIds.Tenant, "adele@contoso.test");
    }

    public void Dispose() => _entra.Dispose();

    private ServiceProvider Build(Action<ModernAuthMailBuilder> providers, HealthStatus? failureStatus = null)
    {
        var services = new ServiceCollection();
        services.AddLogging(b => b.AddProvider(_logs).SetMinimumLevel(LogLevel.Trace));
        providers(services.AddModernAuthMail());
        services.PostConfigureAll<ModernAuthMailProviderOptions>(o => o.ConfigureFlowOptions = f => f.UseFakeEntraId(_entra));
        services.AddHealthChecks().AddModernAuthMail(failureStatus: failureStatus, tags: new[] { "mail" });
        return services.BuildServiceProvider();
    }

    private static void Inbox(ModernAuthMailProviderOptions o, string secret = TestIds.Secret)
    {
        o.TenantId = TestIds.Tenant;
        o.ClientId = TestIds.ClientId;
        o.ClientSecret = secret;
        o.Mailbox = TestIds.Mailbox;
    }

    [Fact]
    public async Task CheckHealthAsync_EveryProviderGetsToken_Healthy()
    {
        await using var services = Build(b => b.AddClientSecret("shared-inbox", o => Inbox(o)).AddClientSecret("archive", o => Inbox(o)));

        var report = await services.GetRequiredService<HealthCheckService>().CheckHealthAsync();

        var entry = report.Entries["modernauth-mail"];
        Assert.Equal(HealthStatus.Healthy, entry.Status);
        Assert.Equal("healthy", entry.Data["shared-inbox"]);
        Assert.Equal("healthy", entry.Data["archive"]);
        Assert.Contains("mail", entry.Tags);
        Assert.Equal(2, _entra.TokenRequestCount); // one per provider: each has its own cache
    }

    [Fact]
    public async Task CheckHealthAsync_WrongSecret_UnhealthyWithErrorCodeAndNoSecrets()
    {
        const string WrongSecret = "Wr0ng~Secret.Value_0000000000000000000";
        await using var services = Build(b => b.AddClientSecret("shared-inbox", o => Inbox(o)).AddClientSecret("broken", o => Inbox(o, WrongSecret)));

        var report = await services.GetRequiredService<HealthCheckService>().CheckHealthAsync();

        var entry = report.Entries["modernauth-mail"];
        Assert.Equal(HealthStatus.Unhealthy, entry.Status);
        Assert.Equal("healthy", entry.Data["shared-inbox"]);
        Assert.Equal(MailErrorCodes.InvalidClientSecret, entry.Data["broken"]);
        Assert.StartsWith("1 of 2 ModernAuth.Mail provider(s) could not get a token: 'broken': invalid_client_secret", entry.Description, StringComparison.Ordinal);
        Assert.Null(entry.Exception);
        var token = await services.GetRequiredService<MailTokenProviderFactory>().GetProvider("shared-inbox").GetTokenAsync(new MailTokenRequest(MailProtocol.Imap));
        var everything = entry.Description + string.Join(";", entry.Data.Values) + _logs.AllText;
        Assert.DoesNotContain(token.Token, everything, StringComparison.Ordinal);
        Assert.DoesNotContain(WrongSecret, everything, StringComparison.Ordinal);
        Assert.DoesNotContain(TestIds.Secret, everything, StringComparison.Ordinal);
        Assert.Equal(1, _logs.Count(2005));
    }

    [Fact]
    public async Task CheckHealthAsync_FailureStatusDegraded_ReportsDegraded()
    {
        await using var services = Build(b => b.AddClientSecret("broken", o => Inbox(o, "Wr0ng~Secret.Value_1111111111111111111")), HealthStatus.Degraded);

        var report = await services.GetRequiredService<HealthCheckService>().CheckHealthAsync();

        Assert.Equal(HealthStatus.Degraded, report.Status);
    }

    [Fact]
    public async Task CheckHealthAsync_InteractiveBrowserNobodySignedIn_InteractionRequiredWithoutOpeningBrowser()
    {
        await using var services = Build(b => b.AddInteractiveBrowser("adele", o =>
        {
            o.ClientId = TestIds.PublicClientId;
            o.TenantId = TestIds.Tenant;
            o.PersistTokenCache = false;
        }));

        var report = await services.GetRequiredService<HealthCheckService>().CheckHealthAsync();

        var entry = report.Entries["modernauth-mail"];
        Assert.Equal(HealthStatus.Unhealthy, entry.Status);
        Assert.Equal(MailErrorCodes.InteractionRequired, entry.Data["adele"]);
        Assert.Equal(0, _entra.RequestCount);
    }

    [Fact]
    public async Task CheckHealthAsync_DeviceCodeNobodySignedIn_InteractionRequiredWithoutStartingSignIn()
    {
        var callbacks = 0;
        await using var services = Build(b => b.AddDeviceCode("adele", o =>
        {
            o.ClientId = TestIds.PublicClientId;
            o.TenantId = TestIds.Tenant;
            o.PersistTokenCache = false;
            o.DeviceCodeCallback = (_, _) =>
            {
                Interlocked.Increment(ref callbacks);
                return Task.CompletedTask;
            };
        }));

        var report = await services.GetRequiredService<HealthCheckService>().CheckHealthAsync();

        var entry = report.Entries["modernauth-mail"];
        Assert.Equal(HealthStatus.Unhealthy, entry.Status);
        Assert.Equal(MailErrorCodes.InteractionRequired, entry.Data["adele"]);
        Assert.Equal(0, callbacks);
        Assert.Equal(0, _entra.RequestCount);
    }

    [Fact]
    public async Task CheckHealthAsync_InvalidSettings_InvalidConfigurationWithoutThrowing()
    {
        await using var services = Build(b => b.AddClientSecret("shared-inbox", o => o.ClientId = TestIds.ClientId));

        var report = await services.GetRequiredService<HealthCheckService>().CheckHealthAsync();

        Assert.Equal(MailErrorCodes.InvalidConfiguration, report.Entries["modernauth-mail"].Data["shared-inbox"]);
    }
}
