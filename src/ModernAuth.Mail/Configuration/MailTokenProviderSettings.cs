using System.Reflection;
using System.Security.Cryptography.X509Certificates;
using ModernAuth.Mail.Internal;

namespace ModernAuth.Mail;

/// <summary>
/// Everything that makes a token provider, as plain settings that bind from configuration (<c>appsettings.json</c>,
/// environment variables), the relay's configuration, the CLI's options and profiles and the PowerShell module's
/// parameters — the same names everywhere (docs/configuration.md has the table). <see cref="Validate"/> says what is
/// wrong, naming each setting; <see cref="CreateProvider"/> makes the provider.
/// </summary>
/// <example>
/// <code>
/// var settings = configuration.GetSection("ModernAuthMail:Providers:inbox").Get&lt;MailTokenProviderSettings&gt;()!;
/// MailTokenProvider provider = settings.CreateProvider();
/// </code>
/// </example>
public class MailTokenProviderSettings
{
    /// <summary>Creates settings with the defaults.</summary>
    public MailTokenProviderSettings()
    {
    }

    /// <summary>The settings that configuration can hold (the bindable properties), by property name.</summary>
    public static IReadOnlyList<string> SettingNames { get; } = typeof(MailTokenProviderSettings)
        .GetProperties(BindingFlags.Public | BindingFlags.Instance)
        .Where(p => p.CanWrite && IsBindable(p.PropertyType))
        .Select(p => p.Name)
        .ToArray();

    /// <summary>The flow. Required.</summary>
    public MailTokenFlow? Flow { get; set; }

    /// <summary>
    /// The Directory (tenant) ID (a GUID) or a verified domain. Required for app-only flows (for <see cref="MailTokenFlow.WorkloadIdentity"/> it defaults to <c>AZURE_TENANT_ID</c>;
    /// <see cref="MailTokenFlow.ManagedIdentity"/> needs none), where it may not be
    /// <c>common</c>, <c>organizations</c> or <c>consumers</c>. Optional for <see cref="MailTokenFlow.DeviceCode"/>
    /// (default: the cloud's default tenant, else <c>organizations</c>).
    /// </summary>
    public string? TenantId { get; set; }

    /// <summary>
    /// The Application (client) ID of the app registration (a GUID). Required, except for
    /// <see cref="MailTokenFlow.ManagedIdentity"/> (which uses <see cref="ManagedIdentityClientId"/>) and for
    /// <see cref="MailTokenFlow.WorkloadIdentity"/> when <c>AZURE_CLIENT_ID</c> is set.
    /// </summary>
    public string? ClientId { get; set; }

    /// <summary>
    /// <see cref="MailTokenFlow.ClientSecret"/>: the client secret's Value (not its Secret ID). Give this or
    /// <see cref="ClientSecretFile"/>. Keep it out of files in source control (an environment variable or a secret
    /// store). Never logged or shown.
    /// </summary>
    public string? ClientSecret { get; set; }

    /// <summary>
    /// <see cref="MailTokenFlow.ClientSecret"/>: a file that holds the client secret alone (for example a mounted
    /// container secret). Read when the provider is made; surrounding white space is ignored.
    /// </summary>
    public string? ClientSecretFile { get; set; }

    /// <summary>
    /// <see cref="MailTokenFlow.ClientCertificate"/>: a PFX/PKCS#12 file (<c>.pfx</c>, <c>.p12</c>) or a PEM certificate
    /// (any other extension, with <see cref="CertificateKeyPath"/> unless the key is in the same file). Give this,
    /// <see cref="CertificateThumbprint"/> or (in code) <see cref="Certificate"/>.
    /// </summary>
    public string? CertificatePath { get; set; }

    /// <summary>The unencrypted PEM private key of a PEM <see cref="CertificatePath"/>. Default <see langword="null"/>: the key is in the certificate file.</summary>
    public string? CertificateKeyPath { get; set; }

    /// <summary>The password of a PFX <see cref="CertificatePath"/>. Default <see langword="null"/>: none. Never logged or shown.</summary>
    public string? CertificatePassword { get; set; }

    /// <summary>The SHA-1 thumbprint of a certificate (with its private key) in the certificate store.</summary>
    public string? CertificateThumbprint { get; set; }

