using System.CommandLine;
using ModernAuth.Mail.Cli.Auth;
using ModernAuth.Mail.Cli.Configuration;
using ModernAuth.Mail.Cli.Output;
using ModernAuth.Mail.Cli.Sandbox;
using ModernAuth.Mail.Profiles;

namespace ModernAuth.Mail.Cli.Commands;

/// <summary>What one command run has: the parsed line, the consoles, and (once resolved) settings and the sandbox.</summary>
internal sealed class CommandContext(ParseResult parse, CliConsole console, GlobalOptions globals, bool json) : IAsyncDisposable
{
    private SandboxEnvironment? _sandbox;

    public ParseResult Parse { get; } = parse;

    public CliConsole Console { get; } = console;

    public Ui Ui { get; } = new(console, json, parse.GetValue(globals.Verbose));

    public bool IsSandbox => Parse.GetValue(globals.Sandbox);

    public SettingsResolver? Resolver { get; private set; }

    /// <summary>Loads the profile, starts the sandbox when asked, and resolves the settings.</summary>
    public async Task<CliSettings> ResolveAsync(ConnectionOptions options, CancellationToken cancellationToken)
    {
        var profile = LoadProfile();
        Resolver = new SettingsResolver(Parse, Console, options, profile);
        var personal = Resolver.WantsPersonalCloud();
        if (IsSandbox)
        {
            _sandbox = await Ui.RunAsync("Starting the sandbox's fake Entra ID", _ => SandboxEnvironment.StartAsync(Console.GetEnvironmentVariable, personal, cancellationToken));
        }

        return Resolver.Resolve(_sandbox, personal);
    }

    public ProviderFactory CreateProviderFactory(CliSettings settings) => new(settings, Resolver!, Ui);

    /// <summary>The profile, if any. With --sandbox only an explicitly named one, so the sandbox stays offline and predictable.</summary>
    public Profile? LoadProfile()
    {
        var path = Parse.GetValue(globals.Config);
        var name = Parse.GetValue(globals.Profile);
        if (IsSandbox && path is null && name is null)
        {
            return null;
        }

        try
        {
            return ProfileStore.Load(path, name, Console.GetEnvironmentVariable, Console.HomeDirectory, "--config");
        }
        catch (ProfileException error)
        {
            throw new ConfigurationException(error.Message);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_sandbox is not null)
        {
            await _sandbox.DisposeAsync();
        }
    }
}
