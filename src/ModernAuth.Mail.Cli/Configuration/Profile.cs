using System.Text.Json.Serialization;

namespace ModernAuth.Mail.Cli.Configuration;

/// <summary>
/// One named profile of the profiles file (<c>~/.config/modernauth-mail/profiles.json</c>). No secret belongs here:
/// a client secret comes from the environment, a file (<c>--client-secret-file</c>) or a masked prompt.
/// </summary>
internal sealed class Profile
{
    [JsonPropertyName("tenantId")]
    public string? TenantId { get; set; }

    [JsonPropertyName("clientId")]
    public string? ClientId { get; set; }

    [JsonPropertyName("flow")]
    public string? Flow { get; set; }

    [JsonPropertyName("cloud")]
    public string? Cloud { get; set; }

    [JsonPropertyName("mailbox")]
    public string? Mailbox { get; set; }

    [JsonPropertyName("certificatePath")]
    public string? CertificatePath { get; set; }

    [JsonPropertyName("certificateKeyPath")]
    public string? CertificateKeyPath { get; set; }

    [JsonPropertyName("certificateThumbprint")]
    public string? CertificateThumbprint { get; set; }

    [JsonPropertyName("clientSecretFile")]
    public string? ClientSecretFile { get; set; }

    [JsonPropertyName("tokenCache")]
    public string? TokenCache { get; set; }

    [JsonPropertyName("imapServer")]
    public string? ImapServer { get; set; }

    [JsonPropertyName("popServer")]
    public string? PopServer { get; set; }

    [JsonPropertyName("smtpServer")]
    public string? SmtpServer { get; set; }

    [JsonPropertyName("ewsUrl")]
    public string? EwsUrl { get; set; }

    [JsonPropertyName("graphUrl")]
    public string? GraphUrl { get; set; }

    /// <summary>Catches keys this version does not know, so a secret put here by mistake is refused, not ignored.</summary>
    [JsonExtensionData]
    public Dictionary<string, System.Text.Json.JsonElement>? Unknown { get; set; }
}

/// <summary>The profiles file.</summary>
internal sealed class ProfileFile
{
    [JsonPropertyName("defaultProfile")]
    public string? DefaultProfile { get; set; }

    [JsonPropertyName("profiles")]
    public Dictionary<string, Profile> Profiles { get; set; } = new(StringComparer.OrdinalIgnoreCase);
}
