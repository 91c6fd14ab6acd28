using System.CommandLine;

namespace ModernAuth.Mail.Cli.Configuration;

/// <summary>Options every command takes (recursive on the root command).</summary>
internal sealed class GlobalOptions
{
    public Option<bool> Sandbox { get; } = new("--sandbox")
    {
        Description = "Run offline: a fake Entra ID started by the tool and the local test servers (eng/test-servers.sh start), with built-in app registrations and the user adele@contoso.test.",
        Recursive = true,
    };

    public Option<string?> Profile { get; } = new("--profile")
    {
        Description = "The named profile to use from the profiles file [env: MODERNAUTH_MAIL_PROFILE].",
        HelpName = "name",
        Recursive = true,
    };

    public Option<string?> Config { get; } = new("--config")
    {
        Description = "The profiles file [env: MODERNAUTH_MAIL_CONFIG; default: ~/.config/modernauth-mail/profiles.json].",
        HelpName = "path",
        Recursive = true,
    };

    public Option<bool> Verbose { get; } = new("--verbose", "-v")
    {
        Description = "Show details of failures, including stack traces (never a token or a secret).",
        Recursive = true,
    };

    public void AddTo(RootCommand root)
    {
        root.Options.Add(Sandbox);
        root.Options.Add(Profile);
        root.Options.Add(Config);
        root.Options.Add(Verbose);
    }
}
