using System.Text;

namespace ModernAuth.Mail.Cli.Configuration;

/// <summary>
/// How each <see cref="MailTokenProviderSettings"/> setting is spelled on the command line, in the environment and in a
/// profile: derived from its one name (<c>ClientId</c> → <c>--client-id</c>, <c>MODERNAUTH_MAIL_CLIENT_ID</c>,
/// <c>"clientId"</c>), so the tool spells every setting as configuration files do.
/// </summary>
internal static class SettingNames
{
    public const string EnvironmentPrefix = "MODERNAUTH_MAIL_";

    /// <summary>Settings that are secrets: only from the environment (or a file setting), never an option or a profile.</summary>
    public static readonly string[] Secrets = Profiles.ProfileKeys.Secrets;

    /// <summary>Every setting the tool reads, in the settings type's order.</summary>
    public static IReadOnlyList<string> All => MailTokenProviderSettings.SettingNames;

    public static string Option(string setting) => "--" + Words(setting, '-').ToLowerInvariant();

    public static string Environment(string setting) => EnvironmentPrefix + Words(setting, '_').ToUpperInvariant();

    public static string ProfileKey(string setting) => Profiles.ProfileKeys.ProfileKey(setting);

    /// <summary>How a message names a setting: every way the user can set it.</summary>
    public static string Describe(string setting) => Secrets.Contains(setting)
        ? setting == "ClientSecret"
            ? $"the client secret ({Environment(setting)}, or a file holding it alone: --client-secret-file)"
            : $"{Environment(setting)}"
        : $"{Option(setting)} ({Environment(setting)}, \"{ProfileKey(setting)}\" in the profile)";

    /// <summary>The setting an option, environment variable or profile key names, or <see langword="null"/>.</summary>
    public static string? FromProfileKey(string key) => Profiles.ProfileKeys.FromProfileKey(key);

    private static string Words(string setting, char separator)
    {
        var builder = new StringBuilder(setting.Length + 4);
        for (var i = 0; i < setting.Length; i++)
        {
            if (i > 0 && char.IsUpper(setting[i]))
            {
                builder.Append(separator);
            }

            builder.Append(setting[i]);
        }

        return builder.ToString();
    }
}
