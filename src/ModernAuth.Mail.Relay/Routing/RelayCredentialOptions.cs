namespace ModernAuth.Mail.Relay;

/// <summary>A credential the relay gets upstream tokens with.</summary>
public class RelayCredentialOptions
{
    /// <summary>Creates options with the defaults.</summary>
    public RelayCredentialOptions()
    {
    }

    /// <summary>How tokens are had. Default <see cref="RelayCredentialKind.ClientSecret"/>.</summary>
    public RelayCredentialKind Kind { get; set; } = RelayCredentialKind.ClientSecret;

    /// <summary>The directory (tenant) id or domain. Required for app-only kinds; default <c>organizations</c> for device code.</summary>
    public string? TenantId { get; set; }

    /// <summary>The application (client) id. Required.</summary>
    public string? ClientId { get; set; }

    /// <summary>The client secret (<see cref="RelayCredentialKind.ClientSecret"/>). Keep it out of files: use an environment variable or a secret store.</summary>
    public string? ClientSecret { get; set; }

    /// <summary>The PFX file (<see cref="RelayCredentialKind.ClientCertificate"/>).</summary>
    public string? CertificatePath { get; set; }

    /// <summary>The PFX file's password. Default <see langword="null"/>: none.</summary>
    public string? CertificatePassword { get; set; }

    /// <summary>The token cache file of a device-code sign-in (<see cref="RelayCredentialKind.DeviceCode"/>). Default: the library's default path.</summary>
    public string? TokenCachePath { get; set; }

    /// <summary>The user to pick from the token cache (<see cref="RelayCredentialKind.DeviceCode"/>). Default: the only one there.</summary>
    public string? Username { get; set; }

    /// <summary>The cloud: <c>Global</c>, <c>PersonalAccounts</c>, <c>UsGovernmentHigh</c>, <c>UsGovernmentDod</c>, <c>China</c>. Default <c>Global</c>.</summary>
    public string? Cloud { get; set; }

    /// <summary>Overrides the cloud's authority host (for example a test token service). Default <see langword="null"/>.</summary>
    public Uri? AuthorityHost { get; set; }
}