    /// <summary>The store location of <see cref="CertificateThumbprint"/>. Default <see cref="StoreLocation.CurrentUser"/>.</summary>
    public StoreLocation CertificateStoreLocation { get; set; } = StoreLocation.CurrentUser;

    /// <summary>The store of <see cref="CertificateThumbprint"/>. Default <see cref="StoreName.My"/>.</summary>
    public StoreName CertificateStoreName { get; set; } = StoreName.My;

    /// <summary>Sends the certificate chain (<c>x5c</c>) for subject name and issuer authentication. Default <see langword="false"/>.</summary>
    public bool SendCertificateChain { get; set; }

    /// <summary>
    /// The cloud by name: <c>Global</c>, <c>PersonalAccounts</c>, <c>UsGovernmentHigh</c>, <c>UsGovernmentDod</c> or
    /// <c>China</c> (see <see cref="MailCloud.TryGetWellKnown"/> for the aliases). Default <see langword="null"/>:
    /// <see cref="MailCloud.Global"/>.
    /// </summary>
    public string? Cloud { get; set; }

    /// <summary>Overrides the cloud's authority host (an absolute <c>https</c> URI). Default <see langword="null"/>.</summary>
    public Uri? AuthorityHost { get; set; }

    /// <summary>Turns off MSAL's instance discovery, for test token services and private clouds. Default <see langword="false"/>.</summary>
    public bool DisableInstanceDiscovery { get; set; }

    /// <summary>
    /// A certificate file (PEM or DER) that the token service's TLS certificate may be, besides the certificates the
    /// system trusts: for a test token service with a self-signed certificate, such as ModernAuth.Mail.Testing's
    /// <c>FakeEntraIdServer</c>. Default <see langword="null"/>: only the system's trust.
    /// </summary>
    public string? AuthorityCertificatePath { get; set; }

    /// <summary>Overrides the cloud's IMAP server: <c>host</c> or <c>host:port</c> (implicit TLS). Default <see langword="null"/>.</summary>
    public string? ImapServer { get; set; }

    /// <summary>Overrides the cloud's POP server: <c>host</c> or <c>host:port</c> (implicit TLS). Default <see langword="null"/>.</summary>
    public string? PopServer { get; set; }

    /// <summary>Overrides the cloud's SMTP server: <c>host</c> or <c>host:port</c> (STARTTLS). Default <see langword="null"/>.</summary>
    public string? SmtpServer { get; set; }

    /// <summary>Overrides the cloud's EWS endpoint (an absolute http(s) URL). Default <see langword="null"/>.</summary>
    public string? EwsUrl { get; set; }

    /// <summary>
    /// Overrides the cloud's Microsoft Graph service root (an absolute http(s) URL such as <c>https://graph.microsoft.us</c>;
    /// a path is ignored: the API version is added per request). Default <see langword="null"/>.
    /// </summary>
    public string? GraphUrl { get; set; }

    /// <summary>
    /// The mailbox this provider is for (an SMTP address): what app-only connections open and what the front ends use
    /// when a command names none. Default <see langword="null"/>.
    /// </summary>
    public string? Mailbox { get; set; }

    /// <summary><see cref="MailTokenFlow.DeviceCode"/> and <see cref="MailTokenFlow.InteractiveBrowser"/>: the account to use when several are cached. Default <see langword="null"/>.</summary>
    public string? Username { get; set; }

    /// <summary>
    /// <see cref="MailTokenFlow.DeviceCode"/> and <see cref="MailTokenFlow.InteractiveBrowser"/>: the token cache file that keeps the sign-in. Default <see langword="null"/>:
    /// <see cref="DeviceCodeTokenProviderOptions.TokenCachePath"/>'s default.
    /// </summary>
    public string? TokenCachePath { get; set; }

    /// <summary><see cref="MailTokenFlow.DeviceCode"/> and <see cref="MailTokenFlow.InteractiveBrowser"/>: keeps the sign-in in a file. Default <see langword="true"/>.</summary>
    public bool PersistTokenCache { get; set; } = true;

