using System.Management.Automation;
using ModernAuth.Mail.Diagnostics;

namespace ModernAuth.Mail.PowerShell.Tokens;

/// <summary>
/// <para type="synopsis">Reads an access token without trusting it and reports what is wrong for the protocol and flow, with the fix.</para>
/// <para type="description">The inspector of the modernauth-mail tool (inspect): decodes the token (never sends it anywhere, never writes it), and checks its audience, scopes or roles, tenant, client id, mailbox and lifetime against what the protocol and flow need. Each finding has a stable code (docs/troubleshooting.md), what was seen, why it matters and the fix. An opaque token (personal accounts) is normal and not an error.</para>
/// </summary>
/// <example>
/// <code>Get-ModernAuthMailToken -Profile reports -AsPlainText | Test-ModernAuthMailToken -Protocol Smtp -AccessType AppOnly -Mailbox reports@contoso.com</code>
/// <para>Checks that the app's SMTP token carries SMTP.SendAsApp for the right audience.</para>
/// </example>
/// <example>
/// <code>(Test-ModernAuthMailToken -Token $token -Protocol Imap).Findings | Format-List Code, Observed, Fix</code>
/// <para>Lists each finding with its fix.</para>
/// </example>
[Cmdlet(VerbsDiagnostic.Test, "ModernAuthMailToken")]
[OutputType(typeof(TokenInspectionResult))]
public sealed class TestModernAuthMailTokenCommand : PSCmdlet
{
    /// <summary>
    /// <para type="description">The access token (from the pipeline, for example Get-ModernAuthMailToken -AsPlainText). It is only decoded here.</para>
    /// </summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true)]
    [ValidateNotNullOrEmpty]
    public string Token { get; set; } = string.Empty;

    /// <summary>
    /// <para type="description">The protocol the token will be used for: checks its scope or role. Default: not checked.</para>
    /// </summary>
    [Parameter]
    public ModernAuthMailProtocol? Protocol { get; set; }

    /// <summary>
    /// <para type="description">AppOnly (client credentials: roles) or Delegated (a signed-in user: scp). Default: the token's own kind.</para>
    /// </summary>
    [Parameter]
    [ValidateSet("AppOnly", "Delegated")]
    public string? AccessType { get; set; }

    /// <summary>
    /// <para type="description">The mailbox the token will open (the XOAUTH2 user). Default: not checked.</para>
    /// </summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? Mailbox { get; set; }

    /// <summary>
    /// <para type="description">The tenant id (a GUID) the token should be from. Default: not checked.</para>
    /// </summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? TenantId { get; set; }

    /// <summary>
    /// <para type="description">The client id the token should be issued to. Default: not checked.</para>
    /// </summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? ClientId { get; set; }

    /// <summary>
    /// <para type="description">The cloud, which decides the valid audiences: Global (the default), PersonalAccounts, UsGovernmentHigh, UsGovernmentDod or China.</para>
    /// </summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? Cloud { get; set; }

    /// <inheritdoc/>
    protected override void ProcessRecord()
    {
        var cloud = MailCloud.Global;
        if (Cloud is not null && !MailCloud.TryGetWellKnown(Cloud, out cloud))
        {
            ThrowTerminatingError(Errors.ErrorRecords.From(
                new Errors.CmdletFailure(MailErrorCodes.InvalidConfiguration, $"-Cloud '{Cloud}' is not a known cloud.", "Use Global, PersonalAccounts, UsGovernmentHigh, UsGovernmentDod or China.", ErrorCategory.InvalidArgument),
                Cloud));
        }

        WriteObject(new TokenInspector(new TokenInspectorOptions
        {
            Protocol = (MailProtocol?)Protocol,
            AppOnly = AccessType switch { "AppOnly" => true, "Delegated" => false, _ => null },
            Mailbox = Mailbox,
            TenantId = TenantId,
            ClientId = ClientId,
            Cloud = cloud,
        }).Inspect(Token.Trim()));
    }
}
