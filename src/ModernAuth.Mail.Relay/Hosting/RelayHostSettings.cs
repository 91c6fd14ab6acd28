namespace ModernAuth.Mail.Relay;

/// <summary>Where <see cref="RelayHost"/> reads its configuration from.</summary>
public class RelayHostSettings
{
    /// <summary>Creates settings with the defaults.</summary>
    public RelayHostSettings()
    {
    }

    /// <summary>A JSON file with a <c>Relay</c> section, read after <c>appsettings.json</c>. Default <see langword="null"/>: none.</summary>
    public string? ConfigurationFile { get; set; }

    /// <summary>Command-line arguments (<c>--Relay:MaxRecipients=100</c>). Default <see langword="null"/>.</summary>
    public string[]? Args { get; set; }

    /// <summary>The Windows service name. Default <c>ModernAuthMailRelay</c>.</summary>
    public string ServiceName { get; set; } = "ModernAuthMailRelay";
}
