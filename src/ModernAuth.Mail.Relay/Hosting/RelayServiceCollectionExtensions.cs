using System.Diagnostics.Metrics;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ModernAuth.Mail.Extensions;
using ModernAuth.Mail.Relay.Internal;

namespace ModernAuth.Mail.Relay;

/// <summary>Registers the relay in a generic host.</summary>
public static class RelayServiceCollectionExtensions
{
    /// <summary>
    /// Registers the relay, bound from a configuration section (usually <c>Relay</c>), as a hosted service. The
    /// configuration is checked when the host starts, and a wrong value fails the start with a message naming its key.
    /// Add <c>services.AddSystemd()</c> / <c>services.AddWindowsService()</c> to run as a service, or use <see cref="RelayHost"/>.
    /// </summary>
    /// <param name="services">The host's services.</param>
    /// <param name="configuration">The relay's configuration section.</param>
    /// <returns>A builder to add token providers made in code.</returns>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    public static RelayBuilder AddModernAuthMailRelay(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        var path = configuration is IConfigurationSection section ? section.Path : "Relay";
        services.AddOptions<RelayOptions>().Bind(configuration);
        return AddCore(services, path);
    }

    /// <summary>Registers the relay, configured in code, as a hosted service.</summary>
    /// <param name="services">The host's services.</param>
    /// <param name="configure">Sets the options.</param>
    /// <returns>A builder to add token providers made in code.</returns>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    public static RelayBuilder AddModernAuthMailRelay(this IServiceCollection services, Action<RelayOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);
        services.AddOptions<RelayOptions>().Configure(configure);
        return AddCore(services, "Relay");
    }

    private static RelayBuilder AddCore(IServiceCollection services, string path)
    {
        services.AddOptions<RelayOptions>().ValidateOnStart();
        services.AddSingleton<IValidateOptions<RelayOptions>>(sp => new RelayOptionsValidation(path, sp.GetService<MailTokenProviderFactory>()));
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(sp => new RelayServer(
            sp.GetRequiredService<IOptions<RelayOptions>>().Value,
            sp.GetService<ILoggerFactory>(),
            sp.GetService<TimeProvider>(),
            sp.GetService<IMeterFactory>(),
            sp.GetService<MailTokenProviderFactory>()));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, RelayHostedService>());
        return new RelayBuilder(services);
    }

    private sealed class RelayOptionsValidation : IValidateOptions<RelayOptions>
    {
        private readonly string _path;
        private readonly MailTokenProviderFactory? _providers;

        public RelayOptionsValidation(string path, MailTokenProviderFactory? providers)
        {
            _path = path;
            _providers = providers;
        }

        public ValidateOptionsResult Validate(string? name, RelayOptions options)
        {
            var errors = RelayOptionsValidator.Validate(options, _path, _providers);
            return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
        }
    }
}
