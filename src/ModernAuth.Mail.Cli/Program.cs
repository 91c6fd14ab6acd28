namespace ModernAuth.Mail.Cli;

/// <summary>The entry point of the modernauth-mail tool.</summary>
public static class Program
{
    /// <summary>Runs the tool; Ctrl+C cancels the running command (exit code 130).</summary>
    /// <param name="args">The command line.</param>
    /// <returns>The exit code (docs/cli.md).</returns>
    public static async Task<int> Main(string[] args)
    {
        using var cancellation = new CancellationTokenSource();
        void OnCancel(object? sender, ConsoleCancelEventArgs e)
        {
            // The first Ctrl+C cancels gracefully; a second one ends the process at once.
            if (!cancellation.IsCancellationRequested)
            {
                e.Cancel = true;
                cancellation.Cancel();
            }
        }

        Console.CancelKeyPress += OnCancel;
        try
        {
            return await CliApp.RunAsync(args, CliConsole.FromSystem(), cancellation.Token);
        }
        finally
        {
            Console.CancelKeyPress -= OnCancel;
        }
    }
}
