using System.CommandLine;
using System.Diagnostics;
using System.Text.Json;
using MailKit;
using MailKit.Net.Imap;
using MailKit.Net.Pop3;
using MailKit.Net.Smtp;
using ModernAuth.Mail.Cli.Configuration;
using ModernAuth.Mail.Cli.Output;
using ModernAuth.Mail.Diagnostics;
using Spectre.Console;

namespace ModernAuth.Mail.Cli.Commands;

/// <summary>
/// <c>test</c>: per protocol, acquire a token, inspect it, connect, authenticate and do one harmless operation; print a
/// table of the steps. The first failed step decides the exit code.
/// </summary>
internal static class TestCommand
{
    private static readonly string[] Targets = ["imap", "pop", "smtp", "ews", "graph", "all"];

    public static Command Create(CliConsole console, GlobalOptions globals)
    {
        var target = new Argument<string>("protocol") { Description = "imap, pop, smtp, ews, graph, or all (IMAP, POP, SMTP, Microsoft Graph, and EWS where the cloud offers it)." };
        target.AcceptOnlyFromAmong(Targets);
        var json = new Option<bool>("--json") { Description = "Print the steps as JSON instead of a table." };
        var find = new Option<string?>("--find") { Description = "IMAP: also wait up to 30 s for a message whose subject contains this text in INBOX, and read it (proves a sent message arrived).", HelpName = "subject" };
        var connection = new ConnectionOptions();
        var command = new Command("test", "Test a mailbox end to end: get a token, inspect it, connect, authenticate, and one harmless operation (IMAP: select INBOX; POP: STAT; SMTP: NOOP after AUTH; EWS: GetFolder inbox; Microsoft Graph: GetFolder inbox and list one message). Exit code 0 when every step passes.");
        HelpExamples.Add(command, """
            Examples:
              modernauth-mail test imap --flow certificate --certificate-path app.pfx --tenant contoso.com --client-id <id> --mailbox shared@contoso.com
              modernauth-mail test all --profile work --json
              modernauth-mail --sandbox test all
            """);
        command.Arguments.Add(target);
        command.Options.Add(json);
        command.Options.Add(find);
        connection.AddTo(command);
        command.SetAction(async (parse, cancellationToken) =>
        {
            var asJson = parse.GetValue(json);
            await using var context = new CommandContext(parse, console, globals, asJson);
            var settings = await context.ResolveAsync(connection, cancellationToken);
            // "all" includes EWS where the cloud has it (not personal accounts; the sandbox has its own fake EWS server).
            var protocols = parse.GetValue(target) switch
            {
                "all" => settings.Cloud.Ews is null
                    ? new[] { MailProtocol.Imap, MailProtocol.Pop, MailProtocol.Smtp, MailProtocol.Graph }
                    : [MailProtocol.Imap, MailProtocol.Pop, MailProtocol.Smtp, MailProtocol.Ews, MailProtocol.Graph],
                var one => [ProtocolNames.Parse(one)],
            };
            var mailbox = settings.Flow.IsAppOnly() ? settings.RequireMailbox($"Testing with the app-only {settings.Flow.Name()} flow") : settings.Mailbox;
            var factory = context.CreateProviderFactory(settings);
            var provider = await factory.CreateAsync(cancellationToken);
            var steps = new List<TestStep>();
            foreach (var protocol in protocols)
            {
                await context.Ui.RunAsync($"{protocol.Name()}: testing", async status =>
                {
                    factory.Status = status;
                    await RunProtocolAsync(protocol, settings, provider, mailbox, parse.GetValue(find), steps, status, cancellationToken);
                    return true;
                });
            }

            if (asJson)
            {
                WriteJson(console.Out, steps);
            }
            else
            {
                WriteTable(context.Ui.Out, steps, settings, mailbox);
            }

            var failed = steps.FirstOrDefault(s => s.Result == StepResult.Failed);
            return failed is null ? ExitCodes.Ok : failed.ExitCode;
        });
        return command;
    }