    /// <summary><see cref="MailTokenFlow.DeviceCode"/> and <see cref="MailTokenFlow.InteractiveBrowser"/>: allows an owner-only plain cache file where no OS key store exists. Default <see langword="true"/>.</summary>
    public bool AllowUnencryptedTokenCache { get; set; } = true;

    /// <summary>
    /// <see cref="MailTokenFlow.DeviceCode"/> and <see cref="MailTokenFlow.InteractiveBrowser"/>: fails with <see cref="MailErrorCodes.InteractionRequired"/> instead of
    /// starting a sign-in when no cached sign-in works (for services no person watches). Default <see langword="false"/>.
    /// </summary>
    public bool DisableInteractiveSignIn { get; set; }

    /// <summary>
    /// <see cref="MailTokenFlow.InteractiveBrowser"/>: the loopback redirect URI registered on the app registration
    /// (<c>http://localhost</c>, optionally with a fixed port, or <c>http://127.0.0.1</c>). Default <see langword="null"/>:
    /// <c>http://localhost</c> on any free port.
    /// </summary>
    public Uri? RedirectUri { get; set; }

    /// <summary>
    /// <see cref="MailTokenFlow.InteractiveBrowser"/>: how long the user has to finish the browser sign-in before it fails
    /// with <see cref="MailErrorCodes.SignInTimedOut"/>. Default <see langword="null"/>: 5 minutes.
    /// </summary>
    public TimeSpan? SignInTimeout { get; set; }

    /// <summary>
    /// <see cref="MailTokenFlow.ManagedIdentity"/>: the client id (a GUID) of a user-assigned managed identity assigned to
    /// the Azure resource. Default <see langword="null"/>: the system-assigned identity (unless
    /// <see cref="ManagedIdentityResourceId"/> is set).
    /// </summary>
    public string? ManagedIdentityClientId { get; set; }

    /// <summary>
    /// <see cref="MailTokenFlow.ManagedIdentity"/>: the Azure resource id of a user-assigned managed identity
    /// (<c>/subscriptions/.../providers/Microsoft.ManagedIdentity/userAssignedIdentities/name</c>). Default
    /// <see langword="null"/>. Give this or <see cref="ManagedIdentityClientId"/>, not both.
    /// </summary>
    public string? ManagedIdentityResourceId { get; set; }

    /// <summary>
    /// <see cref="MailTokenFlow.WorkloadIdentity"/>: the file holding the workload's federated token, read again for every
    /// token request. Default <see langword="null"/>: <c>AZURE_FEDERATED_TOKEN_FILE</c> (set by the Azure Workload Identity
    /// webhook in Kubernetes). For <see cref="MailTokenFlow.WorkloadIdentity"/>, <see cref="TenantId"/> and
    /// <see cref="ClientId"/> likewise default to <c>AZURE_TENANT_ID</c> and <c>AZURE_CLIENT_ID</c>.
    /// </summary>
    public string? FederatedTokenFile { get; set; }

    /// <summary>How long one request to the token service may take. Default <see langword="null"/>: 30 seconds.</summary>
    public TimeSpan? NetworkTimeout { get; set; }

    /// <summary>How long before expiry a token is refreshed in the background. Default <see langword="null"/>: 5 minutes.</summary>
    public TimeSpan? RefreshMargin { get; set; }

    /// <summary>
    /// Code only (configuration names a file or a thumbprint instead): a certificate with its private key for
    /// <see cref="MailTokenFlow.ClientCertificate"/>. Default <see langword="null"/>.
    /// </summary>
    public X509Certificate2? Certificate { get; set; }

    /// <summary>
    /// Code only: shows the device code to the user. Default <see langword="null"/>: the instruction goes to standard
    /// error.
    /// </summary>
    public Func<DeviceCodeInfo, CancellationToken, Task>? DeviceCodeCallback { get; set; }

    /// <summary>
    /// Code only: gets the workload's federated token for <see cref="MailTokenFlow.WorkloadIdentity"/> (GitHub Actions'
    /// OIDC endpoint, another identity provider) on every token request, instead of <see cref="FederatedTokenFile"/>.
    /// Default <see langword="null"/>.
    /// </summary>
    public Func<CancellationToken, Task<string>>? FederatedTokenCallback { get; set; }

