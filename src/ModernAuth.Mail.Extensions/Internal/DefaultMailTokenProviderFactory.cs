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
            0 => throw new InvalidOperationException("No ModernAuth.Mail provider is registered: register one with AddClientSecret, AddClientCertificate or AddDeviceCode, or bind them with AddFromConfiguration."),
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
        var cloud = MailCloud.Global;
        if (settings.Cloud is { Length: > 0 } cloudName)
        {
            MailCloud.TryGetWellKnown(cloudName, out cloud);
        }

        TOptions Common<TOptions>(TOptions options)
            where TOptions : MailTokenProviderOptions
        {
            options.Cloud = cloud;
            options.AuthorityHost = settings.AuthorityHost;
            options.DisableInstanceDiscovery = settings.DisableInstanceDiscovery;
            if (settings.NetworkTimeout is { } timeout)
            {
                options.NetworkTimeout = timeout;
            }

            if (settings.RefreshMargin is { } margin)
            {
                options.RefreshMargin = margin;
            }

            options.TimeProvider = _services.GetService<TimeProvider>() ?? TimeProvider.System;
            options.LoggerFactory = loggerFactory;
            options.TokenCacheStore = store;
            settings.ConfigureFlowOptions?.Invoke(options);
            return options;
        }

        MailTokenProvider provider = settings.Flow switch
        {
            MailTokenFlow.ClientSecret => new ClientSecretTokenProvider(settings.TenantId!, settings.ClientId!, settings.ClientSecret!, Common(new ClientSecretTokenProviderOptions())),
            MailTokenFlow.ClientCertificate => new ClientCertificateTokenProvider(settings.TenantId!, settings.ClientId!, CertificateSource(settings),
                Common(new ClientCertificateTokenProviderOptions { SendCertificateChain = settings.SendCertificateChain })),
            MailTokenFlow.DeviceCode => new DeviceCodeTokenProvider(settings.ClientId!, Common(new DeviceCodeTokenProviderOptions
            {
                TenantId = settings.TenantId,
                TokenCachePath = settings.TokenCachePath,
                PersistTokenCache = settings.PersistTokenCache,
                AllowUnencryptedTokenCache = settings.AllowUnencryptedTokenCache,
                DisableInteractiveSignIn = settings.DisableInteractiveSignIn,
                Username = settings.Username,
                DeviceCodeCallback = settings.DeviceCodeCallback,
            })),
            _ => throw new InvalidOperationException($"{_registry.KeyOf(name, "Flow")} is missing."),
        };

        Log.ProviderCreated(loggerFactory.CreateLogger("ModernAuth.Mail.Extensions.MailTokenProviderFactory"), name, settings.Flow.ToString()!,
            settings.TenantId ?? "(default)", settings.ClientId!, cloud.Name, store is not null);
        return provider;
    }

    private static ClientCertificateSource CertificateSource(ModernAuthMailProviderOptions settings)
    {
        if (settings.Certificate is { } certificate)
        {
            return ClientCertificateSource.FromCertificate(certificate);
        }

        if (!string.IsNullOrWhiteSpace(settings.CertificateThumbprint))
        {
            return ClientCertificateSource.FromStore(settings.CertificateThumbprint!, settings.CertificateStoreLocation, settings.CertificateStoreName);
        }

        var path = settings.CertificatePath!;
        var extension = Path.GetExtension(path);
        return string.Equals(extension, ".pfx", StringComparison.OrdinalIgnoreCase) || string.Equals(extension, ".p12", StringComparison.OrdinalIgnoreCase)
            ? ClientCertificateSource.FromPfxFile(path, settings.CertificatePassword)
            : ClientCertificateSource.FromPemFiles(path, settings.CertificateKeyPath);
    }
}
