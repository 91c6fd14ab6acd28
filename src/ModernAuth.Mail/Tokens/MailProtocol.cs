namespace ModernAuth.Mail;

/// <summary>The mail protocol a token is for. It decides which scope a delegated flow asks for.</summary>
public enum MailProtocol
{
    /// <summary>IMAP (delegated scope <c>IMAP.AccessAsUser.All</c>, app role <c>IMAP.AccessAsApp</c>).</summary>
    Imap = 0,

    /// <summary>POP3 (delegated scope <c>POP.AccessAsUser.All</c>, app role <c>POP.AccessAsApp</c>).</summary>
    Pop = 1,

    /// <summary>SMTP submission (delegated scope <c>SMTP.Send</c>, app role <c>SMTP.SendAsApp</c>).</summary>
    Smtp = 2,

    /// <summary>Exchange Web Services (delegated scope <c>EWS.AccessAsUser.All</c>, app role <c>full_access_as_app</c>).</summary>
    Ews = 3,
}
