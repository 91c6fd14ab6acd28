using System.Globalization;
using System.Reflection;
using Microsoft.Extensions.Options;

namespace ModernAuth.Mail.Extensions.Internal;

/// <summary>
/// Checks every registered provider's settings when the host starts. Each failure names the exact key (for
/// example <c>ModernAuthMail:Providers:shared-inbox:ClientId</c>) and says what belongs there; secrets are never
/// echoed.
/// </summary>
internal sealed class ProviderOptionsValidator : IValidateOptions<ModernAuthMailProviderOptions>
{
    // The settings configuration may hold: the bindable public properties (code-only ones are objects or delegates).
    private static readonly string[] KnownSettings = typeof(ModernAuthMailProviderOptions)
        .GetProperties(BindingFlags.Public | BindingFlags.Instance)
        .Where(p => p.CanWrite && IsBindable(p.PropertyType))
        .Select(p => p.Name)
        .ToArray();

    private readonly ProviderRegistry _registry;

    public ProviderOptionsValidator(ProviderRegistry registry) => _registry = registry;

    public ValidateOptionsResult Validate(string? name, ModernAuthMailProviderOptions options)
    {
        if (name is null || _registry.Find(name) is not { } registered || _registry.CustomFactoryOf(registered) is not null)
        {
            return ValidateOptionsResult.Skip;
        }

        var failures = new List<string>();
        string Key(string setting) => _registry.KeyOf(registered, setting);

        if (_registry.SectionOf(registered) is { } section)
        {
            foreach (var child in section.GetChildren())
            {
                if (!KnownSettings.Contains(child.Key, StringComparer.OrdinalIgnoreCase))
                {
                    var suggestion = KnownSettings.OrderBy(k => Distance(k, child.Key)).First();
                    failures.Add(Distance(suggestion, child.Key) <= 3
                        ? $"{child.Path} is not a ModernAuth.Mail provider setting: did you mean {suggestion}?"
                        : $"{child.Path} is not a ModernAuth.Mail provider setting: the settings are {string.Join(", ", KnownSettings)}.");
                }
            }
        }

        failures.AddRange(options.Validate().Select(f => f.Format(Key)));

        if (!Enum.IsDefined(typeof(MailProtocol), options.HealthCheckProtocol))
        {
            failures.Add($"{Key("HealthCheckProtocol")} must be one of {string.Join(", ", Enum.GetNames(typeof(MailProtocol)))}.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static bool IsBindable(Type type)
    {
        var underlying = Nullable.GetUnderlyingType(type) ?? type;
        return underlying.IsPrimitive || underlying.IsEnum || underlying == typeof(string) || underlying == typeof(TimeSpan) || underlying == typeof(Uri);
    }

    /// <summary>Levenshtein distance, case-insensitive: finds the setting a misspelt key meant.</summary>
    private static int Distance(string a, string b)
    {
        a = a.ToUpperInvariant();
        b = b.ToUpperInvariant();
        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (var j = 0; j <= b.Length; j++)
        {
            previous[j] = j;
        }

        for (var i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = a[i - 1] == b[j - 1] ? 0 : 1;
                current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + cost);
            }

            (previous, current) = (current, previous);
        }

        return previous[b.Length];
    }

    internal static string Describe(IEnumerable<string> names) =>
        string.Join(", ", names.Select(n => string.Format(CultureInfo.InvariantCulture, "'{0}'", n)));
}
