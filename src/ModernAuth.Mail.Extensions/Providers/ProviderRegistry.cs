using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace ModernAuth.Mail.Extensions.Internal;

/// <summary>
/// What the builder registered, shared by every <c>AddModernAuthMail()</c> call on one service collection: the
/// provider names, and where each came from so validation messages can name the exact configuration key.
/// </summary>
internal sealed class ProviderRegistry
{
    private readonly object _lock = new();
    private readonly List<string> _names = new();
    private readonly Dictionary<string, IConfigurationSection> _sections = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, Func<IServiceProvider, MailTokenProvider>> _custom = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>The configuration path of the root section (for example <c>ModernAuthMail</c>), when bound from configuration.</summary>
    public string? RootPath { get; private set; }

    /// <summary>The <c>TokenCache</c> section, when bound from configuration.</summary>
    public string? TokenCachePath { get; private set; }

    public IReadOnlyList<string> Names
    {
        get
        {
            lock (_lock)
            {
                return _names.ToArray();
            }
        }
    }

    public static ProviderRegistry GetOrAdd(IServiceCollection services)
    {
        foreach (var descriptor in services)
        {
            if (descriptor.ServiceType == typeof(ProviderRegistry) && descriptor.ImplementationInstance is ProviderRegistry existing)
            {
                return existing;
            }
        }

        var registry = new ProviderRegistry();
        services.AddSingleton(registry);
        return registry;
    }

    public void Add(string name, IConfigurationSection? section = null, Func<IServiceProvider, MailTokenProvider>? custom = null)
    {
        lock (_lock)
        {
            if (!_names.Contains(name, StringComparer.OrdinalIgnoreCase))
            {
                _names.Add(name);
            }

            if (section is not null)
            {
                _sections[name] = section;
            }

            if (custom is not null)
            {
                _custom[name] = custom;
            }
        }
    }

    public void SetConfigurationRoot(string? rootPath, string tokenCachePath)
    {
        lock (_lock)
        {
            RootPath = rootPath;
            TokenCachePath = tokenCachePath;
        }
    }

    public bool Contains(string name)
    {
        lock (_lock)
        {
            return _names.Contains(name, StringComparer.OrdinalIgnoreCase);
        }
    }

    /// <summary>The registered spelling of <paramref name="name"/> (names compare case-insensitively).</summary>
    public string? Find(string name)
    {
        lock (_lock)
        {
            return _names.FirstOrDefault(n => string.Equals(n, name, StringComparison.OrdinalIgnoreCase));
        }
    }

    public IConfigurationSection? SectionOf(string name)
    {
        lock (_lock)
        {
            return _sections.TryGetValue(name, out var section) ? section : null;
        }
    }

    public Func<IServiceProvider, MailTokenProvider>? CustomFactoryOf(string name)
    {
        lock (_lock)
        {
            return _custom.TryGetValue(name, out var factory) ? factory : null;
        }
    }

    /// <summary>How a message names a provider setting: its configuration key, or the option and provider name for code.</summary>
    public string KeyOf(string name, string setting) =>
        SectionOf(name) is { } section ? section.Path + ":" + setting : $"{setting} of the ModernAuth.Mail provider '{name}'";
}
