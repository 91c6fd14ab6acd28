using System.CommandLine;
using System.Text.Json;
using ModernAuth.Mail.Cli.Configuration;
using ModernAuth.Mail.Diagnostics;
using Spectre.Console;

namespace ModernAuth.Mail.Cli.Commands;

/// <summary><c>token</c>: acquire a token and show a redacted summary, or the raw token alone with --show.</summary>
internal static class TokenCommand
{
    public static Command Create(CliConsole console, GlobalOptions globals)
    {
        var protocol = new Option<string>("--protocol", "-p") { Description = "The protocol the token is for.", HelpName = "imap|pop|smtp|ews", DefaultValueFactory = _ => "imap" };
        protocol.AcceptOnlyFromAmong(ProtocolNames.All);
        var show = new Option<bool>("--show") { Description = "Print the raw token alone on standard output (for piping). Treat it like a password." };
        var json = new Option<bool>("--json") { Description = "Print the summary as JSON (never the token)." };
        var connection = new ConnectionOptions();
        var command = new Command("token", "Get a token with the configured flow and print a redacted summary: account, expiry, scopes or roles, fingerprint.");
        HelpExamples.Add(command, """
            Examples:
              modernauth-mail token --protocol smtp --flow secret --tenant contoso.com --client-id <id> --mailbox sender@contoso.com
              modernauth-mail token --protocol imap --flow device-code --cloud personal
              modernauth-mail token --protocol imap --show | modernauth-mail inspect - --protocol imap
              modernauth-mail --sandbox token --protocol smtp
            """);
        command.Options.Add(protocol);
        command.Options.Add(show);
        command.Options.Add(json);
        connection.AddTo(command);
        command.SetAction(async (parse, cancellationToken) =>
        {
            await using var context = new CommandContext(parse, console, globals, parse.GetValue(json) || parse.GetValue(show));
            var mailProtocol = ProtocolNames.Parse(parse.GetValue(protocol));
            var settings = await context.ResolveAsync(connection, cancellationToken);
            var factory = context.CreateProviderFactory(settings);
            var provider = await factory.CreateAsync(cancellationToken);
            var token = await context.Ui.RunAsync($"Getting a token for {mailProtocol.Name()} ({settings.Flow.Name()} flow)", status =>
            {
                factory.Status = status;
                return provider.GetTokenAsync(new MailTokenRequest(mailProtocol, settings.Mailbox), cancellationToken).AsTask();
            });

            if (parse.GetValue(show))
            {
                console.Out.WriteLine(token.Token);
                return ExitCodes.Ok;
            }

            var inspection = new TokenInspector(new TokenInspectorOptions
            {
                Protocol = mailProtocol,
                AppOnly = settings.Flow.IsAppOnly(),
                ClientId = settings.ClientId,
                TenantId = settings.Cloud.IsPersonalAccounts ? null : settings.TenantId,
                Cloud = settings.Cloud,
            }).Inspect(token.Token);
            if (parse.GetValue(json))
            {
                WriteJson(console.Out, mailProtocol, settings, token, inspection);
                return ExitCodes.Ok;
            }

            WriteSummary(context.Ui.Out, mailProtocol, settings, token, inspection);
            return ExitCodes.Ok;
        });
        return command;
    }

    private static void WriteSummary(IAnsiConsole output, MailProtocol protocol, CliSettings settings, MailAccessToken token, TokenInspectionResult inspection)
    {
        var summary = inspection.Summary;
        var now = TimeProvider.System.GetUtcNow();
        var grid = new Grid().AddColumn(new GridColumn().NoWrap()).AddColumn();
        void Row(string name, string? value) => grid.AddRow(new Text(name, new Style(decoration: Decoration.Bold)), new Text(value ?? "-"));
        Row("protocol", protocol.Name());
        Row("flow", settings.Flow.IsAppOnly() ? $"{settings.Flow.Name()} (app-only)" : $"{settings.Flow.Name()} (delegated)");
        Row("account", token.Account ?? summary.User ?? "-");
        Row("expires", $"{token.ExpiresOn.ToUniversalTime():yyyy-MM-dd HH:mm:ss} UTC (in {Math.Max(0, (int)(token.ExpiresOn - now).TotalMinutes)} min)");
        Row("kind", summary.Kind switch
        {
            TokenKind.Jwt => $"JWT v{summary.Version ?? "?"}",
            TokenKind.Opaque => "opaque (normal for personal accounts: nothing to decode)",
            _ => "malformed",
        });
        if (summary.Kind == TokenKind.Jwt)
        {
            Row("audience", summary.Audience);
            if (summary.Scopes.Count > 0)
            {
                Row("scopes", string.Join(" ", summary.Scopes));
            }

            if (summary.Roles.Count > 0)
            {
                Row("roles", string.Join(" ", summary.Roles));
            }

            Row("tenant", summary.TenantId);
            Row("app id", summary.AppId);
        }

        Row("fingerprint", token.Fingerprint);
        output.Write(grid);
        var errors = inspection.Findings.Where(f => f.Severity == MailFindingSeverity.Error).ToList();
        if (errors.Count > 0)
        {
            output.WriteLine();
            output.Write(new Text($"The token has {errors.Count} problem(s) ({string.Join(", ", errors.Select(e => e.Code))}): run `modernauth-mail inspect` on it for the fix.\n"));
        }
    }

    private static void WriteJson(TextWriter writer, MailProtocol protocol, CliSettings settings, MailAccessToken token, TokenInspectionResult inspection)
    {
        var summary = inspection.Summary;
        using var stream = new MemoryStream();
        using (var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartObject();
            json.WriteNumber("schemaVersion", 1);
            json.WriteString("kind", "token");
            json.WriteString("protocol", protocol.Name().ToLowerInvariant());
            json.WriteString("flow", settings.Flow.Name());
            json.WriteBoolean("appOnly", settings.Flow.IsAppOnly());
            json.WriteString("account", token.Account ?? summary.User);
            json.WriteString("expiresOn", token.ExpiresOn.ToUniversalTime().ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture));
            json.WriteString("tokenKind", summary.Kind.ToString().ToLowerInvariant());
            json.WriteString("audience", summary.Audience);
            json.WriteStartArray("scopes");
            foreach (var scope in summary.Scopes)
            {
                json.WriteStringValue(scope);
            }

            json.WriteEndArray();
            json.WriteStartArray("roles");
            foreach (var role in summary.Roles)
            {
                json.WriteStringValue(role);
            }

            json.WriteEndArray();
            json.WriteString("tenantId", summary.TenantId);
            json.WriteString("appId", summary.AppId);
            json.WriteString("fingerprint", token.Fingerprint);
            json.WriteBoolean("hasErrors", inspection.HasErrors);
            json.WriteEndObject();
        }

        writer.WriteLine(System.Text.Encoding.UTF8.GetString(stream.ToArray()));
    }
}