    private static async Task RunProtocolAsync(MailProtocol protocol, CliSettings settings, MailTokenProvider provider, string? mailbox, string? find, List<TestStep> steps, ProgressStatus status, CancellationToken cancellationToken)
    {
        var name = protocol.Name();
        var remaining = new List<string> { "token", "inspect", "connect", "authenticate", Operation(protocol) };
        if (find is not null && protocol == MailProtocol.Imap)
        {
            remaining.Add("find message");
        }

        if (protocol == MailProtocol.Graph)
        {
            remaining.Add("list one message");
        }

        async Task<bool> Step<T>(string step, Func<Task<(T Value, string Detail)>> action, Func<T, TestStep?>? judge = null)
        {
            remaining.Remove(step);
            status.Set($"{name}: {step}");
            var watch = Stopwatch.StartNew();
            try
            {
                var (value, detail) = await action();
                var judged = judge?.Invoke(value);
                steps.Add(judged is null
                    ? new TestStep(name, step, StepResult.Passed, detail, watch.Elapsed)
                    : judged with { Elapsed = watch.Elapsed });
                return judged?.Result != StepResult.Failed;
            }
            catch (Exception error) when (error is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                steps.Add(TestStep.FromError(name, step, error, watch.Elapsed));
                foreach (var skipped in remaining)
                {
                    steps.Add(new TestStep(name, skipped, StepResult.Skipped, "not run: an earlier step failed", TimeSpan.Zero));
                }

                remaining.Clear();
                return false;
            }
        }

        MailAccessToken token = default;
        if (!await Step("token", async () =>
            {
                token = await provider.GetTokenAsync(new MailTokenRequest(protocol, mailbox), cancellationToken);
                return (token, $"{token.Account ?? "?"}, expires {token.ExpiresOn.ToUniversalTime():HH:mm} UTC, fingerprint {token.Fingerprint}");
            }))
        {
            return;
        }

        await Step("inspect", () =>
        {
            var result = new TokenInspector(new TokenInspectorOptions
            {
                Protocol = protocol,
                AppOnly = settings.Flow.IsAppOnly(),
                Mailbox = mailbox,
                ClientId = settings.ClientId,
                TenantId = settings.Cloud.IsPersonalAccounts ? null : settings.TenantId,
                Cloud = settings.Cloud,
            }).Inspect(token.Token);
            return Task.FromResult((result, result.Summary.Kind == TokenKind.Opaque ? "opaque token (normal for personal accounts)" : $"{result.Findings.Count(f => f.Severity == MailFindingSeverity.Error)} errors, {result.Findings.Count(f => f.Severity == MailFindingSeverity.Warning)} warnings"));
        }, result =>
        {
            var error = result.Findings.FirstOrDefault(f => f.Severity == MailFindingSeverity.Error);
            return error is null ? null : new TestStep(name, "inspect", StepResult.Failed, error.Observed, TimeSpan.Zero, error.Code, error.Fix, ExitCodes.Authentication);
        });

        if (protocol == MailProtocol.Graph)
        {
            // Graph is HTTP: connecting, authenticating and the operation are one request each.
            remaining.Remove("connect");
            remaining.Remove("authenticate");
            var graphMailbox = mailbox ?? token.Account ?? settings.RequireMailbox("Microsoft Graph");
            using var graph = MailConnections.CreateGraph(provider, graphMailbox, settings);
            if (await Step("GetFolder inbox", async () =>
            {
                var inbox = await graph.GetFolderAsync(Graph.GraphWellKnownFolders.Inbox, cancellationToken);
                return (true, $"{graph.Endpoint.GetLeftPart(UriPartial.Authority)}: {inbox}");
            }))
            {
                await Step("list one message", async () =>
                {
                    var page = await graph.FindItemsAsync(Graph.GraphWellKnownFolders.Inbox, pageSize: 1, cancellationToken: cancellationToken);
                    return (true, page.Items.Count == 0 ? "the inbox is empty" : $"{page.TotalItemsInView} message(s); newest: {page.Items[0].Subject}");
                });
            }

            return;
        }

        if (protocol == MailProtocol.Ews)
        {
            // EWS is HTTP: connecting, authenticating and the operation are one request.
            remaining.Remove("connect");
            remaining.Remove("authenticate");
            await Step("GetFolder inbox", async () =>
            {
                using var ews = MailConnections.CreateEws(provider, mailbox ?? token.Account ?? settings.RequireMailbox("EWS"), settings);
                var inbox = await ews.GetFolderAsync(Ews.EwsFolderId.Inbox, cancellationToken);
                return (true, $"{ews.Endpoint.GetLeftPart(UriPartial.Path)}: {inbox}");
            });
            return;
        }

        var endpoint = MailConnections.Endpoint(protocol, settings);
        using var client = MailConnections.Create(protocol, settings);
        try
        {
            if (!await Step("connect", async () =>
                {
                    await MailConnections.ConnectAsync(client, endpoint, cancellationToken);
                    return (true, $"{endpoint.Host}:{endpoint.Port} ({endpoint.TlsMode})");
                }))
            {
                return;
            }

            if (!await Step("authenticate", async () =>
                {
                    await MailConnections.AuthenticateAsync(client, protocol, provider, mailbox, settings, cancellationToken);
                    return (true, $"XOAUTH2/OAUTHBEARER as {mailbox ?? token.Account}");
                }))
            {
                return;
            }

            if (await Step(Operation(protocol), async () => client switch
                {
                    ImapClient imap => (true, await SelectInboxAsync(imap, cancellationToken)),
                    Pop3Client pop => (true, $"{await pop.GetMessageCountAsync(cancellationToken)} messages"),
                    SmtpClient smtp => (true, await NoOpAsync(smtp, cancellationToken)),
                    _ => (false, string.Empty),
                }) && find is not null && client is ImapClient found)
            {
                await Step("find message", async () => (true, await FindAsync(found, find, cancellationToken)));
            }
        }
        finally
        {
            await MailConnections.DisconnectQuietlyAsync(client);
        }
    }

