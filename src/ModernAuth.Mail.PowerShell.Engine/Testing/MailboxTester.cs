using System.Diagnostics;
using MailKit;
using MailKit.Net.Imap;
using MailKit.Net.Pop3;
using MailKit.Net.Smtp;
using MailKit.Security;
using ModernAuth.Mail.Diagnostics;
using ModernAuth.Mail.MailKit;
using ModernAuth.Mail.PowerShell.Engine.Failures;
using ModernAuth.Mail.PowerShell.Engine.Logging;
using ModernAuth.Mail.PowerShell.Engine.Tls;

namespace ModernAuth.Mail.PowerShell.Engine.Testing;

/// <summary>
/// The steps of <c>modernauth-mail test</c>, as objects: per protocol, get a token, inspect it, connect, authenticate and
/// do one harmless operation (IMAP: select INBOX; POP: STAT; SMTP: NOOP; EWS and Graph: get the inbox folder). A failed
/// step carries its code and fix; the steps after it are skipped.
/// </summary>
internal static class MailboxTester
{
    public static async Task<IReadOnlyList<MailTestStep>> RunAsync(
        MailTokenProvider provider, MailProtocol protocol, MailTokenProviderSettings settings, MailCloud cloud, string? trustedCertificatePath, EngineLog log, CancellationToken cancellationToken = default)
    {
        var steps = new List<MailTestStep>();
        var appOnly = provider.IsAppOnly;
        var mailbox = settings.Mailbox;
        var trust = ServerTrust.FromFile(trustedCertificatePath);
        var failed = false;

        async Task<T?> Step<T>(string name, Func<Task<(T Value, string Detail)>> action, Func<T, MailFinding?>? judge = null)
        {
            if (failed)
            {
                steps.Add(new MailTestStep(protocol, name, "Skipped", "not run: an earlier step failed", TimeSpan.Zero));
                return default;
            }

            log.Verbose($"{protocol}: {name}.");
            var watch = Stopwatch.StartNew();
            try
            {
                var (value, detail) = await action().ConfigureAwait(false);
                var finding = judge?.Invoke(value);
                failed = finding is not null;
                steps.Add(finding is null
                    ? new MailTestStep(protocol, name, "Passed", detail, watch.Elapsed)
                    : new MailTestStep(protocol, name, "Failed", finding.Observed, watch.Elapsed, finding.Code, finding.Fix));
                return value;
            }
            catch (Exception error) when (!(error is OperationCanceledException && cancellationToken.IsCancellationRequested))
            {
                failed = true;
                var described = FailureTranslator.Translate(error, protocol.ToString()) ?? error;
                var (code, fix) = described switch
                {
                    MailAuthenticationException mail => (mail.ErrorCode, mail.Remedy),
                    MailOperationException operation => (operation.ErrorCode, operation.Remedy),
                    Graph.GraphMailException graph => (graph.ErrorCode, graph.Remedy),
                    Ews.EwsException ews => (ews.ErrorCode, ews.Remedy),
                    _ => ("unexpected_error", "Run again with -Verbose; report the error if it persists."),
                };
                steps.Add(new MailTestStep(protocol, name, "Failed", described.Message, watch.Elapsed, code, fix));
                return default;
            }
        }

        var token = await Step("token", async () =>
        {
            var acquired = await provider.GetTokenAsync(new MailTokenRequest(protocol, mailbox), cancellationToken).ConfigureAwait(false);
            return (acquired, $"{acquired.Account ?? "?"}, expires {acquired.ExpiresOn.ToUniversalTime():HH:mm} UTC, fingerprint {acquired.Fingerprint}");
        }).ConfigureAwait(false);
        mailbox ??= token.Account;

        await Step("inspect", () =>
        {
            var result = new TokenInspector(new TokenInspectorOptions
            {
                Protocol = protocol,
                AppOnly = appOnly,
                Mailbox = protocol is MailProtocol.Graph or MailProtocol.Ews ? null : mailbox,
                ClientId = settings.ClientId,
                TenantId = cloud.IsPersonalAccounts ? null : settings.TenantId,
                Cloud = cloud,
            }).Inspect(token.Token ?? string.Empty);
            var detail = result.Summary.Kind == TokenKind.Opaque
                ? "opaque token (normal for personal accounts)"
                : $"{result.Findings.Count(f => f.Severity == MailFindingSeverity.Error)} errors, {result.Findings.Count(f => f.Severity == MailFindingSeverity.Warning)} warnings";
            return Task.FromResult((result, detail));
        }, result => result.Findings.FirstOrDefault(f => f.Severity == MailFindingSeverity.Error)).ConfigureAwait(false);

        switch (protocol)
        {
            case MailProtocol.Graph:
                using (var transport = trust?.CreateHandler())
                {
                    await Step("GetFolder inbox", async () =>
                    {
                        using var graph = new Graph.GraphMailClient(provider, mailbox ?? throw MailboxMissing(), new Graph.GraphMailClientOptions { Cloud = cloud, Transport = transport });
                        var inbox = await graph.GetFolderAsync(Graph.GraphWellKnownFolders.Inbox, cancellationToken).ConfigureAwait(false);
                        return (true, $"{graph.Endpoint.GetLeftPart(UriPartial.Authority)}: {inbox}");
                    }).ConfigureAwait(false);
                }

                break;
            case MailProtocol.Ews:
                using (var transport = trust?.CreateHandler())
                {
                    await Step("GetFolder inbox", async () =>
                    {
                        var endpoint = cloud.Ews ?? throw new MailOperationException("ews_not_offered", $"The cloud {cloud.Name} offers no EWS.", "Test IMAP, POP, SMTP or Graph instead.", MailFailureKind.NotSupported);
                        using var ews = new Ews.EwsClient(provider, mailbox ?? throw MailboxMissing(), new Ews.EwsClientOptions { Endpoint = endpoint, Transport = transport });
                        var inbox = await ews.GetFolderAsync(Ews.EwsFolderId.Inbox, cancellationToken).ConfigureAwait(false);
                        return (true, $"{endpoint.GetLeftPart(UriPartial.Path)}: {inbox}");
                    }).ConfigureAwait(false);
                }

                break;
            default:
                await RunMailKitAsync(protocol, provider, cloud, mailbox, trust, Step, cancellationToken).ConfigureAwait(false);
                break;
        }

        return steps;
    }

