using Spectre.Console;

namespace ModernAuth.Mail.Cli.Output;

/// <summary>
/// The tool's two consoles: results on standard output, progress, prompts and errors on standard error. Live progress
/// (spinners) only when both are terminals and the output is not JSON, so pipes and files get clean text.
/// </summary>
internal sealed class Ui
{
    public Ui(CliConsole console, bool json, bool verbose)
    {
        Console = console;
        Json = json;
        Verbose = verbose;
        Out = Create(console.Out, console.IsOutputRedirected);
        Err = Create(console.Error, console.IsErrorRedirected);
    }

    public CliConsole Console { get; }

    public bool Json { get; }

    public bool Verbose { get; }

    /// <summary>Standard output, for results.</summary>
    public IAnsiConsole Out { get; }

    /// <summary>Standard error, for progress, the device code, prompts and errors.</summary>
    public IAnsiConsole Err { get; }

    public bool ShowProgress => !Json && !Console.IsErrorRedirected && !Console.IsOutputRedirected;

    /// <summary>Runs <paramref name="work"/> under a spinner on standard error (when <see cref="ShowProgress"/>).</summary>
    public async Task<T> RunAsync<T>(string text, Func<ProgressStatus, Task<T>> work)
    {
        var status = new ProgressStatus(text);
        if (!ShowProgress)
        {
            return await work(status);
        }

        return await Err.Status().Spinner(Spinner.Known.Dots).StartAsync(Markup.Escape(text), async context =>
        {
            var task = work(status);
            while (!task.IsCompleted)
            {
                context.Status(Markup.Escape(status.Current(TimeProvider.System.GetUtcNow())));
                await Task.WhenAny(task, Task.Delay(250));
            }

            return await task;
        });
    }

    /// <summary>Writes a line to standard error, as is (no markup).</summary>
    public void Note(string text) => Console.Error.WriteLine(text);

    private static IAnsiConsole Create(TextWriter writer, bool redirected)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(writer),
            Ansi = redirected ? AnsiSupport.No : AnsiSupport.Detect,
            ColorSystem = redirected ? ColorSystemSupport.NoColors : ColorSystemSupport.Detect,
            Interactive = redirected ? InteractionSupport.No : InteractionSupport.Detect,
        });
        if (redirected)
        {
            // A file or a pipe has no width: keep tables readable instead of wrapping them at 80 columns.
            console.Profile.Width = 160;
        }

        return console;
    }
}

/// <summary>The text of a running spinner, optionally with a countdown (the device code's time left).</summary>
internal sealed class ProgressStatus(string text)
{
    private string _text = text;
    private DateTimeOffset? _deadline;

    public void Set(string text, DateTimeOffset? deadline = null)
    {
        _text = text;
        _deadline = deadline;
    }

    public string Current(DateTimeOffset now)
    {
        if (_deadline is not { } deadline)
        {
            return _text;
        }

        var left = deadline - now;
        if (left < TimeSpan.Zero)
        {
            left = TimeSpan.Zero;
        }

        return $"{_text} ({(int)left.TotalMinutes}:{left.Seconds:00} left, Ctrl+C to cancel)";
    }
}
