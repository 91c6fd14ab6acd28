using System.Management.Automation;
using ModernAuth.Mail.Diagnostics;

namespace ModernAuth.Mail.PowerShell.Diagnostics;

/// <summary>
/// <para type="synopsis">Explains a mail server's reply or a token service error (AADSTS...) and gives the fix.</para>
/// <para type="description">The catalog of the modernauth-mail tool (explain): paste a server's reply as it came (an SMTP reply such as 535 5.7.139 ..., an IMAP NO line, a POP -ERR line, a SASL challenge, a Microsoft Graph error, an AADSTS message), or pipe an error record, and get its stable code, whether retrying helps, what it usually means and what to do. Secrets in the text are never echoed back.</para>
/// </summary>
/// <example>
/// <code>Resolve-ModernAuthMailError "535 5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the Tenant."</code>
/// <para>Explains that SMTP AUTH is off for the tenant and gives the Set-TransportConfig command that turns it on.</para>
/// </example>
/// <example>
/// <code>$Error[0] | Resolve-ModernAuthMailError</code>
/// <para>Explains the last error (its message is read).</para>
/// </example>
[Cmdlet(VerbsDiagnostic.Resolve, "ModernAuthMailError")]
[OutputType(typeof(MailResponseExplanation))]
public sealed class ResolveModernAuthMailErrorCommand : PSCmdlet
{
    /// <summary>
    /// <para type="description">The server's reply or the error text, as it came (several lines are fine). An error record or exception from the pipeline is read by its message.</para>
    /// </summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true)]
    [ValidateNotNullOrEmpty]
    [Alias("Reply")]
    public object Message { get; set; } = string.Empty;

    /// <summary>
    /// <para type="description">Where the reply came from (Imap, Pop, Smtp, Ews or Graph), when the text alone does not say.</para>
    /// </summary>
    [Parameter]
    public Tokens.ModernAuthMailProtocol? Protocol { get; set; }

    /// <inheritdoc/>
    protected override void ProcessRecord()
    {
        var value = Message is PSObject wrapped ? wrapped.BaseObject : Message;
        var text = value switch
        {
            ErrorRecord record => record.ErrorDetails?.Message ?? record.Exception?.Message ?? record.ToString(),
            Exception exception => exception.Message,
            _ => value?.ToString() ?? string.Empty,
        };
        var explanation = MailResponseCatalog.Default.Explain(text, (MailProtocol?)Protocol);
        if (!explanation.IsRecognised)
        {
            WriteWarning("Not recognised. It needs the complete reply as the server sent it: the tagged IMAP line (A1 NO ...), the POP -ERR line, the SMTP reply with its code (535 5.7.3 ...), the SASL challenge, or the token service's error with its AADSTS number.");
        }

        WriteObject(explanation);
    }
}
