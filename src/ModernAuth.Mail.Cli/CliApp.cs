using System.CommandLine;
using System.CommandLine.Invocation;
using ModernAuth.Mail.Cli.Commands;
using ModernAuth.Mail.Cli.Configuration;
using ModernAuth.Mail.Cli.Output;

namespace ModernAuth.Mail.Cli;

/// <summary>Builds the command line and runs one invocation: parse, run, and map every failure to an exit code.</summary>
internal static class CliApp
{
    public static RootCommand BuildRoot(CliConsole console, GlobalOptions globals)
    {
        var root = new RootCommand(
            "modernauth-mail: OAuth 2.0 for IMAP, POP, SMTP and EWS on Exchange Online and Outlook.com. Get and inspect tokens, " +
            "explain a server's reply, test a mailbox end to end, send mail.");
        globals.AddTo(root);
        root.Subcommands.Add(TokenCommand.Create(console, globals));
        root.Subcommands.Add(InspectCommand.Create(console, globals));
        root.Subcommands.Add(ExplainCommand.Create(console, globals));
        root.Subcommands.Add(TestCommand.Create(console, globals));
        root.Subcommands.Add(SendCommand.Create(console, globals));
        root.Subcommands.Add(RelayCommand.Create(console, globals));
        HelpExamples.Add(root, """
            Examples:
              modernauth-mail --sandbox test all
              modernauth-mail token --protocol imap --flow device-code --cloud personal
              modernauth-mail explain "535 5.7.3 Authentication unsuccessful"
              modernauth-mail test smtp --profile work

            Exit codes: 0 ok, 1 failure, 2 usage, 3 configuration, 4 authentication, 130 cancelled (docs/cli.md).
            """);
        HelpExamples.Install(root);
        return root;
    }

    /// <summary>Runs the tool in process: the same path as the executable, with the given console.</summary>
    public static async Task<int> RunAsync(string[] args, CliConsole console, CancellationToken cancellationToken)
    {
        var globals = new GlobalOptions();
        var root = BuildRoot(console, globals);
        var parse = root.Parse(args);
        var verbose = parse.GetValue(globals.Verbose);
        if (parse.Errors.Count > 0 && parse.Action is ParseErrorAction)
        {
            foreach (var error in parse.Errors)
            {
                console.Error.WriteLine($"Error: {error.Message}");
            }

            var command = parse.CommandResult.Command;
            var path = command is RootCommand ? "modernauth-mail" : $"modernauth-mail {command.Name}";
            console.Error.WriteLine($"Run '{path} --help' for the options and examples.");
            return ExitCodes.Usage;
        }

        var configuration = new InvocationConfiguration
        {
            Output = console.Out,
            Error = console.Error,
            EnableDefaultExceptionHandler = false,
            // Ctrl+C is handled by Program (and by tests through the token): a cancelled command reports itself.
            ProcessTerminationTimeout = null,
        };
        try
        {
            return await parse.InvokeAsync(configuration, cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            console.Error.WriteLine("Cancelled (Ctrl+C): stopped before finishing; nothing more was done.");
            return ExitCodes.Cancelled;
        }
        catch (Exception error) when (error is not OutOfMemoryException)
        {
            return ErrorReporter.Report(error, console, verbose);
        }
    }
}
