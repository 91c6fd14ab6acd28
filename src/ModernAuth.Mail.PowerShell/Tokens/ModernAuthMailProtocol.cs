namespace ModernAuth.Mail.PowerShell.Tokens;

/// <summary>
/// The protocols of the cmdlets' -Protocol: the values of ModernAuth.Mail's MailProtocol. The module's public types use
/// this copy because PowerShell reads them before the module's dependencies can load (a core enum in a public property
/// would fail the import).
/// </summary>
public enum ModernAuthMailProtocol
{
    /// <summary>IMAP.</summary>
    Imap = MailProtocolValues.Imap,

    /// <summary>POP3.</summary>
    Pop = MailProtocolValues.Pop,

    /// <summary>SMTP submission.</summary>
    Smtp = MailProtocolValues.Smtp,

    /// <summary>Exchange Web Services.</summary>
    Ews = MailProtocolValues.Ews,

    /// <summary>Microsoft Graph.</summary>
    Graph = MailProtocolValues.Graph,
}

/// <summary>MailProtocol's values as constants (compiled in, so reading them loads nothing); a test checks they match.</summary>
internal static class MailProtocolValues
{
    public const int Imap = (int)MailProtocol.Imap;
    public const int Pop = (int)MailProtocol.Pop;
    public const int Smtp = (int)MailProtocol.Smtp;
    public const int Ews = (int)MailProtocol.Ews;
    public const int Graph = (int)MailProtocol.Graph;
}