    private static string Operation(MailProtocol protocol) => protocol switch
    {
        MailProtocol.Imap => "select INBOX",
        MailProtocol.Pop => "STAT",
        MailProtocol.Smtp => "NOOP",
        _ => "GetFolder inbox",
    };

    private static async Task<string> SelectInboxAsync(ImapClient imap, CancellationToken cancellationToken)
    {
        await imap.Inbox.OpenAsync(FolderAccess.ReadOnly, cancellationToken);
        return $"{imap.Inbox.Count} messages";
    }

    private static async Task<string> FindAsync(ImapClient imap, string subject, CancellationToken cancellationToken)
    {
        var waited = Stopwatch.StartNew();
        while (true)
        {
            var uids = await imap.Inbox.SearchAsync(global::MailKit.Search.SearchQuery.SubjectContains(subject), cancellationToken);
            if (uids.Count > 0)
            {
                var message = await imap.Inbox.GetMessageAsync(uids[^1], cancellationToken);
                var attachments = message.Attachments.Count();
                return $"\"{message.Subject}\" from {message.From}{(attachments > 0 ? $", {attachments} attachment(s)" : "")}";
            }

            if (waited.Elapsed > TimeSpan.FromSeconds(30))
            {
                throw new TimeoutException($"No message with \"{subject}\" in its subject arrived in INBOX within 30 s.");
            }

            await Task.Delay(250, cancellationToken);
            await imap.NoOpAsync(cancellationToken);
        }
    }

    private static async Task<string> NoOpAsync(SmtpClient smtp, CancellationToken cancellationToken)
    {
        await smtp.NoOpAsync(cancellationToken);
        return "250 OK";
    }

