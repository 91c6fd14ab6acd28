using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace ModernAuth.Mail.Extensions.Tests.Support;

/// <summary>Builds a host from appsettings-style keys and returns what its start-up validation says.</summary>
public static class StartupErrors
{
    public static async Task<string> OfAsync(IDictionary<string, string?> settings, Action<ModernAuthMailBuilder>? more = null)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(settings);
        var mail = builder.Services.AddModernAuthMail().AddFromConfiguration(builder.Configuration.GetSection("ModernAuthMail"));
        more?.Invoke(mail);
        using var host = builder.Build();
        var error = await Record.ExceptionAsync(() => host.StartAsync());
        if (error is null)
        {
            await host.StopAsync();
            return string.Empty;
        }

        return error is AggregateException aggregate ? string.Join("\n", aggregate.Flatten().InnerExceptions.Select(e => e.Message)) : error.Message;
    }

    /// <summary>A valid client secret provider named shared-inbox, to break one key at a time.</summary>
    public static Dictionary<string, string?> ValidClientSecret() => new()
    {
        ["ModernAuthMail:Providers:shared-inbox:Flow"] = "ClientSecret",
        ["ModernAuthMail:Providers:shared-inbox:TenantId"] = TestIds.Tenant,
        ["ModernAuthMail:Providers:shared-inbox:ClientId"] = TestIds.ClientId,
        ["ModernAuthMail:Providers:shared-inbox:ClientSecret"] = TestIds.Secret,
        ["ModernAuthMail:Providers:shared-inbox:Mailbox"] = TestIds.Mailbox,
    };
}
