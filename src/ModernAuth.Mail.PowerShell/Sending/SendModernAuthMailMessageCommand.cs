using System.Diagnostics.CodeAnalysis;
using System.Management.Automation;
using System.Net.Mail;
using System.Text;
using ModernAuth.Mail.PowerShell.Engine.Sending;
using ModernAuth.Mail.PowerShell.Errors;
using ModernAuth.Mail.PowerShell.SignIn;

namespace ModernAuth.Mail.PowerShell.Sending;

/// <summary>
/// <para type="synopsis">Sends an email with OAuth 2.0: Send-MailMessage's parameters, signed in with an app registration or a user's device code, over SMTP (XOAUTH2), Microsoft Graph or EWS.</para>
/// <para type="description">Send-ModernAuthMailMessage takes every parameter of Send-MailMessage with the same name, type, alias, position and pipeline behaviour, so a script written for Send-MailMessage changes only the cmdlet's name and its sign-in: replace -Credential with -TenantId and -ClientId plus -ClientSecret, -CertificateThumbprint or -CertificatePath (app-only), -DeviceCode (a user signs in once), or -Profile (a profile of the modernauth-mail tool). Exchange Online no longer accepts passwords (Basic authentication) for SMTP; a -Credential gets an error that says which parameter to use instead, and its password is never used.</para>
/// <para type="description">Like Send-MailMessage it sends one message per call: files piped in (Get-ChildItem *.pdf | Send-ModernAuthMailMessage ...) become attachments of that message. Differences: TLS is always used (a token never crosses the network in clear: STARTTLS, or implicit TLS on port 465), so -UseSsl changes nothing; the default -Encoding is UTF-8 instead of ASCII (ASCII turns other characters into '?'); an invalid address stops the command before anything is sent instead of being skipped.</para>
/// <para type="description">Errors are PowerShell errors whose FullyQualifiedErrorId starts with the stable code of docs/troubleshooting.md (for example smtp_auth_disabled), with the fix in ErrorDetails.RecommendedAction and at the end of the message. -WhatIf shows what would be sent without signing in; -Verbose shows each step, never a token or a secret.</para>
/// </summary>
/// <example>
/// <code>Send-ModernAuthMailMessage -From reports@contoso.com -To ops@contoso.com -Subject "Nightly report" -Body $html -BodyAsHtml -Attachments report.csv -TenantId contoso.onmicrosoft.com -ClientId 6a3f1c52-0e1b-4a7e-9d51-5c8f0b0e7a11 -CertificateThumbprint 0123456789ABCDEF0123456789ABCDEF01234567 -CertificateStoreLocation LocalMachine</code>
/// <para>A scheduled task's report, sent as the app with a certificate from the machine's store.</para>
/// </example>
/// <example>
/// <code>Get-ChildItem C:\Exports\*.xlsx | Send-ModernAuthMailMessage -From reports@contoso.com -To ops@contoso.com -Subject Exports -Profile reports</code>
/// <para>Every file piped in is attached to one message; the sign-in comes from the profile "reports".</para>
/// </example>
/// <example>
/// <code>Send-ModernAuthMailMessage -From me@contoso.com -To you@contoso.com -Subject Hi -Body "Sent with OAuth" -ClientId 3c2b1a09-8f7e-4d6c-b5a4-938271605f4e -DeviceCode -Via Graph</code>
/// <para>Signs in as the user once with a device code and sends through Microsoft Graph.</para>
/// </example>
[Cmdlet(VerbsCommunications.Send, "ModernAuthMailMessage", SupportsShouldProcess = true, DefaultParameterSetName = SignInParameterSets.Profile)]
[OutputType(typeof(ModernAuthMailSendResult))]
[SuppressMessage("Performance", "CA1819:Properties should not return arrays", Justification = "Send-MailMessage's parameter types.")]
public sealed class SendModernAuthMailMessageCommand : ModernAuthMailCommand
{
    private readonly List<string> _attachments = [];

