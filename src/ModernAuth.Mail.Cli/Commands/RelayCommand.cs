using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Options;
using ModernAuth.Mail.Cli.Configuration;
using ModernAuth.Mail.Relay;

namespace ModernAuth.Mail.Cli.Commands;

/// <summary>
/// <c>relay</c>: run the SMTP relay for legacy senders (<c>relay run</c>), print its queue (<c>relay status</c>), and make
/// the salted hash of a relay account's password (<c>relay hash-password</c>). See docs/relay.md.
/// </summary>
internal static class RelayCommand
{
    public static Command Create(CliConsole console, GlobalOptions globals)
    {
        _ = globals;
        var relay = new Command("relay", "The SMTP relay for devices and apps that can only send with a password: it spools every message to disk before answering 250 and delivers it to Exchange Online with OAuth (docs/relay.md).");
        relay.Subcommands.Add(CreateRun(console));
        relay.Subcommands.Add(CreateStatus(console));
        relay.Subcommands.Add(CreateHashPassword(console));
        HelpExamples.Add(relay, """
            Examples:
              modernauth-mail relay run --config relay.json
              modernauth-mail relay status --config relay.json
              modernauth-mail relay hash-password < password.txt
            """);
        return relay;
    }

    private static Command CreateRun(CliConsole console)
    {
        var config = new Option<string>("--config", "-c") { Description = "The relay's JSON configuration file (a \"Relay\" section; docs/relay.md).", Required = true, HelpName = "file" };
        var command = new Command("run", "Run the relay in the foreground until Ctrl+C (or SIGTERM, or a service stop when run by systemd / the Windows service manager).");
        command.Options.Add(config);
        command.SetAction(async (parse, cancellationToken) =>
        {
            var file = parse.GetValue(config)!;
            if (!File.Exists(file))
            {
                console.Error.WriteLine($"The relay configuration file '{file}' does not exist. Write one with a \"Relay\" section (docs/relay.md has a complete example) and pass it with --config.");
                return ExitCodes.Configuration;
            }

            try
            {
                console.Error.WriteLine($"Relay starting with {Path.GetFullPath(file)}; Ctrl+C stops it.");
                await RelayHost.RunAsync(new RelayHostSettings { ConfigurationFile = file }, cancellationToken);
                return ExitCodes.Ok;
            }
            catch (OptionsValidationException error)
            {
                console.Error.WriteLine("The relay configuration is not valid:");
                foreach (var failure in error.Failures)
                {
                    console.Error.WriteLine("  " + failure);
                }

                return ExitCodes.Configuration;
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return ExitCodes.Ok;
            }
        });
        return command;
    }