    private static async Task RunMailKitAsync(
        MailProtocol protocol, MailTokenProvider provider, MailCloud cloud, string? mailbox, ServerTrust? trust,
        Func<string, Func<Task<(bool, string)>>, Func<bool, MailFinding?>?, Task<bool>> step, CancellationToken cancellationToken)
    {
        var endpoint = cloud.GetEndpoint(protocol);
        using MailService client = protocol switch
        {
            MailProtocol.Imap => new ImapClient(new MailKitProtocolLogger()),
            MailProtocol.Pop => new Pop3Client(new MailKitProtocolLogger()),
            _ => new SmtpClient(new MailKitProtocolLogger()),
        };
        client.Timeout = 30_000;
        if (trust is not null)
        {
            client.ServerCertificateValidationCallback = (_, certificate, _, errors) => trust.Validate(certificate, errors);
            client.CheckCertificateRevocation = false;
        }

        try
        {
            await step("connect", async () =>
            {
                await client.ConnectAsync(endpoint.Host, endpoint.Port, endpoint.TlsMode switch
                {
                    MailTlsMode.Implicit => SecureSocketOptions.SslOnConnect,
                    MailTlsMode.StartTls => SecureSocketOptions.StartTls,
                    _ => SecureSocketOptions.None,
                }, cancellationToken).ConfigureAwait(false);
                return (true, $"{endpoint.Host}:{endpoint.Port} ({endpoint.TlsMode})");
            }, null).ConfigureAwait(false);
            await step("authenticate", async () =>
            {
                var authenticate = client switch
                {
                    ImapClient imap => imap.AuthenticateAsync(provider, mailbox, cancellationToken: cancellationToken),
                    Pop3Client pop => pop.AuthenticateAsync(provider, mailbox, cancellationToken: cancellationToken),
                    _ => ((SmtpClient)client).AuthenticateAsync(provider, mailbox, cancellationToken: cancellationToken),
                };
                await authenticate.ConfigureAwait(false);
                return (true, $"XOAUTH2/OAUTHBEARER as {mailbox ?? "the signed-in user"}");
            }, null).ConfigureAwait(false);
            await step(protocol switch { MailProtocol.Imap => "select INBOX", MailProtocol.Pop => "STAT", _ => "NOOP" }, async () =>
            {
                switch (client)
                {
                    case ImapClient imap:
                        await imap.Inbox.OpenAsync(FolderAccess.ReadOnly, cancellationToken).ConfigureAwait(false);
                        return (true, $"{imap.Inbox.Count} messages");
                    case Pop3Client pop:
                        return (true, $"{await pop.GetMessageCountAsync(cancellationToken).ConfigureAwait(false)} messages");
                    default:
                        await ((SmtpClient)client).NoOpAsync(cancellationToken).ConfigureAwait(false);
                        return (true, "250 OK");
                }
            }, null).ConfigureAwait(false);
        }
        finally
        {
            if (client.IsConnected)
            {
                try
                {
                    await client.DisconnectAsync(true, CancellationToken.None).ConfigureAwait(false);
                }
                catch (Exception error) when (error is IOException or ProtocolException or CommandException)
                {
                    // Leaving is best effort: the result is already known.
                }
            }
        }
    }

    private static MailOperationException MailboxMissing() =>
        new("mailbox_required", "The mailbox to test is not known.", "Give -Mailbox (app-only flows always need it).", MailFailureKind.InvalidInput);
}
