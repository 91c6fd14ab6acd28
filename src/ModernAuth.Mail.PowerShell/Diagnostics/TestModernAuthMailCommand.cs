using System.Management.Automation;
using ModernAuth.Mail.PowerShell.Engine.Testing;
using ModernAuth.Mail.PowerShell.SignIn;

namespace ModernAuth.Mail.PowerShell.Diagnostics;

/// <summary>
/// <para type="synopsis">Tests a mailbox end to end: gets a token, inspects it, connects, authenticates and does one harmless operation per protocol.</para>
/// <para type="description">The modernauth-mail tool's test, as objects: one per step (token, inspect, connect, authenticate, then IMAP select INBOX, POP STAT, SMTP NOOP, EWS or Graph get the inbox), each Passed, Failed (with its code and fix) or Skipped after a failure. Nothing is sent or changed. Signs in with the same parameters as Send-ModernAuthMailMessage.</para>
/// </summary>
/// <example>
/// <code>Test-ModernAuthMail -Protocol Smtp -Mailbox reports@contoso.com -Profile reports | Format-Table Protocol, Step, Result, Code, Fix</code>
/// <para>Checks that the app can sign in to SMTP as the mailbox before a scheduled task relies on it.</para>
/// </example>
/// <example>
/// <code>Test-ModernAuthMail -Protocol All -Profile reports | Where-Object Result -eq Failed</code>
/// <para>Shows only what failed, over IMAP, POP, SMTP, Graph and EWS.</para>
/// </example>
[Cmdlet(VerbsDiagnostic.Test, "ModernAuthMail", DefaultParameterSetName = SignInParameterSets.Profile)]
[OutputType(typeof(ModernAuthMailTestStep))]
public sealed class TestModernAuthMailCommand : ModernAuthMailboxCommand
{
    /// <summary>
    /// <para type="description">What to test: Smtp (the default), Imap, Pop, Ews, Graph, or All (IMAP, POP, SMTP, Graph, and EWS where the cloud has it).</para>
    /// </summary>
    [Parameter(Position = 0)]
    [ValidateSet("Smtp", "Imap", "Pop", "Ews", "Graph", "All")]
    public string Protocol { get; set; } = "Smtp";

    /// <summary>
    /// <para type="description">A certificate file (PEM or DER) the mail servers' TLS certificate may be, besides every certificate this machine trusts (a test or on-premises server).</para>
    /// </summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? TrustedCertificatePath { get; set; }

    /// <inheritdoc/>
    protected override void EndProcessing()
    {
        try
        {
            var settings = ResolveSettings();
            var cloud = settings.ResolveCloud();
            var protocols = Protocol == "All"
                ? cloud.Ews is null
                    ? new[] { MailProtocol.Imap, MailProtocol.Pop, MailProtocol.Smtp, MailProtocol.Graph }
                    : new[] { MailProtocol.Imap, MailProtocol.Pop, MailProtocol.Smtp, MailProtocol.Graph, MailProtocol.Ews }
                : new[] { (MailProtocol)Enum.Parse(typeof(MailProtocol), Protocol, ignoreCase: true) };
            var trusted = TrustedCertificatePath is null ? null : ProviderPath(TrustedCertificatePath);
            var steps = Run(async (log, cancellationToken) =>
            {
                var provider = CreateProvider(settings, log);
                var all = new List<MailTestStep>();
                foreach (var protocol in protocols)
                {
                    all.AddRange(await MailboxTester.RunAsync(provider, protocol, settings, cloud, trusted, log, cancellationToken).ConfigureAwait(false));
                }

                return all;
            });
            foreach (var step in steps)
            {
                WriteObject(new ModernAuthMailTestStep((Tokens.ModernAuthMailProtocol)step.Protocol, step.Step, step.Result, step.Detail, step.Elapsed, step.Code, step.Fix));
            }
        }
        catch (Exception error) when (error is not PipelineStoppedException)
        {
            Fail(error, Protocol, terminating: true);
        }
    }
}
