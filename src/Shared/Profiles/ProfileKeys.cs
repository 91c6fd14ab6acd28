namespace ModernAuth.Mail.Profiles;

/// <summary>How a <see cref="MailTokenProviderSettings"/> setting is spelled in a profile (<c>ClientId</c> → <c>"clientId"</c>), and which settings never belong there.</summary>
internal static class ProfileKeys
{
    /// <summary>Settings that are secrets: never a command-line option or a profile key.</summary>
    public static readonly string[] Secrets = ["ClientSecret", "CertificatePassword"];

    public static string ProfileKey(string setting) => char.ToLowerInvariant(setting[0]) + setting.Substring(1);

    /// <summary>The setting a profile key (or an option or environment variable, once turned into a name) names, or <see langword="null"/>.</summary>
    public static string? FromProfileKey(string key) =>
        MailTokenProviderSettings.SettingNames.FirstOrDefault(s => string.Equals(s, key, StringComparison.OrdinalIgnoreCase));
}
