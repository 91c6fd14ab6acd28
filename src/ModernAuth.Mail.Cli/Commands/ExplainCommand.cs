using System.CommandLine;
using ModernAuth.Mail.Cli.Configuration;
using ModernAuth.Mail.Diagnostics;

namespace ModernAuth.Mail.Cli.Commands;

/// <summary><c>explain</c>: the catalog's explanation of a server reply or an AADSTS error, pasted as it came.</summary>
internal static class ExplainCommand
{
    public static Command Create(CliConsole console, GlobalOptions globals)
    {
        _ = globals;
        var text = new Argument<string?>("reply") { Description = "The server's reply or the error text, quoted; - (or nothing, with piped input) reads standard input.", Arity = ArgumentArity.ZeroOrOne };
        var protocol = new Option<string?>("--protocol", "-p") { Description = "Where the reply came from, when the text alone does not say.", HelpName = "imap|pop|smtp|ews" };
        protocol.AcceptOnlyFromAmong(ProtocolNames.All);
        var json = new Option<bool>("--json") { Description = "Print the explanation as JSON (schema: docs/diagnostics-json.md)." };
        var command = new Command("explain", "Explain a server's reply (IMAP, POP, SMTP, a SASL challenge) or a token service error (AADSTS...) and give the fix. Exit code 0 when the reply was recognised, 1 when not.");
        HelpExamples.Add(command, """
            Examples:
              modernauth-mail explain "A1 NO AUTHENTICATE failed."
              modernauth-mail explain "535 5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the Tenant."
              pbpaste | modernauth-mail explain - --json
            """);
        command.Arguments.Add(text);
        command.Options.Add(protocol);
        command.Options.Add(json);
        command.SetAction(async (parse, cancellationToken) =>
        {
            var reply = await InputReader.ReadAsync(parse.GetValue(text), console, "server reply", cancellationToken);
            var explanation = MailResponseCatalog.Default.Explain(reply, parse.GetValue(protocol) is { } p ? ProtocolNames.Parse(p) : null);
            if (parse.GetValue(json))
            {
                console.Out.WriteLine(MailFindingFormatter.FormatJson(explanation));
            }
            else
            {
                console.Out.WriteLine(MailFindingFormatter.FormatText(explanation).TrimEnd());
                if (!explanation.IsRecognised && explanation.AadstsCode is null)
                {
                    console.Out.WriteLine();
                    console.Out.WriteLine("Not recognised. To explain it, it needs the complete reply as the server sent it: the tagged IMAP line (A1 NO ...), " +
                        "the POP -ERR line, the SMTP reply with its code (535 5.7.3 ...), the SASL challenge (+ eyJ... or 334 eyJ...), or the token " +
                        "service's error description with its AADSTS number.");
                }
            }

            return explanation.IsRecognised ? ExitCodes.Ok : ExitCodes.Failure;
        });
        return command;
    }
}
