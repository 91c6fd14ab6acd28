namespace ModernAuth.Mail.PowerShell.Engine.Sending;

/// <summary>How a message leaves: <c>-Via Smtp|Graph|Ews</c>.</summary>
internal enum MailTransport
{
    /// <summary>SMTP with XOAUTH2 (STARTTLS, or implicit TLS on port 465).</summary>
    Smtp,

    /// <summary>Microsoft Graph <c>sendMail</c> with the MIME message (large attachments through upload sessions).</summary>
    Graph,

    /// <summary>EWS <c>CreateItem</c> with the MIME message.</summary>
    Ews,
}
