namespace ModernAuth.Mail.Cli.Commands;

internal static class InputReader
{
    /// <summary>The argument, or standard input when it is <c>-</c> (or absent while input is piped).</summary>
    /// <exception cref="UsageException">Nothing was given.</exception>
    public static async Task<string> ReadAsync(string? argument, CliConsole console, string what, CancellationToken cancellationToken)
    {
        if (argument is not null && argument != "-")
        {
            return argument;
        }

        if (argument is null && !console.IsInputRedirected)
        {
            throw new UsageException($"Give the {what} as the argument, or '-' to read it from standard input.");
        }

        return await console.In.ReadToEndAsync(cancellationToken);
    }
}
