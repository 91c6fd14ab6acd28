using System.CommandLine;
using ModernAuth.Mail.Cli.Sandbox;

namespace ModernAuth.Mail.Cli.Configuration;

/// <summary>
/// The settings of one run, resolved with the precedence option &gt; environment (MODERNAUTH_MAIL_&lt;NAME&gt;) &gt;
/// profile &gt; sandbox defaults. Secrets are not here: <see cref="SecretResolver"/> reads them when needed.
/// </summary>
internal sealed class CliSettings
{
    public required CliFlow Flow { get; init; }

    public string? TenantId { get; init; }

    public required string ClientId { get; init; }

    public required MailCloud Cloud { get; init; }

    public string? Mailbox { get; init; }

    public string? CertificatePath { get; init; }

    public string? CertificateKeyPath { get; init; }

    public string? CertificateThumbprint { get; init; }

    public string? ClientSecretFile { get; init; }

    public string? TokenCache { get; init; }

    public SandboxEnvironment? Sandbox { get; init; }

    /// <summary>The mailbox, or a configuration error naming the three ways to set it.</summary>
    public string RequireMailbox(string why) => Mailbox
        ?? throw new ConfigurationException($"{why} needs a mailbox: set --mailbox <address>, MODERNAUTH_MAIL_MAILBOX or \"mailbox\" in the profile.");
}

/// <summary>Resolves <see cref="CliSettings"/> from the parsed command line, the environment and the profile.</summary>
internal sealed class SettingsResolver(ParseResult parse, CliConsole console, ConnectionOptions options, Profile? profile)
{
    public const string EnvironmentPrefix = "MODERNAUTH_MAIL_";

    public string? Environment(string name) => NonEmpty(console.GetEnvironmentVariable(EnvironmentPrefix + name));

    public string? Value(Option<string?> option, string environmentName, Func<Profile, string?> fromProfile) =>
        NonEmpty(parse.GetValue(option)) ?? Environment(environmentName) ?? (profile is null ? null : NonEmpty(fromProfile(profile)));

    /// <exception cref="UsageException">A secret was given on the command line.</exception>
    /// <exception cref="ConfigurationException">A value is invalid or a required one is missing.</exception>
    public CliSettings Resolve(SandboxEnvironment? sandbox, bool personalRequested)
    {
        if (parse.GetResult(options.ClientSecret) is not null)
        {
            throw new UsageException(
                "--client-secret is not accepted: a secret on the command line stays in shell history and process lists. " +
                "Set MODERNAUTH_MAIL_CLIENT_SECRET, pass --client-secret-file <path>, or leave both out and type it at the masked prompt.");
        }

        var certificatePath = Value(options.CertificatePath, "CERTIFICATE_PATH", p => p.CertificatePath);
        var thumbprint = Value(options.CertificateThumbprint, "CERTIFICATE_THUMBPRINT", p => p.CertificateThumbprint);
        var secretFile = NonEmpty(parse.GetValue(options.ClientSecretFile)) ?? Environment("CLIENT_SECRET_FILE") ?? NonEmpty(profile?.ClientSecretFile);
        var flowText = Value(options.Flow, "FLOW", p => p.Flow);
        CliFlow flow;
        if (flowText is not null)
        {
            if (!CliFlowNames.TryParse(flowText, out flow))
            {
                throw new ConfigurationException($"The flow '{flowText}' is not known: use secret, certificate or device-code (--flow, MODERNAUTH_MAIL_FLOW or \"flow\" in the profile).");
            }
        }
        else if (certificatePath is not null || thumbprint is not null)
        {
            flow = CliFlow.Certificate;
        }
        else if (sandbox is not null && personalRequested)
        {
            flow = CliFlow.DeviceCode;
        }
        else if (secretFile is not null || Environment("CLIENT_SECRET") is not null || sandbox is not null)
        {
            flow = CliFlow.Secret;
        }
        else
        {
            flow = CliFlow.DeviceCode;
        }

        var cloud = ResolveCloud(sandbox, personalRequested);
        if (flow.IsAppOnly() && !cloud.SupportsAppOnly)
        {
            throw new ConfigurationException($"Personal Microsoft accounts have no app-only access, so the {flow.Name()} flow cannot work with the cloud {cloud.Name}: use --flow device-code.");
        }

        var tenant = cloud.IsPersonalAccounts
            ? NonEmpty(parse.GetValue(options.Tenant)) ?? cloud.DefaultTenant
            : Value(options.Tenant, "TENANT_ID", p => p.TenantId) ?? sandbox?.TenantId;
        if (tenant is null && flow.IsAppOnly())
        {
            throw new ConfigurationException($"The {flow.Name()} flow needs the tenant: set --tenant <tenant id or domain>, MODERNAUTH_MAIL_TENANT_ID or \"tenantId\" in the profile.");
        }

        var clientId = Value(options.ClientId, "CLIENT_ID", p => p.ClientId) ?? (sandbox is null ? null : SandboxEnvironment.ClientIdFor(flow));
        if (clientId is null)
        {
            throw new ConfigurationException("No application (client) id is set: set --client-id <id>, MODERNAUTH_MAIL_CLIENT_ID or \"clientId\" in the profile (Entra admin center > App registrations > your app > Application (client) ID).");
        }

        if (flow == CliFlow.Certificate && sandbox is null && certificatePath is null && thumbprint is null)
        {
            throw new ConfigurationException("The certificate flow needs a certificate: set --certificate-path <.pfx or .pem>, MODERNAUTH_MAIL_CERTIFICATE_PATH or \"certificatePath\" in the profile, or a thumbprint of a certificate in the user's store (--certificate-thumbprint, MODERNAUTH_MAIL_CERTIFICATE_THUMBPRINT).");
        }

        var mailbox = cloud.IsPersonalAccounts && sandbox is not null
            ? NonEmpty(parse.GetValue(options.Mailbox)) ?? SandboxEnvironment.PersonalUser
            : Value(options.Mailbox, "MAILBOX", p => p.Mailbox) ?? (sandbox is null ? null : SandboxEnvironment.User);
        var tokenCache = Value(options.TokenCache, "TOKEN_CACHE", p => p.TokenCache)
            ?? (sandbox is null ? null : Path.Combine(sandbox.Servers.StateDirectory, cloud.IsPersonalAccounts ? "modernauth-mail-personal-token-cache.bin" : "modernauth-mail-token-cache.bin"));
        return new CliSettings
        {
            Flow = flow,
            TenantId = tenant,
            ClientId = clientId,
            Cloud = cloud,
            Mailbox = mailbox,
            CertificatePath = certificatePath,
            CertificateKeyPath = Value(options.CertificateKeyPath, "CERTIFICATE_KEY_PATH", p => p.CertificateKeyPath),
            CertificateThumbprint = thumbprint,
            ClientSecretFile = secretFile,
            TokenCache = tokenCache,
            Sandbox = sandbox,
        };
    }

