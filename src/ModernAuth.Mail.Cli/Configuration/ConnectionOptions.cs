using System.CommandLine;

namespace ModernAuth.Mail.Cli.Configuration;

/// <summary>
/// The options that say how to get a token and where the servers are (token, test, send). Each has an environment
/// variable MODERNAUTH_MAIL_&lt;NAME&gt; and a profile key; an option wins over the environment, which wins over the profile.
/// </summary>
internal sealed class ConnectionOptions
{
    public Option<string?> Flow { get; } = Make("--flow", "How to get a token: secret or certificate (app-only), device-code (a user signs in) [env: MODERNAUTH_MAIL_FLOW; default: certificate when one is configured, else secret when one is set, else device-code].", "secret|certificate|device-code");

    public Option<string?> Tenant { get; } = Make("--tenant", "The tenant id or domain; for device code also organizations or consumers [env: MODERNAUTH_MAIL_TENANT_ID].", "id", "--tenant-id");

    public Option<string?> ClientId { get; } = Make("--client-id", "The application (client) id of the app registration [env: MODERNAUTH_MAIL_CLIENT_ID].", "id");

    public Option<string?> Cloud { get; } = Make("--cloud", "Global, Personal (outlook.com), UsGovernmentHigh, UsGovernmentDod or China [env: MODERNAUTH_MAIL_CLOUD; default: Global].", "name");

    public Option<string?> Mailbox { get; } = Make("--mailbox", "The mailbox to open or send as (XOAUTH2 user=); required for app-only flows [env: MODERNAUTH_MAIL_MAILBOX].", "address");

    public Option<string?> CertificatePath { get; } = Make("--certificate-path", "The certificate: a .pfx/.p12 file (password from MODERNAUTH_MAIL_CERTIFICATE_PASSWORD) or a PEM file [env: MODERNAUTH_MAIL_CERTIFICATE_PATH].", "path");

    public Option<string?> CertificateKeyPath { get; } = Make("--certificate-key-path", "The PEM private key, when not inside the PEM certificate file [env: MODERNAUTH_MAIL_CERTIFICATE_KEY_PATH].", "path");

    public Option<string?> CertificateThumbprint { get; } = Make("--certificate-thumbprint", "The certificate's thumbprint in the current user's store (CurrentUser\\My) [env: MODERNAUTH_MAIL_CERTIFICATE_THUMBPRINT].", "sha1");

    public Option<string?> ClientSecretFile { get; } = Make("--client-secret-file", "A file holding the client secret alone (the secret itself never goes on the command line) [env: MODERNAUTH_MAIL_CLIENT_SECRET or MODERNAUTH_MAIL_CLIENT_SECRET_FILE].", "path");

    public Option<string?> TokenCache { get; } = Make("--token-cache", "The device code flow's token cache file, which makes later runs silent [env: MODERNAUTH_MAIL_TOKEN_CACHE].", "path");

    public Option<string?> ImapServer { get; } = Make("--imap-server", "Overrides the cloud's IMAP server, implicit TLS [env: MODERNAUTH_MAIL_IMAP_SERVER].", "host[:port]");

    public Option<string?> PopServer { get; } = Make("--pop-server", "Overrides the cloud's POP server, implicit TLS [env: MODERNAUTH_MAIL_POP_SERVER].", "host[:port]");

    public Option<string?> SmtpServer { get; } = Make("--smtp-server", "Overrides the cloud's SMTP server, STARTTLS [env: MODERNAUTH_MAIL_SMTP_SERVER].", "host[:port]");

    public Option<string?> EwsUrl { get; } = Make("--ews-url", "Overrides the cloud's EWS endpoint [env: MODERNAUTH_MAIL_EWS_URL].", "url");

    public Option<string?> GraphUrl { get; } = Make("--graph-url", "Overrides the cloud's Microsoft Graph endpoint, e.g. https://graph.microsoft.us [env: MODERNAUTH_MAIL_GRAPH_URL].", "url");

    /// <summary>
    /// Hidden: a secret on the command line lands in shell history and process lists, so it is refused with a pointer
    /// to the safe ways, instead of an "unknown option" that might tempt a retry with the value elsewhere.
    /// </summary>
    public Option<string?> ClientSecret { get; } = new("--client-secret") { Hidden = true };

    public void AddTo(Command command)
    {
        foreach (var option in new Option[] { Flow, Tenant, ClientId, Cloud, Mailbox, CertificatePath, CertificateKeyPath, CertificateThumbprint, ClientSecretFile, TokenCache, ImapServer, PopServer, SmtpServer, EwsUrl, GraphUrl, ClientSecret })
        {
            command.Options.Add(option);
        }

        Flow.AcceptOnlyFromAmong(CliFlowNames.All);
    }

    private static Option<string?> Make(string name, string description, string helpName, params string[] aliases) =>
        new(name, aliases) { Description = description, HelpName = helpName };
}
