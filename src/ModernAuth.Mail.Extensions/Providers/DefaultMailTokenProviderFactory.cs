using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using ModernAuth.Mail.Caching;

namespace ModernAuth.Mail.Extensions.Internal;

/// <summary>
/// Builds each named provider once, on first use, from its validated settings, with the host's logger factory,
/// clock and (when added) the distributed token cache.
/// </summary>
internal sealed class DefaultMailTokenProviderFactory : MailTokenProviderFactory
{
    private readonly IServiceProvider _services;
    private readonly ProviderRegistry _registry;
    private readonly IOptionsMonitor<ModernAuthMailProviderOptions> _providerOptions;
    private readonly IOptionsMonitor<ModernAuthMailOptions> _options;
    private readonly ConcurrentDictionary<string, Lazy<MailTokenProvider>> _providers = new(StringComparer.OrdinalIgnoreCase);

    public DefaultMailTokenProviderFactory(IServiceProvider services, ProviderRegistry registry,
        IOptionsMonitor<ModernAuthMailProviderOptions> providerOptions, IOptionsMonitor<ModernAuthMailOptions> options)
    {
        _services = services;
        _registry = registry;
        _providerOptions = providerOptions;
        _options = options;
    }

    public override IReadOnlyList<string> ProviderNames => _registry.Names;

    public override MailTokenProvider GetProvider(string name)
    {
        var registered = Resolve(name);
        var lazy = _providers.GetOrAdd(registered, n => new Lazy<MailTokenProvider>(() => Create(n), LazyThreadSafetyMode.ExecutionAndPublication));
        try
        {
            return lazy.Value;
        }
        catch
        {
            // Do not remember a failure: the next call reports it again (and succeeds once the cause is fixed).
            ((ICollection<KeyValuePair<string, Lazy<MailTokenProvider>>>)_providers).Remove(new KeyValuePair<string, Lazy<MailTokenProvider>>(registered, lazy));
            throw;
        }
    }

    public override MailTokenProvider GetDefaultProvider() => GetProvider(DefaultName());

    public override ModernAuthMailProviderOptions GetProviderOptions(string name) => _providerOptions.Get(Resolve(name));

    private string DefaultName()
    {
        var names = _registry.Names;
        if (_options.CurrentValue.DefaultProvider is { Length: > 0 } wanted)
        {
            return wanted;
        }

        var root = _registry.RootPath is { } path ? path + ":DefaultProvider" : "ModernAuthMailOptions.DefaultProvider";
        return names.Count switch
        {
            1 => names[0],
            0 => throw new InvalidOperationException("No ModernAuth.Mail provider is registered: register one with AddClientSecret, AddClientCertificate, AddManagedIdentity, AddWorkloadIdentity, AddDeviceCode or AddInteractiveBrowser, or bind them with AddFromConfiguration."),
            _ => throw new InvalidOperationException(
                $"{names.Count} ModernAuth.Mail providers are registered ({ProviderOptionsValidator.Describe(names)}), so the unnamed MailTokenProvider is ambiguous: set {root} to one of them, or resolve them by name with MailTokenProviderFactory.GetProvider."),
        };
    }

    private string Resolve(string name)
    {
        if (string.IsNullOrWhiteSpace(name))
        {
            throw new ArgumentException("The provider name is empty.", nameof(name));
        }

        return _registry.Find(name) ?? throw new InvalidOperationException(
            $"No ModernAuth.Mail provider is named '{name}'. Registered: {(_registry.Names.Count == 0 ? "none" : ProviderOptionsValidator.Describe(_registry.Names))}.");
    }

    private MailTokenProvider Create(string name)
    {
        if (_registry.CustomFactoryOf(name) is { } custom)
        {
            return custom(_services);
        }

        var settings = _providerOptions.Get(name); // validates: OptionsValidationException names each bad key
        var loggerFactory = _services.GetService<ILoggerFactory>() ?? NullLoggerFactory.Instance;
        var store = settings.UseDistributedTokenCache ? _services.GetService<MailTokenCacheStore>() : null;
        MailTokenProvider provider;
        try
        {
            provider = settings.CreateProvider(options =>
            {
                options.TimeProvider = _services.GetService<TimeProvider>() ?? TimeProvider.System;
                options.LoggerFactory = loggerFactory;
                options.TokenCacheStore = store;
                settings.ConfigureFlowOptions?.Invoke(options);
            });
        }
        catch (MailSettingsException error)
        {
            // A file the settings name could not be read: report it like any other invalid setting, by its key.
            throw new OptionsValidationException(name, typeof(ModernAuthMailProviderOptions), error.Failures.Select(f => f.Format(setting => _registry.KeyOf(name, setting))));
        }

        Log.ProviderCreated(loggerFactory.CreateLogger("ModernAuth.Mail.Extensions.MailTokenProviderFactory"), name, settings.Flow.ToString()!,
            settings.TenantId ?? "(default)", settings.ClientId!, provider.Cloud.Name, store is not null);
        return provider;
    }
}
