namespace ModernAuth.Mail;

/// <summary>
/// Which flow a <see cref="MailTokenProviderSettings"/> makes: the <c>Flow</c> setting in every front end (configuration
/// files, the relay, environment variables, the CLI's <c>--flow</c>, the PowerShell module). Text forms are parsed by
/// <see cref="MailTokenProviderSettings.TryParseFlow"/>.
/// </summary>
public enum MailTokenFlow
{
    /// <summary>App-only with a client secret: <see cref="ClientSecretTokenProvider"/>. Also written <c>client-secret</c> or <c>secret</c>.</summary>
    ClientSecret = 0,

    /// <summary>App-only with a client certificate: <see cref="ClientCertificateTokenProvider"/>. Also written <c>client-certificate</c> or <c>certificate</c>.</summary>
    ClientCertificate = 1,

    /// <summary>A user signs in once with a device code: <see cref="DeviceCodeTokenProvider"/>. Also written <c>device-code</c>.</summary>
    DeviceCode = 2,

    /// <summary>
    /// A user signs in once in the system browser (loopback redirect, PKCE): <see cref="InteractiveBrowserTokenProvider"/>.
    /// Also written <c>interactive-browser</c>, <c>interactive</c> or <c>browser</c>.
    /// </summary>
    InteractiveBrowser = 3,

    /// <summary>
    /// App-only with the managed identity of the Azure resource the code runs on: <see cref="ManagedIdentityTokenProvider"/>.
    /// Also written <c>managed-identity</c> or <c>msi</c>.
    /// </summary>
    ManagedIdentity = 4,

    /// <summary>
    /// App-only with workload identity federation (a Kubernetes, GitHub Actions or other OIDC token):
    /// <see cref="WorkloadIdentityTokenProvider"/>. Also written <c>workload-identity</c> or <c>federated</c>.
    /// </summary>
    WorkloadIdentity = 5,
}
