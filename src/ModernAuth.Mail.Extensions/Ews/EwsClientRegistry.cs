using Microsoft.Extensions.DependencyInjection;

namespace ModernAuth.Mail.Extensions.Internal;

/// <summary>The EWS clients registered with <see cref="ModernAuthMailBuilder.AddEwsClient"/>: mailbox and provider per name.</summary>
internal sealed class EwsClientRegistry
{
    private readonly object _lock = new();
    private readonly List<Registration> _clients = new();

    public IReadOnlyList<string> Names
    {
        get
        {
            lock (_lock)
            {
                return _clients.Select(c => c.Name).ToArray();
            }
        }
    }

    public static EwsClientRegistry GetOrAdd(IServiceCollection services)
    {
        foreach (var descriptor in services)
        {
            if (descriptor.ServiceType == typeof(EwsClientRegistry) && descriptor.ImplementationInstance is EwsClientRegistry existing)
            {
                return existing;
            }
        }

        var registry = new EwsClientRegistry();
        services.AddSingleton(registry);
        return registry;
    }

    /// <summary>Adds a client; <see langword="false"/> when the name is taken.</summary>
    public bool TryAdd(Registration registration)
    {
        lock (_lock)
        {
            if (_clients.Any(c => string.Equals(c.Name, registration.Name, StringComparison.OrdinalIgnoreCase)))
            {
                return false;
            }

            _clients.Add(registration);
            return true;
        }
    }

    public Registration? Find(string? name)
    {
        lock (_lock)
        {
            return _clients.FirstOrDefault(c => string.Equals(c.Name, name, StringComparison.OrdinalIgnoreCase));
        }
    }

    /// <summary>The registered provider the client uses: its own, else the default one; <see langword="null"/> when there is none.</summary>
    public static string? ProviderOf(Registration client, ProviderRegistry providers, ModernAuthMailOptions options)
    {
        if (client.ProviderName is { } named)
        {
            return providers.Find(named);
        }

        if (options.DefaultProvider is { Length: > 0 } wanted)
        {
            return providers.Find(wanted);
        }

        var names = providers.Names;
        return names.Count == 1 ? names[0] : null;
    }

    internal sealed class Registration
    {
        public Registration(string name, string mailbox, string? providerName)
        {
            Name = name;
            Mailbox = mailbox;
            ProviderName = providerName;
        }

        public string Name { get; }

        public string Mailbox { get; }

        public string? ProviderName { get; }
    }
}