    /// <summary>
    /// Whether <paramref name="flow"/> gets app-only tokens (the application's roles, any mailbox it is allowed) rather than
    /// a signed-in user's (delegated: that user's own mailbox and what it may open).
    /// </summary>
    /// <param name="flow">The flow.</param>
    /// <returns><see langword="true"/> for app-only flows, <see langword="false"/> for delegated ones, <see langword="null"/> when no known flow is given.</returns>
    public static bool? IsAppOnlyFlow(MailTokenFlow? flow) => flow switch
    {
        MailTokenFlow.ClientSecret or MailTokenFlow.ClientCertificate or MailTokenFlow.ManagedIdentity or MailTokenFlow.WorkloadIdentity => true,
        MailTokenFlow.DeviceCode or MailTokenFlow.InteractiveBrowser => false,
        _ => null,
    };

    /// <summary>
    /// Parses a flow as any front end may write it: the enum name (<c>ClientSecret</c>), kebab case
    /// (<c>client-secret</c>) or the short form (<c>secret</c>, <c>certificate</c>, <c>device-code</c>, <c>interactive</c>, <c>msi</c>, <c>federated</c>), in any case.
    /// </summary>
    /// <param name="text">The text.</param>
    /// <param name="flow">The flow, when known.</param>
    /// <returns><see langword="true"/> when known.</returns>
    public static bool TryParseFlow(string? text, out MailTokenFlow flow)
    {
        flow = MailTokenFlow.ClientSecret;
        switch (text?.Trim().Replace("-", string.Empty).Replace("_", string.Empty).ToUpperInvariant())
        {
            case "CLIENTSECRET" or "SECRET": flow = MailTokenFlow.ClientSecret; return true;
            case "CLIENTCERTIFICATE" or "CERTIFICATE" or "CERT": flow = MailTokenFlow.ClientCertificate; return true;
            case "DEVICECODE" or "DEVICE": flow = MailTokenFlow.DeviceCode; return true;
            case "INTERACTIVEBROWSER" or "INTERACTIVE" or "BROWSER": flow = MailTokenFlow.InteractiveBrowser; return true;
            case "MANAGEDIDENTITY" or "MSI": flow = MailTokenFlow.ManagedIdentity; return true;
            case "WORKLOADIDENTITY" or "WORKLOAD" or "FEDERATED": flow = MailTokenFlow.WorkloadIdentity; return true;
            default: return false;
        }
    }

    /// <summary>Checks the settings without making anything. Secrets are never echoed.</summary>
    /// <returns>What is wrong; empty when the settings can make a provider.</returns>
    public IReadOnlyList<MailSettingsFailure> Validate() => MailTokenProviderSettingsValidator.Validate(this);

    /// <summary>
    /// The cloud these settings name, with their server overrides applied (<see cref="ImapServer"/>,
    /// <see cref="PopServer"/>, <see cref="SmtpServer"/>, <see cref="EwsUrl"/>, <see cref="GraphUrl"/>).
    /// </summary>
    /// <returns>The cloud.</returns>
    /// <exception cref="MailSettingsException">The cloud name or an override is invalid.</exception>
    public MailCloud ResolveCloud() => MailTokenProviderSettingsValidator.ResolveCloud(this) ?? throw new MailSettingsException(Validate());

    /// <summary>Makes the provider these settings describe.</summary>
    /// <param name="configureOptions">
    /// Last say over the flow's options (code only), after every setting was applied: a logger factory, a clock, a
    /// shared token cache store, or a transport for a test token service. Default <see langword="null"/>.
    /// </param>
    /// <returns>The provider. It is made at once; a certificate or secret file is read now, the token service is asked on the first token request.</returns>
    /// <exception cref="MailSettingsException">The settings are invalid or a file they name cannot be read: <see cref="MailSettingsException.Failures"/> names each setting.</exception>
    public MailTokenProvider CreateProvider(Action<MailTokenProviderOptions>? configureOptions = null) =>
        MailTokenProviderBuilder.Create(this, configureOptions);

    private static bool IsBindable(Type type)
    {
        var underlying = Nullable.GetUnderlyingType(type) ?? type;
        return underlying.IsPrimitive || underlying.IsEnum || underlying == typeof(string) || underlying == typeof(TimeSpan) || underlying == typeof(Uri);
    }
}
