using System.Text.Json;

namespace ModernAuth.Mail.Cli.Configuration;

/// <summary>Finds and reads the profiles file and picks the profile.</summary>
internal static class ProfileStore
{
    public static string DefaultPath(CliConsole console)
    {
        var configHome = console.GetEnvironmentVariable("XDG_CONFIG_HOME");
        var root = string.IsNullOrWhiteSpace(configHome) ? Path.Combine(console.HomeDirectory, ".config") : configHome;
        return Path.Combine(root, "modernauth-mail", "profiles.json");
    }

    /// <summary>
    /// The profile to use: <paramref name="name"/> (or MODERNAUTH_MAIL_PROFILE) from <paramref name="path"/> (or
    /// MODERNAUTH_MAIL_CONFIG, or the default file); with no name, the file's <c>defaultProfile</c>; no file and no
    /// name: none.
    /// </summary>
    /// <exception cref="ConfigurationException">The file or the named profile is missing, unreadable or holds a secret.</exception>
    public static Profile? Load(CliConsole console, string? path, string? name)
    {
        var explicitPath = path ?? NonEmpty(console.GetEnvironmentVariable("MODERNAUTH_MAIL_CONFIG"));
        name ??= NonEmpty(console.GetEnvironmentVariable("MODERNAUTH_MAIL_PROFILE"));
        var file = explicitPath ?? DefaultPath(console);
        if (!File.Exists(file))
        {
            if (explicitPath is not null)
            {
                throw new ConfigurationException($"The profiles file {file} does not exist. Create it (see docs/cli.md, \"Profiles\") or drop --config.");
            }

            if (name is not null)
            {
                throw new ConfigurationException($"The profile '{name}' was asked for, but there is no profiles file at {file}. Create it (see docs/cli.md, \"Profiles\") or pass --config <path>.");
            }

            return null;
        }

        ProfileFile? profiles;
        try
        {
            profiles = JsonSerializer.Deserialize<ProfileFile>(File.ReadAllText(file), new JsonSerializerOptions
            {
                ReadCommentHandling = JsonCommentHandling.Skip,
                AllowTrailingCommas = true,
            });
        }
        catch (Exception error) when (error is JsonException or IOException or UnauthorizedAccessException)
        {
            throw new ConfigurationException($"The profiles file {file} could not be read: {error.Message}");
        }

        if (profiles?.Profiles is null || profiles.Profiles.Count == 0)
        {
            if (name is null)
            {
                return null;
            }

            throw new ConfigurationException($"The profiles file {file} has no profiles, so '{name}' cannot be used.");
        }

        var profileNames = new Dictionary<string, Dictionary<string, JsonElement>>(profiles.Profiles, StringComparer.OrdinalIgnoreCase);
        name ??= NonEmpty(profiles.DefaultProfile);
        if (name is null)
        {
            return null;
        }

        if (!profileNames.TryGetValue(name, out var profile))
        {
            throw new ConfigurationException($"The profiles file {file} has no profile '{name}'. It has: {string.Join(", ", profileNames.Keys.Order(StringComparer.Ordinal))}.");
        }

        return Profile.Read(name, file, profile);
    }

    private static string? NonEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}
