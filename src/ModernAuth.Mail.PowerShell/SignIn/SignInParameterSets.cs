namespace ModernAuth.Mail.PowerShell.SignIn;

/// <summary>
/// The sign-in parameter sets: one per flow, each mapped onto the shared <see cref="MailTokenProviderSettings"/> by
/// <see cref="ModernAuthMailCommand"/>. A new flow is one more set here and one more case there.
/// </summary>
internal static class SignInParameterSets
{
    /// <summary>Everything from a profile (the default set: also used when no sign-in parameter is given).</summary>
    public const string Profile = "Profile";

    public const string ClientSecret = "ClientSecret";

    public const string CertificateThumbprint = "CertificateThumbprint";

    public const string CertificatePath = "CertificatePath";

    public const string DeviceCode = "DeviceCode";
}
