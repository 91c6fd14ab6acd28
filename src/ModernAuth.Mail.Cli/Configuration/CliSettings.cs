using System.CommandLine;
using System.Globalization;
using ModernAuth.Mail.Cli.Sandbox;
using ModernAuth.Mail.Profiles;

namespace ModernAuth.Mail.Cli.Configuration;

/// <summary>
/// The settings of one run: the provider's <see cref="MailTokenProviderSettings"/> (the same type configuration files
/// bind), resolved with the precedence option &gt; environment (MODERNAUTH_MAIL_&lt;NAME&gt;) &gt; profile &gt; sandbox
/// defaults, and what follows from them. The client secret is not read here: <see cref="Auth.ProviderFactory"/> reads it
/// when a provider is made.
/// </summary>
internal sealed class CliSettings
{
    public required MailTokenProviderSettings Provider { get; init; }

    public required MailTokenFlow Flow { get; init; }

    /// <summary>The cloud with its server overrides (the sandbox's local servers under <c>--sandbox</c>); the provider is made with it.</summary>
    public required MailCloud Cloud { get; init; }

    public SandboxEnvironment? Sandbox { get; init; }

    public string? TenantId => Provider.TenantId;

    public string ClientId => Provider.ClientId ?? string.Empty;

    /// <summary>Who gets the tokens, for messages: the client id, or the managed identity.</summary>
    public string Principal => Flow == MailTokenFlow.ManagedIdentity
        ? "managed identity " + (Provider.ManagedIdentityClientId ?? Provider.ManagedIdentityResourceId ?? "(system-assigned)")
        : "client " + ClientId;

    public string? Mailbox => Provider.Mailbox;

    /// <summary>The mailbox, or a configuration error naming the three ways to set it.</summary>
    public string RequireMailbox(string why) => Mailbox
        ?? throw new ConfigurationException($"{why} needs a mailbox: set {SettingNames.Describe("Mailbox")}.");
}

/// <summary>Resolves <see cref="CliSettings"/> from the parsed command line, the environment and the profile.</summary>
internal sealed class SettingsResolver(ParseResult parse, CliConsole console, ConnectionOptions options, Profile? profile)
{
    public string? Environment(string setting) => NonEmpty(console.GetEnvironmentVariable(SettingNames.Environment(setting)));

    /// <summary>A setting's text from the option, else the environment, else the profile; with where it came from.</summary>
    public (string Value, string Source)? Value(string setting)
    {
        switch (options.BySetting[setting])
        {
            case Option<bool?> flag when parse.GetValue(flag) is { } on:
                return (on ? "true" : "false", SettingNames.Option(setting));
            case Option<string?> text when NonEmpty(parse.GetValue(text)) is { } given:
                return (given, SettingNames.Option(setting));
        }

        if (Environment(setting) is { } fromEnvironment)
        {
            return (fromEnvironment, SettingNames.Environment(setting));
        }

        return profile is not null && profile.Values.TryGetValue(setting, out var fromProfile) && NonEmpty(fromProfile) is { } value
            ? (value, $"\"{SettingNames.ProfileKey(setting)}\" in the profile '{profile.Name}'")
            : null;
    }

