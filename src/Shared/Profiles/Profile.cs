using System.Text.Json;

namespace ModernAuth.Mail.Profiles;

/// <summary>
/// One named profile of the profiles file (<c>~/.config/modernauth-mail/profiles.json</c>): settings by their profile
/// keys (<c>"clientId"</c>, <c>"tenantId"</c>, ... — <see cref="ProfileKeys.ProfileKey"/>). No secret belongs here: a
/// client secret comes from the environment, a file (<c>"clientSecretFile"</c>), a masked prompt or a SecureString.
/// </summary>
/// <remarks>
/// Linked into every front end that reads profiles (the <c>modernauth-mail</c> tool and the PowerShell module), so they
/// read the same file the same way: one source, no copy, and no public API in the libraries.
/// </remarks>
internal sealed class Profile
{
    private Profile(string name, string file, IReadOnlyDictionary<string, string> values)
    {
        Name = name;
        File = file;
        Values = values;
    }

    public string Name { get; }

    /// <summary>The profiles file it came from.</summary>
    public string File { get; }

    /// <summary>The profile's values by setting name (<c>ClientId</c>), as text.</summary>
    public IReadOnlyDictionary<string, string> Values { get; }

    /// <exception cref="ProfileException">A key is unknown, holds a secret, or its value is not text, a number or true/false.</exception>
    public static Profile Read(string name, string file, Dictionary<string, JsonElement> keys)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var pair in keys)
        {
            var (key, value) = (pair.Key, pair.Value);
            var setting = ProfileKeys.FromProfileKey(key);
            if (setting is not null && ProfileKeys.Secrets.Contains(setting)
                || key.IndexOf("secret", StringComparison.OrdinalIgnoreCase) >= 0 && !string.Equals(key, "clientSecretFile", StringComparison.OrdinalIgnoreCase)
                || key.IndexOf("password", StringComparison.OrdinalIgnoreCase) >= 0)
            {
                throw new ProfileException(
                    $"The profile '{name}' in {file} holds '{key}': profiles never hold secrets. Remove it and set MODERNAUTH_MAIL_CLIENT_SECRET (or MODERNAUTH_MAIL_CERTIFICATE_PASSWORD), or put the secret alone in a file readable only by you and set \"clientSecretFile\".");
            }

            if (setting is null)
            {
                var suggestion = MailTokenProviderSettings.SettingNames.Select(ProfileKeys.ProfileKey).OrderBy(k => Distance(k, key)).First();
                throw new ProfileException(Distance(suggestion, key) <= 4
                    ? $"The profile '{name}' in {file} has an unknown setting \"{key}\": did you mean \"{suggestion}\"? See docs/configuration.md for the names."
                    : $"The profile '{name}' in {file} has an unknown setting \"{key}\". See docs/configuration.md for the names.");
            }

            values[setting] = value.ValueKind switch
            {
                JsonValueKind.String => value.GetString()!,
                JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False => value.GetRawText(),
                JsonValueKind.Null => string.Empty,
                _ => throw new ProfileException($"The profile '{name}' in {file} has \"{key}\" as {value.ValueKind}: give text, a number or true/false."),
            };
        }

        return new Profile(name, file, values);
    }

    /// <summary>
    /// Sets every value of the profile on <paramref name="settings"/> (typed: flow names, enums, true/false, time spans,
    /// URLs), except those in <paramref name="skip"/> (the settings the caller took from elsewhere).
    /// </summary>
    /// <exception cref="ProfileException">A value cannot be read as its setting's type.</exception>
    public void ApplyTo(MailTokenProviderSettings settings, ICollection<string>? skip = null)
    {
        foreach (var pair in Values)
        {
            if (pair.Value.Trim().Length > 0 && (skip is null || !skip.Contains(pair.Key)))
            {
                SettingValues.Assign(settings, pair.Key, pair.Value.Trim(), $"\"{ProfileKeys.ProfileKey(pair.Key)}\" in the profile '{Name}'");
            }
        }
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
