using Microsoft.Extensions.DependencyInjection;
using ModernAuth.Mail.Extensions;

namespace ModernAuth.Mail.Relay;

/// <summary>Configures the relay registered by <c>AddModernAuthMailRelay</c>.</summary>
public class RelayBuilder
{
    /// <summary>Creates a builder over a service collection.</summary>
    /// <param name="services">The services the relay is registered in.</param>
    /// <exception cref="ArgumentNullException"><paramref name="services"/> is <see langword="null"/>.</exception>
    public RelayBuilder(IServiceCollection services)
    {
        Services = services ?? throw new ArgumentNullException(nameof(services));
    }

    /// <summary>The services the relay is registered in.</summary>
    public virtual IServiceCollection Services { get; }

    /// <summary>
    /// Adds a token provider made in code under a name routes can give (<see cref="RelayRouteOptions.Provider"/>): it is
    /// registered with <c>AddModernAuthMail().AddProvider</c>, like any provider of the app.
    /// </summary>
    /// <param name="name">The provider name.</param>
    /// <param name="provider">The provider.</param>
    /// <returns>This builder.</returns>
    /// <exception cref="ArgumentException"><paramref name="name"/> is empty.</exception>
    /// <exception cref="ArgumentNullException"><paramref name="provider"/> is <see langword="null"/>.</exception>
    public virtual RelayBuilder AddTokenProvider(string name, MailTokenProvider provider)
    {
        if (string.IsNullOrWhiteSpace(name))
        {
            throw new ArgumentException("A provider name is required.", nameof(name));
        }

        ArgumentNullException.ThrowIfNull(provider);
        // Registered like every provider of the app, so routes, health checks and other services find it by its name.
        Services.AddModernAuthMail().AddProvider(name, _ => provider);
        return this;
    }

    /// <summary>Changes the options after they are bound from configuration.</summary>
    /// <param name="configure">The change.</param>
    /// <returns>This builder.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="configure"/> is <see langword="null"/>.</exception>
    public virtual RelayBuilder Configure(Action<RelayOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        Services.Configure(configure);
        return this;
    }
}