    /// <exception cref="UsageException">A secret was given on the command line.</exception>
    /// <exception cref="ConfigurationException">A value is invalid or a required one is missing.</exception>
    public CliSettings Resolve(SandboxEnvironment? sandbox, bool personalRequested)
    {
        foreach (var secret in SettingNames.Secrets)
        {
            if (parse.GetResult(options.BySetting[secret]) is not null)
            {
                throw new UsageException(
                    $"{SettingNames.Option(secret)} is not accepted: a secret on the command line stays in shell history and process lists. " +
                    (secret == "ClientSecret"
                        ? "Set MODERNAUTH_MAIL_CLIENT_SECRET, pass --client-secret-file <path>, or leave both out and type it at the masked prompt."
                        : $"Set {SettingNames.Environment(secret)}."));
            }
        }

        var settings = new MailTokenProviderSettings();
        foreach (var setting in SettingNames.All)
        {
            if (Value(setting) is { } found)
            {
                Assign(settings, setting, found.Value, found.Source);
            }
        }

        var flow = settings.Flow ?? InferFlow(settings, sandbox, personalRequested);
        settings.Flow = flow;
        var cloud = ResolveCloud(settings, sandbox, personalRequested);
        if (flow.IsAppOnly() && !cloud.SupportsAppOnly)
        {
            throw new ConfigurationException($"Personal Microsoft accounts have no app-only access, so the {flow.Name()} flow cannot work with the cloud {cloud.Name}: use --flow device-code or --flow interactive.");
        }

        if (cloud.IsPersonalAccounts)
        {
            // Personal accounts sign in through /consumers, whatever tenant a profile or the environment names.
            settings.TenantId = NonEmpty(parse.GetValue((Option<string?>)options.BySetting["TenantId"])) ?? cloud.DefaultTenant;
        }

        if (sandbox is not null)
        {
            settings.TenantId ??= sandbox.TenantId;
            if (flow != MailTokenFlow.ManagedIdentity)
            {
                settings.ClientId ??= SandboxEnvironment.ClientIdFor(flow);
            }

            if (flow == MailTokenFlow.WorkloadIdentity && settings.FederatedTokenFile is null)
            {
                settings.FederatedTokenFile = sandbox.FederatedTokenFile;
            }
            if (cloud.IsPersonalAccounts)
            {
                settings.Mailbox = NonEmpty(parse.GetValue((Option<string?>)options.BySetting["Mailbox"])) ?? SandboxEnvironment.PersonalUser;
            }

            settings.Mailbox ??= SandboxEnvironment.User;
            settings.TokenCachePath ??= Path.Combine(sandbox.Servers.StateDirectory, cloud.IsPersonalAccounts ? "modernauth-mail-personal-token-cache.bin" : "modernauth-mail-token-cache.bin");
            if (flow == MailTokenFlow.ClientCertificate && settings.CertificatePath is null && settings.CertificateThumbprint is null)
            {
                settings.Certificate = sandbox.AppCertificate;
            }
        }

        if (!flow.IsAppOnly())
        {
            settings.Username ??= settings.Mailbox;
        }

        // The client secret is read later (from a file, the environment or a masked prompt), so its absence is not an error yet.
        var failures = settings.Validate().Where(f => !(f.Setting == "ClientSecret" && settings.ClientSecret is null && settings.ClientSecretFile is null)).ToList();
        if (failures.Count > 0)
        {
            throw Invalid(failures);
        }

        return new CliSettings { Provider = settings, Flow = flow, Cloud = cloud, Sandbox = sandbox };
    }

    /// <summary>A configuration error that names each setting the way the tool's user sets it.</summary>
    public static ConfigurationException Invalid(IReadOnlyList<MailSettingsFailure> failures) =>
        new(string.Join(System.Environment.NewLine, failures.Select(f => f.Format(SettingNames.Describe))));

    /// <summary>Whether the cloud asked for is personal accounts (decided before the sandbox starts: it picks the device code user).</summary>
    public bool WantsPersonalCloud() =>
        MailCloud.TryGetWellKnown(Value("Cloud")?.Value, out var cloud) && cloud.IsPersonalAccounts;

    private MailTokenFlow InferFlow(MailTokenProviderSettings settings, SandboxEnvironment? sandbox, bool personalRequested)
    {
        if (settings.CertificatePath is not null || settings.CertificateThumbprint is not null)
        {
            return MailTokenFlow.ClientCertificate;
        }

        if (sandbox is not null && personalRequested)
        {
            return MailTokenFlow.DeviceCode;
        }

        return settings.ClientSecretFile is not null || Environment("ClientSecret") is not null || sandbox is not null
            ? MailTokenFlow.ClientSecret
            : MailTokenFlow.DeviceCode;
    }

    private static MailCloud ResolveCloud(MailTokenProviderSettings settings, SandboxEnvironment? sandbox, bool personal)
    {
        // The settings' own cloud with its overrides; the sandbox starts from its local servers and applies the overrides on top.
        var resolved = settings.Validate().Where(f => f.Setting is "Cloud" or "ImapServer" or "PopServer" or "SmtpServer" or "EwsUrl" or "GraphUrl").ToList();
        if (resolved.Count > 0)
        {
            throw Invalid(resolved);
        }

        var cloud = settings.ResolveCloud();
        if (sandbox is null)
        {
            return cloud;
        }

        var local = personal ? sandbox.PersonalCloud : sandbox.Cloud;
        return local with
        {
            Imap = settings.ImapServer is null ? local.Imap : cloud.Imap,
            Pop = settings.PopServer is null ? local.Pop : cloud.Pop,
            Smtp = settings.SmtpServer is null ? local.Smtp : cloud.Smtp,
            Ews = settings.EwsUrl is null ? local.Ews : cloud.Ews,
            Graph = settings.GraphUrl is null ? local.Graph : cloud.Graph,
        };
    }

    private static void Assign(MailTokenProviderSettings settings, string setting, string text, string source)
    {
        try
        {
            SettingValues.Assign(settings, setting, text, source);
        }
        catch (ProfileException error)
        {
            throw new ConfigurationException(error.Message);
        }
    }

    private static string? NonEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}
