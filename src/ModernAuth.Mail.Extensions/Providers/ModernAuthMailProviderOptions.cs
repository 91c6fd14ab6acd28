using System.Security.Cryptography.X509Certificates;

namespace ModernAuth.Mail.Extensions;

/// <summary>
/// One named token provider: the settings under <c>ModernAuthMail:Providers:{name}</c>, or what a
/// <see cref="ModernAuthMailBuilder"/> <c>Add...</c> call configures. They are validated when the host starts: a
/// missing or wrong setting fails start-up with a message naming its key and what to put there.
/// </summary>
public class ModernAuthMailProviderOptions
{
    /// <summary>The flow. Required (set by <see cref="ModernAuthMailBuilder.AddClientSecret"/> and its siblings).</summary>
    public MailTokenFlow? Flow { get; set; }

    /// <summary>
    /// The Directory (tenant) ID (a GUID) or a verified domain. Required for app-only flows, where it may not be
    /// <c>common</c>, <c>organizations</c> or <c>consumers</c>. Optional for <see cref="MailTokenFlow.DeviceCode"/>
    /// (default: the cloud's default tenant, else <c>organizations</c>).
    /// </summary>
    public string? TenantId { get; set; }

    /// <summary>The Application (client) ID of the app registration (a GUID). Required.</summary>
    public string? ClientId { get; set; }

    /// <summary>
    /// The client secret's Value (not its Secret ID). Required for <see cref="MailTokenFlow.ClientSecret"/>. Keep it
    /// out of files checked into source control: an environment variable
    /// (<c>ModernAuthMail__Providers__{name}__ClientSecret</c>) or a secret store. Never logged.
    /// </summary>
    public string? ClientSecret { get; set; }

    /// <summary>
    /// A certificate file for <see cref="MailTokenFlow.ClientCertificate"/>: a PFX/PKCS#12 file (<c>.pfx</c>, <c>.p12</c>)
    /// or a PEM certificate (any other extension, with <see cref="CertificateKeyPath"/> unless the key is in the same
    /// file). Give this, <see cref="CertificateThumbprint"/> or <see cref="Certificate"/>.
    /// </summary>
    public string? CertificatePath { get; set; }

    /// <summary>The unencrypted PEM private key of a PEM <see cref="CertificatePath"/>. Default <see langword="null"/>: the key is in the certificate file.</summary>
    public string? CertificateKeyPath { get; set; }

    /// <summary>The password of a PFX <see cref="CertificatePath"/>. Default <see langword="null"/>: none. Never logged.</summary>
    public string? CertificatePassword { get; set; }

    /// <summary>The SHA-1 thumbprint of a certificate in the certificate store (with its private key).</summary>
    public string? CertificateThumbprint { get; set; }

    /// <summary>The store location of <see cref="CertificateThumbprint"/>. Default <see cref="StoreLocation.CurrentUser"/>.</summary>
    public StoreLocation CertificateStoreLocation { get; set; } = StoreLocation.CurrentUser;

    /// <summary>The store of <see cref="CertificateThumbprint"/>. Default <see cref="StoreName.My"/>.</summary>
    public StoreName CertificateStoreName { get; set; } = StoreName.My;

    /// <summary>Sends the certificate chain (<c>x5c</c>) for subject name and issuer authentication. Default <see langword="false"/>.</summary>
    public bool SendCertificateChain { get; set; }

    /// <summary>
    /// A certificate object (code only; configuration names a file or a thumbprint instead). It must hold its private
    /// key. Default <see langword="null"/>.
    /// </summary>
    public X509Certificate2? Certificate { get; set; }

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
    /// The mailbox this provider is for: the health check asks for a token for it, and
    /// <see cref="MailTokenProviderFactory"/> users can read it to build their <see cref="MailTokenRequest"/>.
    /// Default <see langword="null"/>.
    /// </summary>
    public string? Mailbox { get; set; }

    /// <summary>The protocol the health check asks a token for. Default <see cref="MailProtocol.Imap"/>.</summary>
    public MailProtocol HealthCheckProtocol { get; set; } = MailProtocol.Imap;

    /// <summary>How long one request to the token service may take. Default <see langword="null"/>: 30 seconds.</summary>
    public TimeSpan? NetworkTimeout { get; set; }

    /// <summary>How long before expiry a token is refreshed in the background. Default <see langword="null"/>: 5 minutes.</summary>
    public TimeSpan? RefreshMargin { get; set; }

    /// <summary>
    /// Uses the distributed token cache when one is added (<see cref="ModernAuthMailBuilder.AddDistributedTokenCache"/>).
    /// Default <see langword="true"/>.
    /// </summary>
    public bool UseDistributedTokenCache { get; set; } = true;

    /// <summary>
    /// <see cref="MailTokenFlow.DeviceCode"/>: the token cache file that keeps the sign-in. Default
    /// <see langword="null"/>: <see cref="DeviceCodeTokenProviderOptions.TokenCachePath"/>'s default. Not used with a
    /// distributed token cache, which keeps the sign-in instead.
    /// </summary>
    public string? TokenCachePath { get; set; }

    /// <summary><see cref="MailTokenFlow.DeviceCode"/>: keeps the sign-in in a file. Default <see langword="true"/>.</summary>
    public bool PersistTokenCache { get; set; } = true;

    /// <summary><see cref="MailTokenFlow.DeviceCode"/>: allows an owner-only plain cache file where no OS key store exists. Default <see langword="true"/>.</summary>
    public bool AllowUnencryptedTokenCache { get; set; } = true;

    /// <summary>
    /// <see cref="MailTokenFlow.DeviceCode"/>: fails with <see cref="MailErrorCodes.InteractionRequired"/> instead of
    /// starting a sign-in when no cached sign-in works (for services no person watches). Default <see langword="false"/>.
    /// </summary>
    public bool DisableInteractiveSignIn { get; set; }

    /// <summary><see cref="MailTokenFlow.DeviceCode"/>: the account to use when several are cached. Default <see langword="null"/>.</summary>
    public string? Username { get; set; }

    /// <summary>
    /// <see cref="MailTokenFlow.DeviceCode"/>: shows the code to the user (code only). Default <see langword="null"/>:
    /// the instruction goes to standard error.
    /// </summary>
    public Func<DeviceCodeInfo, CancellationToken, Task>? DeviceCodeCallback { get; set; }

    /// <summary>
    /// Last say over the flow's options (code only), after every setting above was applied: for example a proxy in
    /// <see cref="MailTokenProviderOptions.Transport"/>, or a test token service. Default <see langword="null"/>.
    /// </summary>
    public Action<MailTokenProviderOptions>? ConfigureFlowOptions { get; set; }
}
