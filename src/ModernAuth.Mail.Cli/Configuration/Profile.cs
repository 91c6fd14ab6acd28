using System.Text.Json;
using System.Text.Json.Serialization;

namespace ModernAuth.Mail.Cli.Configuration;

/// <summary>
/// One named profile of the profiles file (<c>~/.config/modernauth-mail/profiles.json</c>): settings by their profile
/// keys (<c>"clientId"</c>, <c>"tenantId"</c>, ... — <see cref="SettingNames.ProfileKey"/>). No secret belongs here: a
/// client secret comes from the environment, a file (<c>"clientSecretFile"</c>) or a masked prompt.
/// </summary>
internal sealed class Profile
{
    private Profile(string name, IReadOnlyDictionary<string, string> values)
    {
        Name = name;
        Values = values;
    }

    public string Name { get; }

    /// <summary>The profile's values by setting name (<c>ClientId</c>), as text.</summary>
    public IReadOnlyDictionary<string, string> Values { get; }

    /// <exception cref="ConfigurationException">A key is unknown, holds a secret, or its value is not text, a number or true/false.</exception>
    public static Profile Read(string name, string file, Dictionary<string, JsonElement> keys)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in keys)
        {
            var setting = SettingNames.FromProfileKey(key);
            if (setting is not null && SettingNames.Secrets.Contains(setting)
                || key.Contains("secret", StringComparison.OrdinalIgnoreCase) && !string.Equals(key, "clientSecretFile", StringComparison.OrdinalIgnoreCase)
                || key.Contains("password", StringComparison.OrdinalIgnoreCase))
            {
                throw new ConfigurationException(
                    $"The profile '{name}' in {file} holds '{key}': profiles never hold secrets. Remove it and set MODERNAUTH_MAIL_CLIENT_SECRET (or MODERNAUTH_MAIL_CERTIFICATE_PASSWORD), or put the secret alone in a file readable only by you and set \"clientSecretFile\".");
            }

            if (setting is null)
            {
                var suggestion = SettingNames.All.Select(SettingNames.ProfileKey).OrderBy(k => Distance(k, key)).First();
                throw new ConfigurationException(Distance(suggestion, key) <= 4
                    ? $"The profile '{name}' in {file} has an unknown setting \"{key}\": did you mean \"{suggestion}\"? See docs/configuration.md for the names."
                    : $"The profile '{name}' in {file} has an unknown setting \"{key}\". See docs/configuration.md for the names.");
            }

            values[setting] = value.ValueKind switch
            {
                JsonValueKind.String => value.GetString()!,
                JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False => value.GetRawText(),
                JsonValueKind.Null => string.Empty,
                _ => throw new ConfigurationException($"The profile '{name}' in {file} has \"{key}\" as {value.ValueKind}: give text, a number or true/false."),
            };
        }

        return new Profile(name, values);
    }

    /// <summary>Levenshtein distance, case-insensitive: finds the key a misspelt one meant.</summary>
    private static int Distance(string a, string b)
    {
        a = a.ToUpperInvariant();
        b = b.ToUpperInvariant();
        var previous = Enumerable.Range(0, b.Length + 1).ToArray();
        var current = new int[b.Length + 1];
        for (var i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
            }

            (previous, current) = (current, previous);
        }

        return previous[b.Length];
    }
}

/// <summary>The profiles file.</summary>
internal sealed class ProfileFile
{
    [JsonPropertyName("defaultProfile")]
    public string? DefaultProfile { get; set; }

    [JsonPropertyName("profiles")]
    public Dictionary<string, Dictionary<string, JsonElement>> Profiles { get; set; } = new(StringComparer.OrdinalIgnoreCase);
}
