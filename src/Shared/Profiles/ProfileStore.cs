using System.Text.Json;
using System.Text.Json.Serialization;

namespace ModernAuth.Mail.Profiles;

/// <summary>
/// Finds and reads the profiles file and picks the profile, the same way for every front end: the
/// <c>modernauth-mail</c> tool (<c>--profile</c>, <c>--config</c>) and the PowerShell module (<c>-Profile</c>,
/// <c>-ProfilePath</c>). Linked into both (see <see cref="Profile"/>).
/// </summary>
internal static class ProfileStore
{
    /// <summary><c>$XDG_CONFIG_HOME/modernauth-mail/profiles.json</c>, else <c>~/.config/modernauth-mail/profiles.json</c>.</summary>
    public static string DefaultPath(Func<string, string?> environment, string homeDirectory)
    {
        var configHome = environment("XDG_CONFIG_HOME");
        var root = string.IsNullOrWhiteSpace(configHome) ? Path.Combine(homeDirectory, ".config") : configHome!;
        return Path.Combine(root, "modernauth-mail", "profiles.json");
    }

    /// <summary>
    /// The profile to use: <paramref name="name"/> (or MODERNAUTH_MAIL_PROFILE) from <paramref name="path"/> (or
    /// MODERNAUTH_MAIL_CONFIG, or the default file); with no name, the file's <c>defaultProfile</c>; no file and no
    /// name: none.
    /// </summary>
    /// <param name="path">The profiles file the user named, or <see langword="null"/>.</param>
    /// <param name="name">The profile the user named, or <see langword="null"/>.</param>
    /// <param name="environment">Reads an environment variable.</param>
    /// <param name="homeDirectory">The user's home folder.</param>
    /// <param name="pathOption">How the front end's user names the file (<c>--config</c>, <c>-ProfilePath</c>): used in messages.</param>
    /// <exception cref="ProfileException">The file or the named profile is missing, unreadable or holds a secret.</exception>
    public static Profile? Load(string? path, string? name, Func<string, string?> environment, string homeDirectory, string pathOption)
    {
        var explicitPath = NonEmpty(path) ?? NonEmpty(environment("MODERNAUTH_MAIL_CONFIG"));
        name = NonEmpty(name) ?? NonEmpty(environment("MODERNAUTH_MAIL_PROFILE"));
        var file = explicitPath ?? DefaultPath(environment, homeDirectory);
        if (!File.Exists(file))
        {
            if (explicitPath is not null)
            {
                throw new ProfileException($"The profiles file {file} does not exist. Create it (see docs/cli.md, \"Profiles\") or drop {pathOption}.");
            }

            if (name is not null)
            {
                throw new ProfileException($"The profile '{name}' was asked for, but there is no profiles file at {file}. Create it (see docs/cli.md, \"Profiles\") or pass {pathOption} <path>.");
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
            throw new ProfileException($"The profiles file {file} could not be read: {error.Message}");
        }

        if (profiles?.Profiles is null || profiles.Profiles.Count == 0)
        {
            if (name is null)
            {
                return null;
            }

            throw new ProfileException($"The profiles file {file} has no profiles, so '{name}' cannot be used.");
        }

        var profileNames = new Dictionary<string, Dictionary<string, JsonElement>>(profiles.Profiles, StringComparer.OrdinalIgnoreCase);
        name ??= NonEmpty(profiles.DefaultProfile);
        if (name is null)
        {
            return null;
        }

        if (!profileNames.TryGetValue(name, out var profile))
        {
            throw new ProfileException($"The profiles file {file} has no profile '{name}'. It has: {string.Join(", ", profileNames.Keys.OrderBy(k => k, StringComparer.Ordinal))}.");
        }

        return Profile.Read(name, file, profile);
    }

    private static string? NonEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value!.Trim();

    /// <summary>The profiles file.</summary>
    private sealed class ProfileFile
    {
        [JsonPropertyName("defaultProfile")]
        public string? DefaultProfile { get; set; }

        [JsonPropertyName("profiles")]
        public Dictionary<string, Dictionary<string, JsonElement>> Profiles { get; set; } = new(StringComparer.OrdinalIgnoreCase);
    }
}