    /// <summary>
    /// <para type="description">Files to attach. Accepts paths from the pipeline (Get-ChildItem output binds by its PSPath); wildcards are expanded and relative paths are resolved from the current location.</para>
    /// </summary>
    [Parameter(ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    [Alias("PsPath")]
    public string[]? Attachments { get; set; }

    /// <summary>
    /// <para type="description">Blind carbon copy recipients, one address per value.</para>
    /// </summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string[]? Bcc { get; set; }

    /// <summary>
    /// <para type="description">The body of the message: plain text, or HTML with -BodyAsHtml.</para>
    /// </summary>
    [Parameter(Position = 2, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string? Body { get; set; }

    /// <summary>
    /// <para type="description">The body is HTML.</para>
    /// </summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [Alias("BAH")]
    public SwitchParameter BodyAsHtml { get; set; }

    /// <summary>
    /// <para type="description">The charset of the subject and body: utf8 (the default), ascii, unicode, utf32, a .NET encoding name such as iso-8859-1, a code page number or an Encoding object. Send-MailMessage's default is ASCII, which turns every other character into '?'; this cmdlet defaults to UTF-8, which loses nothing.</para>
    /// </summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [Alias("BE")]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(EncodingCompleter))]
    [EncodingTransformation]
    public Encoding Encoding { get; set; } = new UTF8Encoding(false);

    /// <summary>
    /// <para type="description">Carbon copy recipients, one address per value.</para>
    /// </summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string[]? Cc { get; set; }

    /// <summary>
    /// <para type="description">Delivery status notifications asked of the SMTP server (DSN): None (the default), OnSuccess, OnFailure, Delay or Never. SMTP only: Microsoft Graph and EWS have none, and a value other than None with -Via Graph or Ews gets a warning.</para>
    /// </summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [Alias("DNO")]
    [ValidateNotNullOrEmpty]
    public DeliveryNotificationOptions DeliveryNotificationOption { get; set; }

    /// <summary>
    /// <para type="description">The sender's address. With an app-only sign-in it is also the mailbox the token is for (the app needs SMTP.SendAsApp, or Mail.Send for Graph, and access to that mailbox); with a device code sign-in it must be the signed-in user or a mailbox they may send as.</para>
    /// </summary>
    [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string From { get; set; } = string.Empty;

    /// <summary>
    /// <para type="description">The SMTP server, host or host:port. Default: the profile's "smtpServer", else $PSEmailServer (as Send-MailMessage), else the cloud's SMTP server (smtp.office365.com, port 587).</para>
    /// </summary>
    [Parameter(Position = 3, ValueFromPipelineByPropertyName = true)]
    [Alias("ComputerName")]
    [ValidateNotNullOrEmpty]
    public string? SmtpServer { get; set; }

    /// <summary>
    /// <para type="description">The priority: Normal (the default), High or Low. Written to the Priority, X-Priority and Importance headers, as Send-MailMessage does.</para>
    /// </summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public MailPriority Priority { get; set; }

    /// <summary>
    /// <para type="description">Reply-To addresses, one per value.</para>
    /// </summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    public string[]? ReplyTo { get; set; }

    /// <summary>
    /// <para type="description">The subject.</para>
    /// </summary>
    [Parameter(Mandatory = false, Position = 1, ValueFromPipelineByPropertyName = true)]
    [Alias("sub")]
    public string? Subject { get; set; }

    /// <summary>
    /// <para type="description">The recipients, one address per value (an array for several).</para>
    /// </summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string[] To { get; set; } = [];

    /// <summary>
    /// <para type="description">Not accepted: Exchange Online no longer takes passwords (Basic authentication) for SMTP. Kept with Send-MailMessage's name and type so an old script fails with an error that says which sign-in parameter to use instead; the password is never read or sent.</para>
    /// </summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [Credential]
    [ValidateNotNullOrEmpty]
    public PSCredential? Credential { get; set; }

    /// <summary>
    /// <para type="description">Accepted for compatibility and changes nothing: TLS is always used (STARTTLS, or implicit TLS on port 465), because the connection carries a token.</para>
    /// </summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    public SwitchParameter UseSsl { get; set; }

    /// <summary>
    /// <para type="description">The SMTP port. Default: the port of -SmtpServer, else of the profile's server, else 587. 465 means implicit TLS; any other port STARTTLS.</para>
    /// </summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ValidateRange(0, int.MaxValue)]
    public int Port { get; set; }

    /// <summary>
    /// <para type="description">How to send: Smtp (the default: XOAUTH2 on the SMTP server), Graph (Microsoft Graph sendMail; needs Mail.Send) or Ews (EWS; for on-premises Exchange with Hybrid Modern Auth).</para>
    /// </summary>
    [Parameter]
    public ModernAuthMailTransport Via { get; set; } = ModernAuthMailTransport.Smtp;

    /// <summary>
    /// <para type="description">A certificate file (PEM or DER) the mail server's TLS certificate may be, besides every certificate this machine trusts: for a test or on-premises server with a self-signed certificate. Only that exact certificate is added; nothing else is loosened.</para>
    /// </summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? TrustedCertificatePath { get; set; }

    /// <summary>
    /// <para type="description">Writes what was sent (Message-Id, sender, recipients, server) to the pipeline. Without it, like Send-MailMessage, nothing is written.</para>
    /// </summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    /// <inheritdoc/>
    protected override void ProcessRecord()
    {
        foreach (var path in Attachments ?? [])
        {
            try
            {
                _attachments.AddRange(GetResolvedProviderPathFromPSPath(path, out _));
            }
            catch (ItemNotFoundException error)
            {
                Fail(new CmdletFailure("attachment_not_found", $"The attachment '{path}' does not exist: {error.Message}", "Check the path given to -Attachments (relative paths are resolved from the current location).", ErrorCategory.ObjectNotFound), path, terminating: true);
            }
        }
    }

    /// <inheritdoc/>
    protected override void EndProcessing()
    {
        if (Credential is not null)
        {
            Fail(new CmdletFailure(
                ModernAuth.Mail.Diagnostics.MailFindingCodes.SmtpBasicAuthRemoved,
                $"-Credential holds a password (for '{Credential.UserName}'), and Exchange Online no longer accepts passwords for SMTP (Basic authentication is being removed; the server answers 535 5.7.139 or 550 5.7.30). The password was not used.",
                "Remove -Credential and sign in with OAuth: -TenantId and -ClientId with -ClientSecret, -CertificateThumbprint or -CertificatePath (an app registration with SMTP.SendAsApp), or -ClientId -DeviceCode (the user signs in once), or -Profile <name>. docs/powershell.md shows the change.",
                ErrorCategory.InvalidArgument), Credential.UserName, terminating: true);
        }

        try
        {
            var settings = ResolveSettings();
            var options = new SendOptions
            {
                Transport = (MailTransport)(int)Via,
                Cloud = settings.ResolveCloud(),
                SmtpServer = SmtpServer ?? settings.SmtpServer ?? NonEmpty(SessionState.PSVariable.GetValue("PSEmailServer")?.ToString()),
                Port = Port > 0 ? Port : null,
                Mailbox = settings.Mailbox,
                TrustedCertificatePath = TrustedCertificatePath is null ? null : ProviderPath(TrustedCertificatePath),
                DeliveryNotification = DeliveryNotificationOption,
            };
            var mail = new OutgoingMail
            {
                From = From,
                To = To,
                Cc = Cc ?? [],
                Bcc = Bcc ?? [],
                ReplyTo = ReplyTo ?? [],
                Subject = Subject,
                Body = Body,
                BodyAsHtml = BodyAsHtml,
                Encoding = Encoding,
                Priority = Priority,
                Attachments = _attachments,
            };
            var prepared = MailSender.Prepare(mail, options);
            if (DeliveryNotificationOption != DeliveryNotificationOptions.None && Via != ModernAuthMailTransport.Smtp)
            {
                WriteWarning($"-DeliveryNotificationOption is an SMTP feature: {Via} sends without delivery status notifications.");
            }

            var what = $"Message '{Subject}' from {From} to {mail.RecipientCount} recipient(s) ({string.Join(", ", To)}{(mail.Cc.Count + mail.Bcc.Count > 0 ? ", ..." : string.Empty)}), {_attachments.Count} attachment(s)";
            if (!ShouldProcess(what, $"Send over {Via} ({prepared.Server})"))
            {
                return;
            }

            var sent = Run(async (log, cancellationToken) =>
            {
                var provider = CreateProvider(settings, log);
                return await MailSender.SendAsync(provider, prepared, options, log, cancellationToken).ConfigureAwait(false);
            });
            if (PassThru)
            {
                WriteObject(new ModernAuthMailSendResult(sent.MessageId, sent.From, sent.Recipients, Via, sent.Server, sent.Elapsed));
            }
        }
        catch (Exception error) when (error is not PipelineStoppedException)
        {
            // Like Send-MailMessage: a bad parameter stops the command; a refused or failed send is a non-terminating error.
            var terminating = error is CmdletFailure or MailSettingsException
                || error is Engine.Failures.MailOperationException { Kind: Engine.Failures.MailFailureKind.InvalidInput or Engine.Failures.MailFailureKind.NotFound }
                || error is MailAuthenticationException { ErrorCode: MailErrorCodes.InvalidConfiguration };
            Fail(error, null, terminating);
        }
    }

    private static string? NonEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;
}
