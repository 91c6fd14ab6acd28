using System.CommandLine;
using System.Diagnostics;
using MailKit.Net.Smtp;
using MimeKit;
using ModernAuth.Mail.Cli.Configuration;

namespace ModernAuth.Mail.Cli.Commands;

/// <summary><c>send</c>: send a message over SMTP with XOAUTH2, EWS or Graph; built from options, or a finished one (<c>--eml</c>).</summary>
internal static class SendCommand
{
    public static Command Create(CliConsole console, GlobalOptions globals)
    {
        var from = new Option<string?>("--from") { Description = "The sender [default: the mailbox].", HelpName = "address" };
        var to = Many("--to", "A recipient (repeat the option for more).");
        var cc = Many("--cc", "A copy recipient (repeatable).");
        var bcc = Many("--bcc", "A blind copy recipient (repeatable).");
        var subject = new Option<string?>("--subject", "-s") { Description = "The subject.", HelpName = "text" };
        var body = new Option<string?>("--body") { Description = "The plain text body.", HelpName = "text" };
        var html = new Option<string?>("--html") { Description = "An HTML body (with --body, the message has both).", HelpName = "html" };
        var bodyFile = new Option<string?>("--body-file") { Description = "Read the body from a file (.html/.htm as HTML, anything else as plain text).", HelpName = "path" };
        var attach = Many("--attach", "Attach a file (repeatable).", "path");
        var priority = new Option<string?>("--priority") { Description = "The message priority.", HelpName = "low|normal|high" };
        priority.AcceptOnlyFromAmong("low", "normal", "high");
        var replyTo = Many("--reply-to", "A Reply-To address (repeatable).");
        var via = new Option<string>("--via") { Description = "smtp (XOAUTH2 on the cloud's SMTP server), ews, or graph (Microsoft Graph sendMail with MIME; attachments of 3 MB and more through upload sessions).", HelpName = "smtp|ews|graph", DefaultValueFactory = _ => "smtp" };
        via.AcceptOnlyFromAmong("smtp", "ews", "graph");
        var eml = new Option<string?>("--eml")
        {
            Description = "Send a finished message (an .eml file, or - for standard input) as it is, like sendmail -t: the sender from its Sender or From header and the recipients from To, Cc and Bcc, unless --from or --to name them (the SMTP envelope); Bcc is removed before sending.",
            HelpName = "path|-",
        };
        var connection = new ConnectionOptions();
        var command = new Command("send", "Send a message with OAuth: over SMTP with XOAUTH2 (default), EWS or Microsoft Graph. Prints the Message-Id; exit code 0 when the server accepted it.");
        HelpExamples.Add(command, """
            Examples:
              modernauth-mail send --mailbox sender@contoso.com --to someone@contoso.com --subject "Report" --body-file report.html --attach report.pdf
              modernauth-mail send --flow device-code --to me@outlook.com --subject Hi --body "Sent with OAuth" --cloud personal
              modernauth-mail --sandbox send --to adele@contoso.test --subject Hello --body "From the sandbox"
              modernauth-mail --sandbox send --via graph --to adele@contoso.test --subject Hello --attach report.pdf
              modernauth-mail send --mailbox sender@contoso.com --eml message.eml
              some-report-job | modernauth-mail send --mailbox sender@contoso.com --eml -
            """);
        foreach (var option in new Option[] { from, to, cc, bcc, subject, body, html, bodyFile, attach, priority, replyTo, via, eml })
        {
            command.Options.Add(option);
        }

        connection.AddTo(command);

        // --to is required unless the message comes whole (--eml): a parse error, so the usual pointer to --help follows.
        command.Validators.Add(result =>
        {
            if (result.GetResult(to) is null && result.GetResult(eml) is null)
            {
                result.AddError("Option '--to' is required (or give a finished message with --eml <file|->).");
            }
        });
        command.SetAction(async (parse, cancellationToken) =>
        {
            await using var context = new CommandContext(parse, console, globals, json: false);
            MimeMessage message;
            IReadOnlyList<MailboxAddress>? envelope = null;
            string? headerSender = null;
            if (parse.GetValue(eml) is { } emlPath)
            {
                var extra = new Option[] { cc, bcc, subject, body, html, bodyFile, attach, priority, replyTo }.Where(o => parse.GetResult(o) is not null).Select(o => o.Name).ToList();
                if (extra.Count > 0)
                {
                    throw new UsageException($"--eml sends the message as it is: {string.Join(", ", extra)} cannot be combined with it (only --from and --to, which set the envelope).");
                }

                var overrideTo = new InternetAddressList();
                AddAll(overrideTo, parse.GetValue(to), "--to");
                if (overrideTo.Count > 0 && parse.GetValue(via) != "smtp")
                {
                    throw new UsageException($"--to with --eml sets the SMTP envelope, which {parse.GetValue(via)} does not have: it sends to the message's To, Cc and Bcc headers. Put the recipients in the message, or use --via smtp.");
                }

                var loaded = await EmlMessage.LoadAsync(emlPath, console, cancellationToken);
                message = loaded.Message;
                envelope = loaded.EnvelopeRecipients(overrideTo.Mailboxes.ToList());
                headerSender = loaded.EnvelopeSender(null)?.Address;
            }
            else
            {
                message = await BuildMessageAsync(parse, from, to, cc, bcc, subject, body, html, bodyFile, attach, priority, replyTo, null, cancellationToken);
            }

            var settings = await context.ResolveAsync(connection, cancellationToken);
            var sender = parse.GetValue(from)?.Trim() ?? headerSender ?? settings.Mailbox;
            if (sender is null && settings.Flow.IsAppOnly())
            {
                throw new ConfigurationException("Sending with an app-only flow needs the sender: set --from <address> or --mailbox (MODERNAUTH_MAIL_MAILBOX, \"mailbox\" in the profile).");
            }

            var factory = context.CreateProviderFactory(settings);
            var provider = await factory.CreateAsync(cancellationToken);
            if (parse.GetValue(via) == "ews")
            {
                return await SendOverEwsAsync(context, factory, provider, settings, message, sender, cancellationToken);
            }

            if (parse.GetValue(via) == "graph")
            {
                return await SendOverGraphAsync(context, factory, provider, settings, message, sender, cancellationToken);
            }

            var endpoint = MailConnections.Endpoint(MailProtocol.Smtp, settings);
            var watch = Stopwatch.StartNew();
            await context.Ui.RunAsync($"Sending over SMTP ({endpoint.Host}:{endpoint.Port})", async status =>
            {
                factory.Status = status;
                using var smtp = (SmtpClient)MailConnections.Create(MailProtocol.Smtp, settings);
                try
                {
                    status.Set($"Connecting to {endpoint.Host}:{endpoint.Port}");
                    await MailConnections.ConnectAsync(smtp, endpoint, cancellationToken);
                    status.Set("Authenticating with XOAUTH2");
                    var mailbox = settings.Flow.IsAppOnly() ? settings.Mailbox ?? sender : settings.Mailbox;
                    await MailConnections.AuthenticateAsync(smtp, MailProtocol.Smtp, provider, mailbox, settings, cancellationToken);
                    if (message.From.Count == 0)
                    {
                        // A delegated sign-in with no mailbox configured sends as the signed-in user (the token's account).
                        var account = sender ?? (await provider.GetTokenAsync(new MailTokenRequest(MailProtocol.Smtp, mailbox), cancellationToken)).Account;
                        message.From.Add(Address(account ?? throw new ConfigurationException("The sender is not known: set --from <address>."), "--from"));
                    }

                    status.Set("Sending");
                    if (envelope is null)
                    {
                        await smtp.SendAsync(message, cancellationToken);
                    }
                    else
                    {
                        // sendmail -t: the envelope as resolved; Bcc never travels in the message.
                        var envelopeSender = Address(sender ?? message.From.Mailboxes.First().Address, "--from");
                        message.Headers.RemoveAll(HeaderId.Bcc);
                        await smtp.SendAsync(message, envelopeSender, envelope, cancellationToken);
                    }

                    return true;
                }
                finally
                {
                    await MailConnections.DisconnectQuietlyAsync(smtp);
                }
            });

            var recipients = envelope?.Count ?? message.To.Count + message.Cc.Count + message.Bcc.Count;
            console.Out.WriteLine($"Sent <{message.MessageId}> from {message.From} to {recipients} recipient(s) over SMTP ({endpoint.Host}:{endpoint.Port}) in {watch.Elapsed.TotalSeconds:F1} s.");
            return ExitCodes.Ok;
        });
        return command;
    }

