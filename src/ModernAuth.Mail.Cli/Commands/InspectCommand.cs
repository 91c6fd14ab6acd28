using System.CommandLine;
using ModernAuth.Mail.Cli.Configuration;
using ModernAuth.Mail.Cli.Sandbox;
using ModernAuth.Mail.Diagnostics;

namespace ModernAuth.Mail.Cli.Commands;

/// <summary><c>inspect</c>: what a token says, against what the protocol and flow need. Never prints the token.</summary>
internal static class InspectCommand
{
    public static Command Create(CliConsole console, GlobalOptions globals)
    {
        var token = new Argument<string?>("token") { Description = "The access token, or - to read it from standard input (safer: it stays out of shell history).", Arity = ArgumentArity.ZeroOrOne };
        var protocol = new Option<string?>("--protocol", "-p") { Description = "The protocol the token will be used for: checks its scope or role.", HelpName = "imap|pop|smtp|ews" };
        protocol.AcceptOnlyFromAmong(ProtocolNames.All);
        var flow = new Option<string?>("--flow") { Description = "app (client credentials: roles) or delegated (a signed-in user: scp); secret, certificate, device-code and interactive are accepted too.", HelpName = "app|delegated" };
        flow.AcceptOnlyFromAmong("app", "app-only", "delegated", "secret", "certificate", "device-code", "interactive");
        var mailbox = new Option<string?>("--mailbox") { Description = "The mailbox it will open (XOAUTH2 user=).", HelpName = "address" };
        var tenant = new Option<string?>("--tenant", "--tenant-id") { Description = "The tenant id it should be for [env: MODERNAUTH_MAIL_TENANT_ID].", HelpName = "id" };
        var clientId = new Option<string?>("--client-id") { Description = "The client id it should be for [env: MODERNAUTH_MAIL_CLIENT_ID].", HelpName = "id" };
        var cloud = new Option<string?>("--cloud") { Description = "The cloud, which decides the valid audiences [default: Global].", HelpName = "name" };
        var json = new Option<bool>("--json") { Description = "Print the findings as JSON (schema: docs/diagnostics-json.md)." };
        var verifySignature = new Option<bool>("--verify-signature")
        {
            Description = "Also check the token's signature and issuer against the keys its authority publishes (OpenID Connect metadata and JWKS, fetched over HTTPS; with --sandbox, the sandbox's fake Entra ID).",
        };
        var command = new Command("inspect", "Read a token without trusting it and report what is wrong for the protocol and flow, with the fix. Exit code 0 when no finding is an error, 1 when one is (a cut-off JWT is; an opaque personal-account token is not), 2 on bad usage.");
        HelpExamples.Add(command, """
            Examples:
              modernauth-mail inspect - --protocol imap --flow app --mailbox shared@contoso.com < token.txt
              modernauth-mail token --protocol smtp --show | modernauth-mail inspect - --protocol smtp --json
              modernauth-mail inspect - --protocol ews --flow app --verify-signature < token.txt
            """);
        command.Arguments.Add(token);
        foreach (var option in new Option[] { protocol, flow, mailbox, tenant, clientId, cloud, json, verifySignature })
        {
            command.Options.Add(option);
        }

        command.SetAction(async (parse, cancellationToken) =>
        {
            var text = await InputReader.ReadAsync(parse.GetValue(token), console, "token", cancellationToken);
            var sandbox = parse.GetValue(globals.Sandbox);
            var cloudName = parse.GetValue(cloud) ?? Env(console, "CLOUD");
            var mailCloud = MailCloud.Global;
            if (cloudName is not null && !MailCloud.TryGetWellKnown(cloudName, out mailCloud))
            {
                throw new UsageException($"The cloud '{cloudName}' is not known: use Global, Personal, UsGovernmentHigh, UsGovernmentDod or China.");
            }

            var options = new TokenInspectorOptions
            {
                Protocol = parse.GetValue(protocol) is { } p ? ProtocolNames.Parse(p) : null,
                AppOnly = parse.GetValue(flow) switch
                {
                    "app" or "app-only" or "secret" or "certificate" => true,
                    "delegated" or "device-code" or "interactive" => false,
                    _ => null,
                },
                Mailbox = parse.GetValue(mailbox),
                TenantId = parse.GetValue(tenant) ?? Env(console, "TENANT_ID") ?? (sandbox ? SandboxEnvironment.LoadServers(console.GetEnvironmentVariable).TenantId : null),
                ClientId = parse.GetValue(clientId) ?? Env(console, "CLIENT_ID"),
                Cloud = mailCloud,
            };
            var result = new TokenInspector(options).Inspect(text);
            if (parse.GetValue(verifySignature) && result.Summary.Kind == TokenKind.Jwt)
            {
                // Opaque and malformed tokens have nothing to verify: the inspection already says so.
                var signature = await VerifySignatureAsync(console, text, mailCloud, sandbox, cancellationToken);
                result = new TokenInspectionResult(result.Summary, [.. result.Findings, .. signature]);
            }

            console.Out.WriteLine(parse.GetValue(json) ? MailFindingFormatter.FormatJson(result) : MailFindingFormatter.FormatText(result).TrimEnd());
            return result.HasErrors ? ExitCodes.Failure : ExitCodes.Ok;
        });
        return command;
    }

    /// <summary>
    /// The signature and issuer findings: against the cloud's authority host, or with --sandbox against the fake Entra ID
    /// the sandbox starts on the local servers' signing key, over HTTPS.
    /// </summary>
    private static async Task<IReadOnlyList<MailFinding>> VerifySignatureAsync(CliConsole console, string? token, MailCloud cloud, bool sandbox, CancellationToken cancellationToken)
    {
        if (!sandbox)
        {
            return await new TokenSignatureValidator(new TokenSignatureValidatorOptions { Cloud = cloud }).ValidateAsync(token, cancellationToken);
        }

        await using var environment = await SandboxEnvironment.StartAsync(console.GetEnvironmentVariable, personal: false, cancellationToken);
        using var transport = environment.Server.CreateTrustingHandler();
        var sandboxOptions = new TokenSignatureValidatorOptions { AuthorityHost = environment.Server.BaseAddress, Transport = transport };
        return await new TokenSignatureValidator(sandboxOptions).ValidateAsync(token, cancellationToken);
    }

    private static string? Env(CliConsole console, string name) =>
        console.GetEnvironmentVariable(SettingNames.EnvironmentPrefix + name) is { Length: > 0 } value ? value.Trim() : null;
}
