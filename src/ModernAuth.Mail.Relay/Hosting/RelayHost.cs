using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using ModernAuth.Mail.Extensions;

namespace ModernAuth.Mail.Relay;

/// <summary>
/// The relay as a program: a generic host with the relay bound from the <c>Relay</c> section, that runs in the
/// foreground, as a systemd service (<c>Type=notify</c>) or as a Windows service, whichever starts it. What
/// <c>modernauth-mail relay</c> runs.
/// </summary>
/// <example>
/// <code>
/// await RelayHost.RunAsync(new RelayHostSettings { ConfigurationFile = "/etc/modernauth-mail/relay.json" });
/// </code>
/// </example>
public static class RelayHost
{
    /// <summary>The configuration section the relay is bound from: <c>Relay</c>.</summary>
    public const string SectionName = "Relay";

    /// <summary>The configuration section the token providers are bound from: <c>ModernAuthMail</c>, as in any app using <c>AddModernAuthMail()</c>.</summary>
    public const string ProvidersSectionName = "ModernAuthMail";

    /// <summary>
    /// Creates a host builder: configuration from <c>appsettings.json</c>, <see cref="RelayHostSettings.ConfigurationFile"/>,
    /// environment variables (<c>ModernAuthMail__Providers__contoso__ClientSecret</c>) and the command line; the token
    /// providers routes name from the <c>ModernAuthMail</c> section (as <c>AddModernAuthMail().AddFromConfiguration</c>
    /// reads it); the relay from the <c>Relay</c> section; systemd and Windows service integration (each a no-op when
    /// not run by that manager).
    /// </summary>
    /// <param name="settings">Where the configuration comes from; <see langword="null"/> for the defaults.</param>
    /// <returns>The builder, to add token providers or services before <c>Build()</c>.</returns>
    public static HostApplicationBuilder CreateBuilder(RelayHostSettings? settings = null)
    {
        settings ??= new RelayHostSettings();
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings
        {
            Args = settings.Args,
            ContentRootPath = AppContext.BaseDirectory,
        });
        if (!string.IsNullOrWhiteSpace(settings.ConfigurationFile))
        {
            builder.Configuration.AddJsonFile(Path.GetFullPath(settings.ConfigurationFile), optional: false, reloadOnChange: false);
            builder.Configuration.AddEnvironmentVariables();
            if (settings.Args is { Length: > 0 } args)
            {
                builder.Configuration.AddCommandLine(args);
            }
        }

        builder.Services.AddSystemd();
        builder.Services.AddWindowsService(options => options.ServiceName = settings.ServiceName);
        builder.Services.AddModernAuthMail().AddFromConfiguration(builder.Configuration.GetSection(ProvidersSectionName));
        builder.Services.AddModernAuthMailRelay(builder.Configuration.GetSection(SectionName));
        return builder;
    }

    /// <summary>Builds the host from <see cref="CreateBuilder"/> and runs it until stopped (Ctrl+C, SIGTERM, service stop).</summary>
    /// <param name="settings">Where the configuration comes from; <see langword="null"/> for the defaults.</param>
    /// <param name="cancellationToken">Stops the relay.</param>
    /// <returns>A task that completes when the relay has stopped.</returns>
    /// <exception cref="Microsoft.Extensions.Options.OptionsValidationException">The configuration is wrong; each failure names its key.</exception>
    /// <exception cref="FileNotFoundException">The configuration file does not exist.</exception>
    public static async Task RunAsync(RelayHostSettings? settings = null, CancellationToken cancellationToken = default)
    {
        using var host = CreateBuilder(settings).Build();
        await host.RunAsync(cancellationToken).ConfigureAwait(false);
    }
}
