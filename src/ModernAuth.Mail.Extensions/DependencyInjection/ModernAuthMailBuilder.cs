using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using ModernAuth.Mail.Caching;
using ModernAuth.Mail.Ews;
using ModernAuth.Mail.Extensions.Internal;

namespace ModernAuth.Mail.Extensions;

/// <summary>
/// Registers named token providers and the distributed token cache; returned by
/// <see cref="ModernAuthMailServiceCollectionExtensions.AddModernAuthMail"/>. Every named provider is a singleton,
/// created on first use, resolvable through <see cref="MailTokenProviderFactory"/>, as a keyed
/// <see cref="MailTokenProvider"/> service (the key is its name), and, for the default one, as the unnamed
/// <see cref="MailTokenProvider"/> service. Settings are validated when the host starts.
/// </summary>
public class ModernAuthMailBuilder
{
    private readonly ProviderRegistry? _registry;

    internal ModernAuthMailBuilder(IServiceCollection services)
    {
        Services = services;
        _registry = ProviderRegistry.GetOrAdd(services);
        services.AddOptions();
        services.TryAddSingleton<MailTokenProviderFactory, DefaultMailTokenProviderFactory>();
        services.TryAddSingleton<MailTokenProvider>(sp => sp.GetRequiredService<MailTokenProviderFactory>().GetDefaultProvider());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ModernAuthMailProviderOptions>, ProviderOptionsValidator>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ModernAuthMailOptions>, ModernAuthMailOptionsValidator>());
        services.AddOptions<ModernAuthMailOptions>().ValidateOnStart();
    }

    /// <summary>For mocking only.</summary>
    protected ModernAuthMailBuilder()
    {
        Services = new ServiceCollection();
    }

    /// <summary>The service collection the providers are registered in.</summary>
    public virtual IServiceCollection Services { get; }

    private ProviderRegistry Registry => _registry ?? throw new InvalidOperationException("This instance was made for mocking.");

    /// <summary>Registers an app-only provider with a client secret (<see cref="ClientSecretTokenProvider"/>).</summary>
    /// <param name="name">The provider's name (for example the mailbox or tenant it serves). Not empty, no <c>:</c>.</param>
    /// <param name="configure">Sets <see cref="MailTokenProviderSettings.TenantId"/>, <see cref="MailTokenProviderSettings.ClientId"/>, <see cref="MailTokenProviderSettings.ClientSecret"/> and any other setting.</param>
    /// <returns>This builder.</returns>
    /// <exception cref="ArgumentException"><paramref name="name"/> is empty or contains <c>:</c>.</exception>
    /// <exception cref="ArgumentNullException"><paramref name="configure"/> is <see langword="null"/>.</exception>
    public virtual ModernAuthMailBuilder AddClientSecret(string name, Action<ModernAuthMailProviderOptions> configure) =>
        Add(name, MailTokenFlow.ClientSecret, configure);

    /// <summary>Registers an app-only provider with a client certificate (<see cref="ClientCertificateTokenProvider"/>).</summary>
    /// <param name="name">The provider's name. Not empty, no <c>:</c>.</param>
    /// <param name="configure">Sets the tenant, client id and one certificate source (<see cref="MailTokenProviderSettings.CertificatePath"/>, <see cref="MailTokenProviderSettings.CertificateThumbprint"/> or <see cref="MailTokenProviderSettings.Certificate"/>).</param>
    /// <returns>This builder.</returns>
    /// <exception cref="ArgumentException"><paramref name="name"/> is empty or contains <c>:</c>.</exception>
    /// <exception cref="ArgumentNullException"><paramref name="configure"/> is <see langword="null"/>.</exception>
    public virtual ModernAuthMailBuilder AddClientCertificate(string name, Action<ModernAuthMailProviderOptions> configure) =>
        Add(name, MailTokenFlow.ClientCertificate, configure);

    /// <summary>Registers a delegated provider where a user signs in once with a device code (<see cref="DeviceCodeTokenProvider"/>).</summary>
    /// <param name="name">The provider's name. Not empty, no <c>:</c>.</param>
    /// <param name="configure">Sets the client id and any other setting.</param>
    /// <returns>This builder.</returns>
    /// <exception cref="ArgumentException"><paramref name="name"/> is empty or contains <c>:</c>.</exception>
    /// <exception cref="ArgumentNullException"><paramref name="configure"/> is <see langword="null"/>.</exception>
    public virtual ModernAuthMailBuilder AddDeviceCode(string name, Action<ModernAuthMailProviderOptions> configure) =>
        Add(name, MailTokenFlow.DeviceCode, configure);

    /// <summary>
    /// Registers a delegated provider where a user signs in once in the system browser (<see cref="InteractiveBrowserTokenProvider"/>):
    /// for desktop apps, and where Conditional Access blocks the device code flow.
    /// </summary>
    /// <param name="name">The provider's name. Not empty, no <c>:</c>.</param>
    /// <param name="configure">Sets the client id and any other setting (<see cref="MailTokenProviderSettings.RedirectUri"/>, <see cref="MailTokenProviderSettings.SignInTimeout"/>, ...).</param>
    /// <returns>This builder.</returns>
    /// <exception cref="ArgumentException"><paramref name="name"/> is empty or contains <c>:</c>.</exception>
    /// <exception cref="ArgumentNullException"><paramref name="configure"/> is <see langword="null"/>.</exception>
    public virtual ModernAuthMailBuilder AddInteractiveBrowser(string name, Action<ModernAuthMailProviderOptions> configure) =>
        Add(name, MailTokenFlow.InteractiveBrowser, configure);

    /// <summary>
    /// Registers an app-only provider that uses the managed identity of the Azure resource the app runs on
    /// (<see cref="ManagedIdentityTokenProvider"/>): no secret or certificate.
    /// </summary>
    /// <param name="name">The provider's name. Not empty, no <c>:</c>.</param>
    /// <param name="configure">
    /// Sets <see cref="MailTokenProviderSettings.ManagedIdentityClientId"/> or
    /// <see cref="MailTokenProviderSettings.ManagedIdentityResourceId"/> for a user-assigned identity (neither: the
    /// system-assigned one), the mailbox and any other setting.
    /// </param>
    /// <returns>This builder.</returns>
    /// <exception cref="ArgumentException"><paramref name="name"/> is empty or contains <c>:</c>.</exception>
    /// <exception cref="ArgumentNullException"><paramref name="configure"/> is <see langword="null"/>.</exception>
    public virtual ModernAuthMailBuilder AddManagedIdentity(string name, Action<ModernAuthMailProviderOptions> configure) =>
        Add(name, MailTokenFlow.ManagedIdentity, configure);

    /// <summary>
    /// Registers an app-only provider with workload identity federation (<see cref="WorkloadIdentityTokenProvider"/>):
    /// the federated token from <see cref="MailTokenProviderSettings.FederatedTokenFile"/> (default
    /// <c>AZURE_FEDERATED_TOKEN_FILE</c>) or <see cref="MailTokenProviderSettings.FederatedTokenCallback"/>.
    /// </summary>
    /// <param name="name">The provider's name. Not empty, no <c>:</c>.</param>
    /// <param name="configure">Sets the tenant and client id (default <c>AZURE_TENANT_ID</c>, <c>AZURE_CLIENT_ID</c>), the token source and any other setting.</param>
    /// <returns>This builder.</returns>
    /// <exception cref="ArgumentException"><paramref name="name"/> is empty or contains <c>:</c>.</exception>
    /// <exception cref="ArgumentNullException"><paramref name="configure"/> is <see langword="null"/>.</exception>
    public virtual ModernAuthMailBuilder AddWorkloadIdentity(string name, Action<ModernAuthMailProviderOptions> configure) =>
        Add(name, MailTokenFlow.WorkloadIdentity, configure);

    /// <summary>Registers a provider of your own (any <see cref="MailTokenProvider"/>) under a name, for example a test double.</summary>
    /// <param name="name">The provider's name. Not empty, no <c>:</c>.</param>
    /// <param name="factory">Creates the provider, once, on first use.</param>
    /// <returns>This builder.</returns>
    /// <exception cref="ArgumentException"><paramref name="name"/> is empty or contains <c>:</c>.</exception>
    /// <exception cref="ArgumentNullException"><paramref name="factory"/> is <see langword="null"/>.</exception>
    public virtual ModernAuthMailBuilder AddProvider(string name, Func<IServiceProvider, MailTokenProvider> factory)
    {
        if (factory is null)
        {
            throw new ArgumentNullException(nameof(factory));
        }

        Register(CheckName(name), section: null, factory);
        return this;
    }

    /// <summary>
    /// Registers every provider under <c>Providers</c> of <paramref name="configuration"/> (usually
    /// <c>configuration.GetSection("ModernAuthMail")</c>), and binds <c>DefaultProvider</c> and the <c>TokenCache</c>
    /// section. The provider names are read now; their settings are bound when first needed and validated when the
    /// host starts, with messages naming the exact key. Environment variables work through the usual <c>__</c>
    /// mapping (<c>ModernAuthMail__Providers__shared-inbox__ClientSecret</c>). See docs/hosting.md for the schema.
    /// </summary>
    /// <param name="configuration">The <c>ModernAuthMail</c> section.</param>
    /// <returns>This builder.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="configuration"/> is <see langword="null"/>.</exception>
    public virtual ModernAuthMailBuilder AddFromConfiguration(IConfiguration configuration)
    {
        if (configuration is null)
        {
            throw new ArgumentNullException(nameof(configuration));
        }

        var tokenCache = configuration.GetSection("TokenCache");
        Registry.SetConfigurationRoot((configuration as IConfigurationSection)?.Path, tokenCache.Path);
        Services.AddOptions<ModernAuthMailOptions>().Bind(configuration);
        Services.AddOptions<DistributedTokenCacheOptions>().Bind(tokenCache);
        foreach (var provider in configuration.GetSection("Providers").GetChildren())
        {
            Register(provider.Key, provider, custom: null);
            Services.AddOptions<ModernAuthMailProviderOptions>(provider.Key).Bind(provider);
        }

        return this;
    }

    /// <summary>
    /// Keeps every provider's MSAL token cache in the registered <see cref="IDistributedCache"/> (for example Redis
    /// through <c>AddStackExchangeRedisCache</c>), so instances of the application share tokens: a token one instance
    /// got is used by the others with no request to Entra ID. Entries are partitioned per application and tenant,
    /// encrypted with <see cref="DistributedTokenCacheOptions.EncryptionKey"/> (required), and a cache that cannot be
    /// reached never fails a token request: tokens come from memory meanwhile (logged once) and the cache is used again
    /// when it is back. Providers can opt out with <see cref="ModernAuthMailProviderOptions.UseDistributedTokenCache"/>.
    /// </summary>
    /// <param name="configure">Sets the options (after the <c>TokenCache</c> section bound by <see cref="AddFromConfiguration"/>); <see langword="null"/> to use configuration only.</param>
    /// <returns>This builder.</returns>
    public virtual ModernAuthMailBuilder AddDistributedTokenCache(Action<DistributedTokenCacheOptions>? configure = null)
    {
        var options = Services.AddOptions<DistributedTokenCacheOptions>();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        options.ValidateOnStart();
        Services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<DistributedTokenCacheOptions>, DistributedTokenCacheOptionsValidator>());
        Services.TryAddSingleton<MailTokenCacheStore>(sp => new DistributedMailTokenCacheStore(
            sp.GetRequiredService<IDistributedCache>(),
            sp.GetRequiredService<IOptions<DistributedTokenCacheOptions>>().Value,
            sp.GetService<TimeProvider>() ?? TimeProvider.System,
            (sp.GetService<ILoggerFactory>() ?? NullLoggerFactory.Instance).CreateLogger("ModernAuth.Mail.Extensions.DistributedTokenCache")));
        return this;
    }

    /// <summary>
    /// Registers an EWS client through <c>IHttpClientFactory</c>: a named <see cref="HttpClient"/> whose pipeline
    /// authenticates every request with an <see cref="EwsAuthenticationHandler"/> (bearer token from the named provider,
    /// <c>X-AnchorMailbox</c>, impersonation for app-only providers, one refresh on 401, throttling waits), logging
    /// through the host's <see cref="ILoggerFactory"/>, with <see cref="HttpClient.BaseAddress"/> set to the EWS endpoint
    /// (<see cref="EwsClientOptions.Endpoint"/>, else the cloud's: by default the provider's <c>Cloud</c>). Resolve a
    /// typed client with <see cref="EwsClientFactory.CreateClient"/>, or the raw <see cref="HttpClient"/> with
    /// <c>IHttpClientFactory.CreateClient(name)</c>. The settings are checked when the host starts (and when the client is
    /// first created): a missing mailbox, an unknown provider or a cloud without EWS (personal accounts) fails with a
    /// message naming the client and the problem.
    /// </summary>
    /// <param name="name">The client's name: that of the <see cref="HttpClient"/> and of <see cref="EwsClientFactory.CreateClient"/>. Not empty, used once.</param>
    /// <param name="mailbox">The SMTP address of the mailbox the client opens (sent as <c>X-AnchorMailbox</c>).</param>
    /// <param name="providerName">The token provider; <see langword="null"/> for the default provider.</param>
    /// <param name="configure">Sets the client's options (endpoint, cloud, retries, impersonation, timeout); <see langword="null"/> for the defaults. <see cref="EwsClientOptions.Transport"/> is not used: call <c>ConfigurePrimaryHttpMessageHandler</c> on the returned builder instead.</param>
    /// <returns>The <see cref="IHttpClientBuilder"/> of the named client, to add a primary handler (proxy), resilience handlers and so on.</returns>
    /// <exception cref="ArgumentException"><paramref name="name"/> is empty or already registered as an EWS client.</exception>
    public virtual IHttpClientBuilder AddEwsClient(string name, string mailbox, string? providerName = null, Action<EwsClientOptions>? configure = null)
    {
        if (string.IsNullOrWhiteSpace(name))
        {
            throw new ArgumentException("The EWS client name is empty.", nameof(name));
        }

        var clients = EwsClientRegistry.GetOrAdd(Services);
        if (!clients.TryAdd(new EwsClientRegistry.Registration(name, mailbox, providerName)))
        {
            throw new ArgumentException($"An EWS client named '{name}' is already registered.", nameof(name));
        }

        Services.TryAddSingleton<EwsClientFactory, DefaultEwsClientFactory>();
        Services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<EwsClientOptions>, EwsClientOptionsValidator>());
        var options = Services.AddOptions<EwsClientOptions>(name);

        // Defaults from the host first, so that configure can override them. The cloud defaults to the provider's.
        options.Configure<IServiceProvider>((o, sp) =>
        {
            o.LoggerFactory = sp.GetService<ILoggerFactory>();
            o.TimeProvider = sp.GetService<TimeProvider>() ?? TimeProvider.System;
        });
        if (configure is not null)
        {
            options.Configure(configure);
        }

        // Built-in providers say whether they are app-only: the typed client then writes the impersonation header itself.
        options.PostConfigure<IServiceProvider>((o, sp) =>
        {
            o.UseImpersonation ??= MailTokenProviderSettings.IsAppOnlyFlow(ProviderSettings(sp, name)?.Flow);
        });
        options.ValidateOnStart();

        return Services
            .AddHttpClient(name, (sp, http) =>
            {
                var o = sp.GetRequiredService<IOptionsMonitor<EwsClientOptions>>().Get(name);
                http.BaseAddress = o.Endpoint ?? (o.Cloud ?? ProviderOf(sp, providerName).Cloud).Ews;
                http.Timeout = o.Timeout;
            })
            .AddHttpMessageHandler(sp =>
            {
                var o = sp.GetRequiredService<IOptionsMonitor<EwsClientOptions>>().Get(name);
                return new EwsAuthenticationHandler(ProviderOf(sp, providerName), mailbox, o);
            });
    }

    /// <summary>The settings of the registered provider an EWS client uses; <see langword="null"/> when there is none or it is a custom one.</summary>
    private static MailTokenProvider ProviderOf(IServiceProvider services, string? providerName)
    {
        var factory = services.GetRequiredService<MailTokenProviderFactory>();
        return providerName is null ? factory.GetDefaultProvider() : factory.GetProvider(providerName);
    }

    private static ModernAuthMailProviderOptions? ProviderSettings(IServiceProvider services, string client)
    {
        var registration = services.GetRequiredService<EwsClientRegistry>().Find(client);
        var providers = services.GetRequiredService<ProviderRegistry>();
        var name = registration is null ? null : EwsClientRegistry.ProviderOf(registration, providers, services.GetRequiredService<IOptionsMonitor<ModernAuthMailOptions>>().CurrentValue);
        return name is null || providers.CustomFactoryOf(name) is not null
            ? null
            : services.GetRequiredService<IOptionsMonitor<ModernAuthMailProviderOptions>>().Get(name);
    }

    private static string CheckName(string name)
    {
        if (string.IsNullOrWhiteSpace(name))
        {
            throw new ArgumentException("The provider name is empty.", nameof(name));
        }

        if (name.IndexOf(':') >= 0)
        {
            throw new ArgumentException($"The provider name '{name}' contains ':', the configuration key separator.", nameof(name));
        }

        return name;
    }

    private ModernAuthMailBuilder Add(string name, MailTokenFlow flow, Action<ModernAuthMailProviderOptions> configure)
    {
        CheckName(name);
        if (configure is null)
        {
            throw new ArgumentNullException(nameof(configure));
        }

        Register(name, section: null, custom: null);
        Services.AddOptions<ModernAuthMailProviderOptions>(name).Configure(options =>
        {
            options.Flow = flow;
            configure(options);
        });
        return this;
    }

    private void Register(string name, IConfigurationSection? section, Func<IServiceProvider, MailTokenProvider>? custom)
    {
        Registry.Add(name, section, custom);
        Services.AddOptions<ModernAuthMailProviderOptions>(name).ValidateOnStart();
        Services.TryAddKeyedSingleton<MailTokenProvider>(name, static (sp, key) => sp.GetRequiredService<MailTokenProviderFactory>().GetProvider((string)key!));
    }
}