    /// <summary>Whether the cloud asked for is personal accounts (decided before the sandbox starts: it picks the device code user).</summary>
    public bool WantsPersonalCloud() =>
        MailCloud.TryGetWellKnown(Value(options.Cloud, "CLOUD", p => p.Cloud), out var cloud) && cloud.IsPersonalAccounts;

    private MailCloud ResolveCloud(SandboxEnvironment? sandbox, bool personal)
    {
        var name = Value(options.Cloud, "CLOUD", p => p.Cloud);
        MailCloud cloud;
        if (sandbox is not null)
        {
            cloud = personal ? sandbox.PersonalCloud : sandbox.Cloud;
        }
        else if (name is null)
        {
            cloud = MailCloud.Global;
        }
        else if (!MailCloud.TryGetWellKnown(name, out cloud))
        {
            throw new ConfigurationException($"The cloud '{name}' is not known: use Global, Personal, UsGovernmentHigh, UsGovernmentDod or China (--cloud, MODERNAUTH_MAIL_CLOUD or \"cloud\" in the profile).");
        }

        if (Value(options.ImapServer, "IMAP_SERVER", p => p.ImapServer) is { } imap)
        {
            cloud = cloud with { Imap = ParseServer(imap, cloud.Imap, "--imap-server") };
        }

        if (Value(options.PopServer, "POP_SERVER", p => p.PopServer) is { } pop)
        {
            cloud = cloud with { Pop = ParseServer(pop, cloud.Pop, "--pop-server") };
        }

        if (Value(options.SmtpServer, "SMTP_SERVER", p => p.SmtpServer) is { } smtp)
        {
            cloud = cloud with { Smtp = ParseServer(smtp, cloud.Smtp, "--smtp-server") };
        }

        if (Value(options.EwsUrl, "EWS_URL", p => p.EwsUrl) is { } ews)
        {
            if (!Uri.TryCreate(ews, UriKind.Absolute, out var url) || url.Scheme != Uri.UriSchemeHttps && url.Scheme != Uri.UriSchemeHttp)
            {
                throw new ConfigurationException($"The EWS URL '{ews}' is not an http(s) URL, for example https://outlook.office365.com/EWS/Exchange.asmx (--ews-url, MODERNAUTH_MAIL_EWS_URL or \"ewsUrl\").");
            }

            cloud = cloud with { Ews = url };
        }

        if (Value(options.GraphUrl, "GRAPH_URL", p => p.GraphUrl) is { } graph)
        {
            if (!Uri.TryCreate(graph, UriKind.Absolute, out var url) || url.Scheme != Uri.UriSchemeHttps && url.Scheme != Uri.UriSchemeHttp)
            {
                throw new ConfigurationException($"The Graph URL '{graph}' is not an http(s) URL, for example https://graph.microsoft.com (--graph-url, MODERNAUTH_MAIL_GRAPH_URL or \"graphUrl\").");
            }

            cloud = cloud with { Graph = new Uri(url.GetLeftPart(UriPartial.Authority)) };
        }

        return cloud;
    }

    private static MailServerEndpoint ParseServer(string value, MailServerEndpoint current, string option)
    {
        var text = value.Trim();
        var colon = text.LastIndexOf(':');
        var host = colon > 0 ? text[..colon] : text;
        var port = current.Port;
        if (colon > 0 && (!int.TryParse(text[(colon + 1)..], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out port) || port is < 1 or > 65535))
        {
            throw new ConfigurationException($"'{value}' is not host[:port] with a port from 1 to 65535 ({option}).");
        }

        if (string.IsNullOrWhiteSpace(host))
        {
            throw new ConfigurationException($"'{value}' has no host name ({option}).");
        }

        return current with { Host = host, Port = port };
    }

    private static string? NonEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}
