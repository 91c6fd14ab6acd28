namespace ModernAuth.Mail;

/// <summary>The mail protocol (or API) a token is for. It decides which resource and scope a flow asks for.</summary>
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

    /// <summary>
    /// Microsoft Graph mail (delegated scopes <c>Mail.ReadWrite</c> and <c>Mail.Send</c>, app roles <c>Mail.ReadWrite</c>,
    /// <c>Mail.Send</c> or <c>Mail.Read</c>). Works for work accounts and personal Microsoft accounts.
    /// </summary>
    Graph = 4,
}
