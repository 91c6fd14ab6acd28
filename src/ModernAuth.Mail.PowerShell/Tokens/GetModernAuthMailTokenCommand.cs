using System.Management.Automation;
using ModernAuth.Mail.Diagnostics;
using ModernAuth.Mail.PowerShell.SignIn;

namespace ModernAuth.Mail.PowerShell.Tokens;

/// <summary>
/// <para type="synopsis">Gets an OAuth 2.0 access token for IMAP, POP, SMTP, EWS or Microsoft Graph and shows a redacted summary of it.</para>
/// <para type="description">Signs in with the same parameters as Send-ModernAuthMailMessage (or a profile) and gets a token for the protocol. The result shows the account, expiry, audience, scopes or roles and a fingerprint, never the token. With -AsPlainText the token alone is written, for piping to Test-ModernAuthMailToken or another tool: treat it like a password.</para>
/// </summary>
/// <example>
/// <code>Get-ModernAuthMailToken -Protocol Smtp -TenantId contoso.onmicrosoft.com -ClientId 6a3f1c52-0e1b-4a7e-9d51-5c8f0b0e7a11 -ClientSecret $secret -Mailbox reports@contoso.com</code>
/// <para>Gets an app-only SMTP token for the mailbox and shows what it holds.</para>
/// </example>
/// <example>
/// <code>Get-ModernAuthMailToken -Profile reports -AsPlainText | Test-ModernAuthMailToken -Protocol Smtp -AccessType AppOnly</code>
/// <para>Pipes the raw token to the inspector.</para>
/// </example>
[Cmdlet(VerbsCommon.Get, "ModernAuthMailToken", DefaultParameterSetName = SignInParameterSets.Profile)]
[OutputType(typeof(ModernAuthMailToken), typeof(string))]
public sealed class GetModernAuthMailTokenCommand : ModernAuthMailboxCommand
{
    /// <summary>
    /// <para type="description">The protocol the token is for: Smtp (the default), Imap, Pop, Ews or Graph. It decides the scope asked for.</para>
    /// </summary>
    [Parameter(Position = 0)]
    public ModernAuthMailProtocol Protocol { get; set; } = ModernAuthMailProtocol.Smtp;

    /// <summary>
    /// <para type="description">Asks the token service for a new token instead of a cached one.</para>
    /// </summary>
    [Parameter]
    public SwitchParameter ForceRefresh { get; set; }

    /// <summary>
    /// <para type="description">Writes the raw token (a string) instead of the redacted summary. Anyone holding it can use the mailbox until it expires: do not log or store it.</para>
    /// </summary>
    [Parameter]
    public SwitchParameter AsPlainText { get; set; }

    /// <inheritdoc/>
    protected override void EndProcessing()
    {
        try
        {
            var settings = ResolveSettings();
            var cloud = settings.ResolveCloud();
            var (token, appOnly) = Run(async (log, cancellationToken) =>
            {
                var provider = CreateProvider(settings, log);
                log.Verbose($"Getting a token for {Protocol}.");
                var token = await provider.GetTokenAsync(new MailTokenRequest((MailProtocol)Protocol, settings.Mailbox, ForceRefresh), cancellationToken).ConfigureAwait(false);
                return (token, provider.IsAppOnly);
            });
            if (AsPlainText)
            {
                WriteObject(token.Token);
                return;
            }

            var inspection = new TokenInspector(new TokenInspectorOptions
            {
                Protocol = (MailProtocol)Protocol,
                AppOnly = appOnly,
                ClientId = settings.ClientId,
                TenantId = cloud.IsPersonalAccounts ? null : settings.TenantId,
                Cloud = cloud,
            }).Inspect(token.Token ?? string.Empty);
            WriteObject(new ModernAuthMailToken(Protocol, settings.Flow!.Value, token, inspection));
        }
        catch (Exception error) when (error is not PipelineStoppedException)
        {
            Fail(error, Protocol, terminating: true);
        }
    }
}
