using System.Globalization;

namespace ModernAuth.Mail.Profiles;

/// <summary>Turns a setting's text (from a profile, an option or an environment variable) into its typed <see cref="MailTokenProviderSettings"/> property.</summary>
internal static class SettingValues
{
    /// <param name="settings">The settings to change.</param>
    /// <param name="setting">The property name (<c>ClientId</c>).</param>
    /// <param name="text">The value as text.</param>
    /// <param name="source">Where the value came from, for messages (<c>--client-id</c>, <c>"clientId" in the profile 'work'</c>).</param>
    /// <exception cref="ProfileException">The text is not a value of the setting's type.</exception>
    public static void Assign(MailTokenProviderSettings settings, string setting, string text, string source)
    {
        var property = typeof(MailTokenProviderSettings).GetProperty(setting)!;
        var type = Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType;
        object? value;
        if (type == typeof(string))
        {
            value = text;
        }
        else if (type == typeof(MailTokenFlow))
        {
            value = MailTokenProviderSettings.TryParseFlow(text, out var flow)
                ? flow
                : throw new ProfileException($"The flow '{text}' ({source}) is not known: use secret, certificate, managed-identity, workload-identity, device-code or interactive-browser.");
        }
        else if (type.IsEnum)
        {
            value = TryParseEnum(type, text) ?? throw new ProfileException($"'{text}' ({source}) is not one of {string.Join(", ", Enum.GetNames(type))}.");
        }
        else if (type == typeof(bool))
        {
            value = bool.TryParse(text, out var on) ? on : throw new ProfileException($"'{text}' ({source}) is not true or false.");
        }
        else if (type == typeof(TimeSpan))
        {
            value = TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out var span) ? span : throw new ProfileException($"'{text}' ({source}) is not a time span such as 00:00:30.");
        }
        else if (type == typeof(Uri))
        {
            value = Uri.TryCreate(text, UriKind.Absolute, out var uri) ? uri : throw new ProfileException($"'{text}' ({source}) is not an absolute URL.");
        }
        else
        {
            throw new InvalidOperationException($"The setting {setting} has a type that cannot be read from text: {type}.");
        }

        property.SetValue(settings, value);
    }

    private static object? TryParseEnum(Type type, string text)
    {
        try
        {
            var parsed = Enum.Parse(type, text, ignoreCase: true);
            return Enum.IsDefined(type, parsed) ? parsed : null;
        }
        catch (ArgumentException)
        {
            return null;
        }
    }
}
