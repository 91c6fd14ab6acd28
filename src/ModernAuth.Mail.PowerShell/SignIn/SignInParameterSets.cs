namespace ModernAuth.Mail.PowerShell.SignIn;

/// <summary>
/// The sign-in parameter sets, one per flow, and the one table that maps each onto the shared
/// <see cref="MailTokenProviderSettings"/>: everything else (the settings, the error texts, whether a flow is app-only,
/// which is asked of the provider) follows from it. A new flow of the core (interactive browser, managed identity,
/// workload identity) is one row here, plus its parameters on <see cref="ModernAuthMailCommand"/> in that set.
/// </summary>
internal static class SignInParameterSets
{
    /// <summary>Everything from a profile (the default set: also used when no sign-in parameter is given).</summary>
    public const string Profile = "Profile";

    public const string ClientSecret = "ClientSecret";

    public const string CertificateThumbprint = "CertificateThumbprint";

    public const string CertificatePath = "CertificatePath";

    public const string DeviceCode = "DeviceCode";

    public const string Interactive = "Interactive";

    public const string ManagedIdentity = "ManagedIdentity";

    public const string WorkloadIdentity = "WorkloadIdentity";

    /// <summary>
    /// Each sign-in set: its flow, and the settings its parameters give, which a profile's values for them (another
    /// certificate source, say) must not complete.
    /// </summary>
    public static readonly IReadOnlyList<SignInFlow> Flows =
    [
        new(ClientSecret, MailTokenFlow.ClientSecret, ["ClientSecret", "ClientSecretFile"]),
        new(CertificateThumbprint, MailTokenFlow.ClientCertificate, ["CertificateThumbprint", "CertificateStoreLocation", "CertificatePath"]),
        new(CertificatePath, MailTokenFlow.ClientCertificate, ["CertificatePath", "CertificateKeyPath", "CertificatePassword", "CertificateThumbprint"]),
        new(ManagedIdentity, MailTokenFlow.ManagedIdentity, ["ClientId", "ClientSecretFile", "CertificatePath", "CertificateThumbprint"]),
        new(WorkloadIdentity, MailTokenFlow.WorkloadIdentity, ["ClientSecretFile", "CertificatePath", "CertificateThumbprint"]),
        new(DeviceCode, MailTokenFlow.DeviceCode, []),
        new(Interactive, MailTokenFlow.InteractiveBrowser, []),
    ];

    /// <summary>The sign-in parameters as a user reads them: "-ClientSecret, -CertificateThumbprint, ..., -DeviceCode or -Interactive".</summary>
    public static string Describe() =>
        string.Join(", ", Flows.Take(Flows.Count - 1).Select(f => "-" + f.ParameterSet)) + " or -" + Flows[Flows.Count - 1].ParameterSet;

    /// <summary>The row of a parameter set, or <see langword="null"/> for <see cref="Profile"/>.</summary>
    public static SignInFlow? Find(string parameterSet) => Flows.FirstOrDefault(f => f.ParameterSet == parameterSet);
}
