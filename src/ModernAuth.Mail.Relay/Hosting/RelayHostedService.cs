using Microsoft.Extensions.Hosting;

namespace ModernAuth.Mail.Relay;

/// <summary>Runs a <see cref="RelayServer"/> in a generic host; registered by <see cref="RelayServiceCollectionExtensions.AddModernAuthMailRelay(Microsoft.Extensions.DependencyInjection.IServiceCollection, Microsoft.Extensions.Configuration.IConfiguration)"/>.</summary>
public class RelayHostedService : IHostedService
{
    private readonly RelayServer _relay;

    /// <summary>Creates the service.</summary>
    /// <param name="relay">The relay to run.</param>
    /// <exception cref="ArgumentNullException"><paramref name="relay"/> is <see langword="null"/>.</exception>
    public RelayHostedService(RelayServer relay)
    {
        _relay = relay ?? throw new ArgumentNullException(nameof(relay));
    }

    /// <summary>Starts the relay; see <see cref="RelayServer.StartAsync"/>.</summary>
    /// <param name="cancellationToken">Cancels starting.</param>
    /// <returns>A task that completes when the relay listens.</returns>
    public virtual Task StartAsync(CancellationToken cancellationToken) => _relay.StartAsync(cancellationToken);

    /// <summary>Stops the relay; see <see cref="RelayServer.StopAsync"/>.</summary>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <returns>A task that completes when the relay has stopped.</returns>
    public virtual Task StopAsync(CancellationToken cancellationToken) => _relay.StopAsync(cancellationToken);
}
