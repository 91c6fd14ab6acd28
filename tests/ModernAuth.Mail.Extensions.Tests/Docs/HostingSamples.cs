using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using ModernAuth.Mail.Ews;
using ModernAuth.Mail.Testing;

namespace ModernAuth.Mail.Extensions.Tests.Docs;

/// <summary>The code of docs/hosting.md, compiled and run by <see cref="HostingSamplesTests"/>.</summary>
public static class HostingSamples
{
    /// <summary>Program.cs of a worker that reads and sends mail.</summary>
    public static IHost BuildHost(string[] args, Action<IServiceCollection>? testHooks = null)
    {
        var builder = Host.CreateApplicationBuilder(args);
        builder.Services.AddStackExchangeRedisCache(o => o.Configuration = builder.Configuration["Redis"]);
        builder.Services.AddModernAuthMail()
            .AddFromConfiguration(builder.Configuration.GetSection("ModernAuthMail"))
            .AddDistributedTokenCache();
        builder.Services.AddHealthChecks().AddModernAuthMail();
        testHooks?.Invoke(builder.Services);
        return builder.Build();
    }

    public static void RegisterInCode(IServiceCollection services, string secretFromVault, string federatedTokenFile)
    {
        services.AddModernAuthMail()
            .AddClientSecret("shared-inbox", o =>
            {
                o.TenantId = "contoso.onmicrosoft.com";
                o.ClientId = "6a3f1c52-0e1b-4a7e-9d51-5c8f0b0e7a11";
                o.ClientSecret = secretFromVault;
                o.Mailbox = "shared@contoso.com";
            })
            .AddClientCertificate("scanner", o =>
            {
                o.TenantId = "contoso.onmicrosoft.com";
                o.ClientId = "9d8c7b6a-5f4e-4d3c-8b2a-1f0e9d8c7b6a";
                o.CertificateThumbprint = "1F2E3D4C5B6A79881726354413F2E1D0C9B8A796";
                o.Mailbox = "scanner@contoso.com";
            })
            .AddManagedIdentity("in-azure", o =>
            {
                // A user-assigned identity; leave it out for the system-assigned one.
                o.ManagedIdentityClientId = "2b1c0d9e-8f7a-4b6c-9d5e-4f3a2b1c0d9e";
                o.Mailbox = "reports@contoso.com";
            })
            .AddWorkloadIdentity("in-kubernetes", o =>
            {
                // Each of these three defaults to AZURE_TENANT_ID, AZURE_CLIENT_ID and AZURE_FEDERATED_TOKEN_FILE.
                o.TenantId = "contoso.onmicrosoft.com";
                o.ClientId = "7e6d5c4b-3a29-4180-9f7e-6d5c4b3a2918";
                o.FederatedTokenFile = federatedTokenFile;
                o.Mailbox = "reports@contoso.com";
            })
            .AddDeviceCode("adele", o =>
            {
                o.ClientId = "3c2b1a09-8f7e-4d6c-b5a4-938271605f4e";
                o.DisableInteractiveSignIn = true;
            })
            .AddInteractiveBrowser("desktop", o =>
            {
                o.ClientId = "3c2b1a09-8f7e-4d6c-b5a4-938271605f4e";
                o.Username = "adele@contoso.com";
            });
    }

    /// <summary>Program.cs of a worker that reads the shared inbox over EWS through IHttpClientFactory.</summary>
    public static IHost BuildEwsHost(string[] args, Action<IServiceCollection>? testHooks = null)
    {
        var builder = Host.CreateApplicationBuilder(args);
        builder.Services.AddModernAuthMail()
            .AddFromConfiguration(builder.Configuration.GetSection("ModernAuthMail"))
            .AddEwsClient("shared-inbox-ews", "shared@contoso.com", providerName: "shared-inbox", o => o.MaxRetries = 5);
        testHooks?.Invoke(builder.Services);
        return builder.Build();
    }

    public static void UseFakeEntraIdInTests(IServiceCollection services, FakeEntraId entra)
    {
        services.PostConfigureAll<ModernAuthMailProviderOptions>(o => o.ConfigureFlowOptions = f => f.UseFakeEntraId(entra));
    }

    public static async Task<HealthReport> CheckAsync(IHost host)
    {
        var report = await host.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync();
        return report;
    }
}

/// <summary>Reads the shared inbox: resolves its provider by name.</summary>
public sealed class InboxReader(MailTokenProviderFactory providers)
{
    public async Task<MailAccessToken> GetTokenAsync(CancellationToken cancellationToken)
    {
        var provider = providers.GetProvider("shared-inbox");
        var mailbox = providers.GetProviderOptions("shared-inbox").Mailbox;
        return await provider.GetTokenAsync(new MailTokenRequest(MailProtocol.Imap, mailbox), cancellationToken);
    }
}

/// <summary>Sends what the scanner scanned: its provider is injected by key.</summary>
public sealed class ScanSender([FromKeyedServices("scanner")] MailTokenProvider provider)
{
    public ValueTask<MailAccessToken> GetTokenAsync(CancellationToken cancellationToken) =>
        provider.GetTokenAsync(new MailTokenRequest(MailProtocol.Smtp, "scanner@contoso.com"), cancellationToken);
}

/// <summary>Counts the shared inbox over EWS: the typed client comes from <see cref="EwsClientFactory"/>.</summary>
public sealed class InboxCounter(EwsClientFactory ewsClients)
{
    public async Task<int?> CountAsync(CancellationToken cancellationToken)
    {
        using var ews = ewsClients.CreateClient("shared-inbox-ews");
        var inbox = await ews.GetFolderAsync(EwsFolderId.Inbox, cancellationToken);
        return inbox.TotalCount;
    }
}
