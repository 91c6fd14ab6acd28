namespace ModernAuth.Mail.PowerShell.Sending;

/// <summary>How Send-ModernAuthMailMessage sends: <c>-Via</c>.</summary>
public enum ModernAuthMailTransport
{
    /// <summary>SMTP with XOAUTH2 on the cloud's SMTP server (smtp.office365.com:587, STARTTLS) or -SmtpServer.</summary>
    Smtp = 0,

    /// <summary>Microsoft Graph sendMail with the MIME message (the way to send where SMTP AUTH stays off).</summary>
    Graph = 1,

    /// <summary>EWS with the MIME message (on-premises Exchange with Hybrid Modern Auth; EWS in Exchange Online ends in 2027).</summary>
    Ews = 2,
}