    private static async Task<int> SendOverEwsAsync(CommandContext context, Auth.ProviderFactory factory, MailTokenProvider provider, CliSettings settings, MimeMessage message, string? sender, CancellationToken cancellationToken)
    {
        var watch = Stopwatch.StartNew();
        var mailbox = settings.Mailbox ?? sender ?? (await provider.GetTokenAsync(new MailTokenRequest(MailProtocol.Ews), cancellationToken)).Account
            ?? throw new ConfigurationException("The mailbox to send from is not known: set --from or --mailbox.");
        if (message.From.Count == 0)
        {
            message.From.Add(Address(sender ?? mailbox, "--from"));
        }

        using var ews = MailConnections.CreateEws(provider, mailbox, settings);
        await context.Ui.RunAsync($"Sending over EWS ({ews.Endpoint.Host})", async status =>
        {
            factory.Status = status;
            using var mime = new MemoryStream();
            await message.WriteToAsync(mime, cancellationToken);
            await ews.SendMimeAsync(mime.ToArray(), saveCopy: true, cancellationToken);
            return true;
        });

        var recipients = message.To.Count + message.Cc.Count + message.Bcc.Count;
        context.Console.Out.WriteLine($"Sent <{message.MessageId}> from {message.From} to {recipients} recipient(s) over EWS ({ews.Endpoint.GetLeftPart(UriPartial.Path)}) in {watch.Elapsed.TotalSeconds:F1} s.");
        return ExitCodes.Ok;
    }