    private static void WriteTable(IAnsiConsole output, List<TestStep> steps, CliSettings settings, string? mailbox)
    {
        var table = new Table().Border(TableBorder.Rounded)
            .AddColumn("protocol").AddColumn("step").AddColumn("result").AddColumn(new TableColumn("time").RightAligned())
            .AddColumn("detail").AddColumn("finding").AddColumn("fix");
        foreach (var step in steps)
        {
            var result = step.Result switch
            {
                StepResult.Passed => "[green]ok[/]",
                StepResult.Failed => "[red]FAILED[/]",
                _ => "[grey]skipped[/]",
            };
            table.AddRow(
                new Text(step.Protocol),
                new Text(step.Step),
                new Markup(result),
                new Text(step.Result == StepResult.Skipped ? "" : $"{step.Elapsed.TotalMilliseconds:F0} ms"),
                new Text(Shorten(step.Detail, 48)),
                new Text(step.Code ?? ""),
                new Text(Shorten(step.Fix ?? "", 60)));
        }

        output.Write(new Text($"{settings.Cloud.Name} cloud, {settings.Flow.Name()} flow, {settings.Principal}, mailbox {mailbox ?? "(the signed-in user)"}\n"));
        output.Write(table);
        var failures = steps.Where(s => s.Result == StepResult.Failed).ToList();
        if (failures.Count == 0)
        {
            output.Write(new Text($"All {steps.Count} steps passed.\n"));
            return;
        }

        foreach (var failure in failures)
        {
            output.Write(new Text($"\n{failure.Protocol} {failure.Step} failed{(failure.Code is null ? "" : $" ({failure.Code})")}: {failure.Detail}\n"));
            if (failure.Fix is not null)
            {
                output.Write(new Text($"To fix it: {failure.Fix}\n"));
            }
        }
    }

    private static string Shorten(string text, int length)
    {
        var firstLine = text.Split('\n')[0].Trim();
        return firstLine.Length <= length ? firstLine : firstLine[..(length - 3)] + "...";
    }

    private static void WriteJson(TextWriter writer, List<TestStep> steps)
    {
        using var stream = new MemoryStream();
        using (var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartObject();
            json.WriteNumber("schemaVersion", 1);
            json.WriteString("kind", "mailbox_test");
            json.WriteBoolean("success", steps.All(s => s.Result != StepResult.Failed));
            json.WriteStartArray("steps");
            foreach (var step in steps)
            {
                json.WriteStartObject();
                json.WriteString("protocol", step.Protocol.ToLowerInvariant());
                json.WriteString("step", step.Step);
                json.WriteString("result", step.Result switch { StepResult.Passed => "passed", StepResult.Failed => "failed", _ => "skipped" });
                json.WriteNumber("milliseconds", Math.Round(step.Elapsed.TotalMilliseconds, 1));
                json.WriteString("detail", step.Detail);
                json.WriteString("code", step.Code);
                json.WriteString("fix", step.Fix);
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        writer.WriteLine(System.Text.Encoding.UTF8.GetString(stream.ToArray()));
    }
}

internal enum StepResult
{
    Passed,
    Failed,
    Skipped,
}

internal sealed record TestStep(string Protocol, string Step, StepResult Result, string Detail, TimeSpan Elapsed, string? Code = null, string? Fix = null, int ExitCode = ExitCodes.Failure)
{
    public static TestStep FromError(string protocol, string step, Exception error, TimeSpan elapsed)
    {
        if (error is MailAuthenticationException failure)
        {
            var finding = failure.Findings.FirstOrDefault(f => f.Severity == MailFindingSeverity.Error);
            return new TestStep(protocol, step, StepResult.Failed, ErrorReporter.Paragraph(failure), elapsed, failure.ErrorCode, failure.Remedy ?? finding?.Fix, ErrorReporter.ExitCodeOf(error));
        }

        var (code, text) = ErrorReporter.Describe(error);
        return error switch
        {
            Ews.EwsException ews => new TestStep(protocol, step, StepResult.Failed, text, elapsed, ews.ErrorCode, ews.Remedy, code),
            Graph.GraphMailException graph => new TestStep(protocol, step, StepResult.Failed, text, elapsed, graph.ErrorCode, graph.Remedy, code),
            _ => new TestStep(protocol, step, StepResult.Failed, text, elapsed, null, null, code),
        };
    }
}
