using System.CommandLine;

namespace ModernAuth.Mail.Cli.Configuration;

/// <summary>
/// The options that say how to get a token and where the servers are (token, test, send): one per
/// <see cref="MailTokenProviderSettings"/> setting, named after it (<see cref="SettingNames"/>). Each also has an
/// environment variable and a profile key; an option wins over the environment, which wins over the profile.
/// </summary>
internal sealed class ConnectionOptions
{
    /// <summary>The help text of each setting (a test checks that every setting has one).</summary>
    internal static readonly IReadOnlyDictionary<string, (string Help, string HelpName)> Help = new Dictionary<string, (string, string)>
    {
        ["Flow"] = ("How to get a token: secret or certificate (app-only), managed-identity (app-only, running in Azure), workload-identity (app-only, a federated token from Kubernetes or CI), device-code or interactive (a user signs in, with a code or in the browser); the long names (ClientSecret, client-secret, InteractiveBrowser, ...) work too [default: certificate when one is configured, else secret when one is set, else device-code].", "secret|certificate|device-code|interactive"),
        ["TenantId"] = ("The tenant id or domain; for device code also organizations or consumers.", "id"),
        ["ClientId"] = ("The application (client) id of the app registration.", "id"),
        ["ClientSecret"] = ("Never an option: the secret comes from the environment, a file or a masked prompt.", "secret"),
        ["ClientSecretFile"] = ("A file holding the client secret alone (the secret itself never goes on the command line; MODERNAUTH_MAIL_CLIENT_SECRET works too).", "path"),
        ["CertificatePath"] = ("The certificate: a .pfx/.p12 file (password from MODERNAUTH_MAIL_CERTIFICATE_PASSWORD) or a PEM file.", "path"),
        ["CertificateKeyPath"] = ("The PEM private key, when not inside the PEM certificate file.", "path"),
        ["CertificatePassword"] = ("Never an option: the PFX password comes from the environment.", "password"),
        ["CertificateThumbprint"] = ("The thumbprint of a certificate with its private key in the certificate store.", "sha1"),
        ["CertificateStoreLocation"] = ("The store of --certificate-thumbprint: CurrentUser or LocalMachine [default: CurrentUser].", "location"),
        ["CertificateStoreName"] = ("The store name of --certificate-thumbprint [default: My].", "name"),
        ["SendCertificateChain"] = ("Send the certificate chain (x5c) for subject name and issuer authentication.", "bool"),
        ["Cloud"] = ("Global, Personal (outlook.com), UsGovernmentHigh, UsGovernmentDod or China [default: Global].", "name"),
        ["AuthorityHost"] = ("Overrides the cloud's Entra ID host (an https URL), for private clouds and test token services.", "url"),
        ["DisableInstanceDiscovery"] = ("Skip MSAL's instance discovery (for test token services and private clouds).", "bool"),
        ["AuthorityCertificatePath"] = ("A certificate (PEM or DER) to trust for the token service's TLS, besides the system's (a test token service).", "path"),
        ["ImapServer"] = ("Overrides the cloud's IMAP server, implicit TLS.", "host[:port]"),
        ["PopServer"] = ("Overrides the cloud's POP server, implicit TLS.", "host[:port]"),
        ["SmtpServer"] = ("Overrides the cloud's SMTP server, STARTTLS.", "host[:port]"),
        ["EwsUrl"] = ("Overrides the cloud's EWS endpoint.", "url"),
        ["GraphUrl"] = ("Overrides the cloud's Microsoft Graph endpoint, e.g. https://graph.microsoft.us.", "url"),
        ["Mailbox"] = ("The mailbox to open or send as (XOAUTH2 user=); required for app-only flows.", "address"),
        ["Username"] = ("Device code and interactive: the cached account to use when several are signed in [default: the mailbox].", "address"),
        ["TokenCachePath"] = ("The device code and interactive flows' token cache file, which makes later runs silent.", "path"),
        ["PersistTokenCache"] = ("Device code and interactive: keep the sign-in in the token cache file [default: true].", "bool"),
        ["AllowUnencryptedTokenCache"] = ("Device code and interactive: allow an owner-only plain cache file where no OS key store exists [default: true].", "bool"),
        ["DisableInteractiveSignIn"] = ("Device code and interactive: fail instead of starting a sign-in when no cached one works.", "bool"),
        ["RedirectUri"] = ("Interactive: the loopback redirect URI registered on the app registration [default: http://localhost, any free port].", "url"),
        ["SignInTimeout"] = ("Interactive: how long the user has to finish the browser sign-in [default: 00:05:00].", "hh:mm:ss"),
        ["ManagedIdentityClientId"] = ("Managed identity: the client id of a user-assigned identity [default: the system-assigned identity].", "id"),
        ["ManagedIdentityResourceId"] = ("Managed identity: the Azure resource id of a user-assigned identity (instead of its client id).", "resource-id"),
        ["FederatedTokenFile"] = ("Workload identity: the file holding the federated token, re-read for every token request [default: AZURE_FEDERATED_TOKEN_FILE].", "path"),
        ["NetworkTimeout"] = ("How long one request to the token service may take [default: 00:00:30].", "hh:mm:ss"),
        ["RefreshMargin"] = ("How long before expiry a token is refreshed [default: 00:05:00].", "hh:mm:ss"),
    };

    private static readonly Dictionary<string, string[]> Aliases = new()
    {
        ["TenantId"] = ["--tenant"],
        ["TokenCachePath"] = ["--token-cache"],
    };

    public ConnectionOptions()
    {
        foreach (var setting in SettingNames.All)
        {
            var (help, helpName) = Help[setting];
            var description = $"{help} [env: {SettingNames.Environment(setting)}]";
            var aliases = Aliases.TryGetValue(setting, out var more) ? more : [];
            Option option = IsBool(setting)
                ? new Option<bool?>(SettingNames.Option(setting), aliases) { Description = description }
                : new Option<string?>(SettingNames.Option(setting), aliases) { Description = description, HelpName = helpName };

            // A secret on the command line lands in shell history and process lists: the option exists only to be
            // refused with a pointer to the safe ways, instead of an "unknown option" that might tempt a retry elsewhere.
            option.Hidden = SettingNames.Secrets.Contains(setting);
            BySetting[setting] = option;
        }

        ((Option<string?>)BySetting["Flow"]).Validators.Add(result =>
        {
            var text = result.Tokens.Count > 0 ? result.Tokens[0].Value : null;
            if (!MailTokenProviderSettings.TryParseFlow(text, out _))
            {
                result.AddError($"'{text}' is not a flow: use {string.Join(", ", FlowNames.All)}.");
            }
        });
    }

    /// <summary>The option of each setting, by setting name.</summary>
    public Dictionary<string, Option> BySetting { get; } = new(StringComparer.Ordinal);

    public static bool IsBool(string setting) =>
        typeof(MailTokenProviderSettings).GetProperty(setting)!.PropertyType == typeof(bool);

    public void AddTo(Command command)
    {
        foreach (var option in BySetting.Values)
        {
            command.Options.Add(option);
        }
    }
}
