namespace ModernAuth.Mail.Cli;

/// <summary>
/// Where the tool reads and writes, and which environment it sees. The real console in <see cref="Program"/>;
/// captured writers and an explicit environment in tests, so a run is hermetic.
/// </summary>
internal sealed class CliConsole
{
    public required TextWriter Out { get; init; }

    public required TextWriter Error { get; init; }

    public required TextReader In { get; init; }

    /// <summary>Opens standard input as bytes (a MIME message for <c>send --eml -</c>); <see langword="null"/>: <see cref="In"/> as UTF-8.</summary>
    public Func<Stream>? OpenStandardInput { get; init; }

    /// <summary>Whether standard output goes to a file or a pipe (then no colours and no progress on it).</summary>
    public bool IsOutputRedirected { get; init; } = true;

    /// <summary>Whether standard error goes to a file or a pipe (then no spinners or live progress).</summary>
    public bool IsErrorRedirected { get; init; } = true;

    /// <summary>Whether standard input is not a terminal (then never prompt).</summary>
    public bool IsInputRedirected { get; init; } = true;

    /// <summary>Reads an environment variable; tests pass a dictionary.</summary>
    public required Func<string, string?> GetEnvironmentVariable { get; init; }

    /// <summary>The user's home folder (for the default profile file).</summary>
    public string HomeDirectory { get; init; } = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);

    public static CliConsole FromSystem() => new()
    {
        Out = Console.Out,
        Error = Console.Error,
        In = Console.In,
        OpenStandardInput = Console.OpenStandardInput,
        IsOutputRedirected = Console.IsOutputRedirected,
        IsErrorRedirected = Console.IsErrorRedirected,
        IsInputRedirected = Console.IsInputRedirected,
        GetEnvironmentVariable = Environment.GetEnvironmentVariable,
    };
}