    private static async Task<int> SendOverGraphAsync(CommandContext context, Auth.ProviderFactory factory, MailTokenProvider provider, CliSettings settings, MimeMessage message, string? sender, CancellationToken cancellationToken)
    {
        var watch = Stopwatch.StartNew();
        var mailbox = settings.Mailbox ?? sender ?? (await provider.GetTokenAsync(new MailTokenRequest(MailProtocol.Graph), cancellationToken)).Account
            ?? throw new ConfigurationException("The mailbox to send from is not known: set --from or --mailbox.");
        if (message.From.Count == 0)
        {
            message.From.Add(Address(sender ?? mailbox, "--from"));
        }

        using var graph = MailConnections.CreateGraph(provider, mailbox, settings);
        await context.Ui.RunAsync($"Sending through Microsoft Graph ({graph.Endpoint.Host})", async status =>
        {
            factory.Status = status;
            await graph.SendMessageAsync(message, cancellationToken);
            return true;
        });

        var recipients = message.To.Count + message.Cc.Count + message.Bcc.Count;
        context.Console.Out.WriteLine($"Sent <{message.MessageId}> from {message.From} to {recipients} recipient(s) through Microsoft Graph ({graph.Endpoint.GetLeftPart(UriPartial.Path)}) in {watch.Elapsed.TotalSeconds:F1} s.");
        return ExitCodes.Ok;
    }

    private static Option<string[]> Many(string name, string description, string helpName = "address") =>
        new(name) { Description = description, HelpName = helpName, AllowMultipleArgumentsPerToken = false, Arity = ArgumentArity.OneOrMore };

    private static async Task<MimeMessage> BuildMessageAsync(
        ParseResult parse,
        Option<string?> from,
        Option<string[]> to,
        Option<string[]> cc,
        Option<string[]> bcc,
        Option<string?> subject,
        Option<string?> body,
        Option<string?> html,
        Option<string?> bodyFile,
        Option<string[]> attach,
        Option<string?> priority,
        Option<string[]> replyTo,
        string? fallbackSender,
        CancellationToken cancellationToken)
    {
        var message = new MimeMessage { Subject = parse.GetValue(subject) ?? string.Empty };
        if ((parse.GetValue(from) ?? fallbackSender) is { Length: > 0 } sender)
        {
            message.From.Add(Address(sender, "--from"));
        }

        AddAll(message.To, parse.GetValue(to), "--to");
        AddAll(message.Cc, parse.GetValue(cc), "--cc");
        AddAll(message.Bcc, parse.GetValue(bcc), "--bcc");
        AddAll(message.ReplyTo, parse.GetValue(replyTo), "--reply-to");
        message.Priority = parse.GetValue(priority) switch
        {
            "low" => MessagePriority.NonUrgent,
            "high" => MessagePriority.Urgent,
            _ => MessagePriority.Normal,
        };

        var builder = new BodyBuilder { TextBody = parse.GetValue(body), HtmlBody = parse.GetValue(html) };
        if (parse.GetValue(bodyFile) is { } path)
        {
            if (builder.TextBody is not null || builder.HtmlBody is not null)
            {
                throw new UsageException("--body-file replaces --body and --html: give one or the other.");
            }

            var text = await ReadFileAsync(path, "--body-file", cancellationToken);
            if (Path.GetExtension(path).ToUpperInvariant() is ".HTML" or ".HTM")
            {
                builder.HtmlBody = text;
            }
            else
            {
                builder.TextBody = text;
            }
        }

        foreach (var attachment in parse.GetValue(attach) ?? [])
        {
            if (!File.Exists(attachment))
            {
                throw new UsageException($"The attachment {attachment} does not exist (--attach).");
            }

            await builder.Attachments.AddAsync(attachment, cancellationToken);
        }

        builder.TextBody ??= builder.HtmlBody is null ? string.Empty : null;
        message.Body = builder.ToMessageBody();
        return message;
    }

    private static async Task<string> ReadFileAsync(string path, string option, CancellationToken cancellationToken)
    {
        try
        {
            return await File.ReadAllTextAsync(path, cancellationToken);
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException)
        {
            throw new UsageException($"{path} could not be read ({option}): {error.Message}");
        }
    }

    private static void AddAll(InternetAddressList list, string[]? values, string option)
    {
        foreach (var value in values ?? [])
        {
            foreach (var part in value.Split([',', ';'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                list.Add(Address(part, option));
            }
        }
    }

    private static MailboxAddress Address(string value, string option) =>
        MailboxAddress.TryParse(value, out var address) && address.Address.Contains('@', StringComparison.Ordinal)
            ? address
            : throw new UsageException($"'{value}' is not an email address ({option}).");
}