    private static Command CreateStatus(CliConsole console)
    {
        var config = new Option<string?>("--config", "-c") { Description = "The relay's configuration file: its Relay:SpoolDirectory is read.", HelpName = "file" };
        var spool = new Option<string?>("--spool") { Description = "The spool directory, instead of --config.", HelpName = "directory" };
        var deadLetters = new Option<bool>("--dead-letters") { Description = "List the dead-lettered messages (with their reasons) instead of the queue." };
        var json = new Option<bool>("--json") { Description = "Print the entries as JSON." };
        var command = new Command("status", "Print the relay's queue (or dead letters): id, sender, recipients, age, attempts, next attempt and the last error. Exit code 0; 3 when the spool cannot be found.");
        command.Options.Add(config);
        command.Options.Add(spool);
        command.Options.Add(deadLetters);
        command.Options.Add(json);
        command.SetAction(async (parse, cancellationToken) =>
        {
            var directory = parse.GetValue(spool) ?? SpoolFromConfiguration(parse.GetValue(config), console);
            if (directory is null)
            {
                return ExitCodes.Configuration;
            }

            if (!Directory.Exists(directory))
            {
                console.Error.WriteLine($"The spool directory '{directory}' does not exist: has the relay run with this configuration yet? Check Relay:SpoolDirectory.");
                return ExitCodes.Configuration;
            }

            var store = new RelaySpool(directory);
            var entries = parse.GetValue(deadLetters) ? await store.GetDeadLettersAsync(cancellationToken) : await store.GetQueueAsync(cancellationToken);
            if (parse.GetValue(json))
            {
                console.Out.WriteLine(JsonSerializer.Serialize(entries.Select(e => new
                {
                    id = e.Id,
                    sender = e.Sender,
                    recipients = e.Recipients,
                    client = e.Client,
                    receivedAt = e.ReceivedAt,
                    ageSeconds = (long)e.Age.TotalSeconds,
                    size = e.Size,
                    attempts = e.Attempts,
                    nextAttempt = e.NextAttempt,
                    lastErrorCode = e.LastErrorCode,
                    lastError = e.LastError,
                    deadLetteredAt = e.DeadLetteredAt,
                }), new JsonSerializerOptions { WriteIndented = true }));
                return ExitCodes.Ok;
            }

            var what = parse.GetValue(deadLetters) ? "dead letters" : "queued messages";
            console.Out.WriteLine($"{entries.Count} {what} in {Path.GetFullPath(directory)}");
            foreach (var e in entries)
            {
                var next = e.NextAttempt is { } n ? n.ToString("u", CultureInfo.InvariantCulture) : "-";
                console.Out.WriteLine($"  {e.Id}  from {e.Sender} to {e.RecipientCount} recipient(s), {FormatAge(e.Age)} old, {e.Attempts} attempt(s), next {next}");
                if (!string.IsNullOrEmpty(e.LastError))
                {
                    console.Out.WriteLine($"    last error{(e.LastErrorCode is null ? string.Empty : " (" + e.LastErrorCode + ")")}: {e.LastError}");
                }
            }

            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command CreateHashPassword(CliConsole console)
    {
        var file = new Option<string?>("--password-file") { Description = "Read the password from this file (first line) instead of standard input.", HelpName = "file" };
        var command = new Command("hash-password", "Print the salted PBKDF2-SHA256 hash of a relay account's password, for Relay:Accounts:N:PasswordHash. The password comes from standard input or --password-file, never from the command line.");
        command.Options.Add(file);
        command.SetAction(async (parse, cancellationToken) =>
        {
            var path = parse.GetValue(file);
            var text = path is not null ? await File.ReadAllTextAsync(path, cancellationToken) : await console.In.ReadToEndAsync(cancellationToken);
            var password = text.Split('\n')[0].TrimEnd('\r');
            if (password.Length == 0)
            {
                console.Error.WriteLine("No password given: pipe it on standard input (modernauth-mail relay hash-password < password.txt) or use --password-file.");
                return ExitCodes.Usage;
            }

            console.Out.WriteLine(RelayPasswordHasher.HashPassword(password));
            return ExitCodes.Ok;
        });
        return command;
    }

    private static string? SpoolFromConfiguration(string? configFile, CliConsole console)
    {
        if (configFile is null)
        {
            console.Error.WriteLine("Say where the spool is: --config relay.json (reads Relay:SpoolDirectory) or --spool <directory>.");
            return null;
        }

        if (!File.Exists(configFile))
        {
            console.Error.WriteLine($"The relay configuration file '{configFile}' does not exist.");
            return null;
        }

        try
        {
            using var document = JsonDocument.Parse(File.ReadAllText(configFile), new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
            if (document.RootElement.TryGetProperty("Relay", out var section) && section.TryGetProperty("SpoolDirectory", out var value) && value.GetString() is { Length: > 0 } directory)
            {
                return directory;
            }
        }
        catch (JsonException error)
        {
            console.Error.WriteLine($"The relay configuration file '{configFile}' is not valid JSON: {error.Message}");
            return null;
        }

        console.Error.WriteLine($"'{configFile}' has no Relay:SpoolDirectory: set it, or pass --spool <directory>.");
        return null;
    }

    private static string FormatAge(TimeSpan age) =>
        age.TotalDays >= 1 ? $"{age.TotalDays:F1} d" : age.TotalHours >= 1 ? $"{age.TotalHours:F1} h" : age.TotalMinutes >= 1 ? $"{age.TotalMinutes:F0} min" : $"{age.TotalSeconds:F0} s";
}
