using System.Diagnostics;

namespace ModernAuth.Mail.Cli.Tests.Support;

/// <summary>What one run of the tool printed and returned.</summary>
public sealed record CliResult(int ExitCode, string Out, string Error)
{
    public string All => Out + Error;

    public override string ToString() => $"exit {ExitCode}\n--- stdout\n{Out}\n--- stderr\n{Error}";
}

/// <summary>
/// Runs the tool through its real entry point with the real parsed command line: in process (<see cref="RunAsync"/>,
/// with captured writers, an explicit environment and a home folder of its own) or as the built executable
/// (<see cref="RunProcessAsync"/>). Every run sees only the environment given here plus the servers' location.
/// </summary>
public sealed class CliRunner
{
    private readonly Dictionary<string, string> _environment = new(StringComparer.Ordinal);

    public CliRunner()
    {
        Home = Directory.CreateTempSubdirectory("modernauth-cli-home-").FullName;
        var servers = Environment.GetEnvironmentVariable("MODERNAUTH_MAIL_SERVERS_DIR");
        if (!string.IsNullOrWhiteSpace(servers))
        {
            _environment["MODERNAUTH_MAIL_SERVERS_DIR"] = servers;
        }
    }

    /// <summary>A fresh home folder: no profiles file unless a test writes one.</summary>
    public string Home { get; }

    public CliRunner With(string name, string value)
    {
        _environment[name] = value;
        return this;
    }

    public string TempFile(string name, string? content = null)
    {
        var path = Path.Combine(Home, name);
        if (content is not null)
        {
            File.WriteAllText(path, content);
        }

        return path;
    }

    public async Task<CliResult> RunAsync(params string[] args) => await RunAsync(args, stdin: null, CancellationToken.None);

    public async Task<CliResult> RunAsync(string[] args, string? stdin, CancellationToken cancellationToken)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var console = new CliConsole
        {
            Out = output,
            Error = error,
            In = new StringReader(stdin ?? string.Empty),
            IsInputRedirected = true,
            IsOutputRedirected = true,
            IsErrorRedirected = true,
            GetEnvironmentVariable = name => _environment.TryGetValue(name, out var value) ? value : null,
            HomeDirectory = Home,
        };
        var code = await CliApp.RunAsync(args, console, cancellationToken);
        return new CliResult(code, output.ToString(), error.ToString());
    }

    /// <summary>The built executable (modernauth-mail.dll next to the tests), run with <c>dotnet</c>.</summary>
    public static string ExecutablePath => Path.Combine(AppContext.BaseDirectory, "modernauth-mail.dll");

    /// <param name="args">The command line.</param>
    /// <param name="stdin">Piped to standard input, then closed.</param>
    /// <param name="afterStart">Runs once the process is up (for example to send it SIGINT).</param>
    public async Task<CliResult> RunProcessAsync(string[] args, string? stdin = null, Func<Process, Task>? afterStart = null)
    {
        // perl (part of every Debian) restores SIGINT's default action: a process started from a background job
        // inherits SIGINT ignored, and .NET keeps an ignored SIGINT ignored, so Ctrl+C could not be tested otherwise.
        var start = new ProcessStartInfo("perl")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add("-e");
        start.ArgumentList.Add("$SIG{INT} = 'DEFAULT'; exec @ARGV or die \"exec: $!\";");
        start.ArgumentList.Add("dotnet");
        start.ArgumentList.Add(ExecutablePath);
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        foreach (var key in start.Environment.Keys.Where(k => k.StartsWith("MODERNAUTH_MAIL_", StringComparison.Ordinal)).ToList())
        {
            start.Environment.Remove(key);
        }

        foreach (var (name, value) in _environment)
        {
            start.Environment[name] = value;
        }

        start.Environment["HOME"] = Home;
        start.Environment["XDG_CONFIG_HOME"] = Path.Combine(Home, ".config");
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        if (stdin is not null)
        {
            await process.StandardInput.WriteAsync(stdin);
        }

        process.StandardInput.Close();
        if (afterStart is not null)
        {
            await afterStart(process);
        }

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"modernauth-mail {string.Join(' ', args)} did not exit within 90 s. stderr so far: {await error}");
        }

        return new CliResult(process.ExitCode, await output, await error);
    }
}
