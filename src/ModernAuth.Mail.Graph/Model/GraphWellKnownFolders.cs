namespace ModernAuth.Mail.Graph;

/// <summary>Well-known folder names Graph accepts wherever a mail folder id goes (<c>/mailFolders/inbox</c>).</summary>
public static class GraphWellKnownFolders
{
    /// <summary>The Inbox.</summary>
    public const string Inbox = "inbox";

    /// <summary>Sent Items.</summary>
    public const string SentItems = "sentitems";

    /// <summary>Drafts.</summary>
    public const string Drafts = "drafts";

    /// <summary>Deleted Items.</summary>
    public const string DeletedItems = "deleteditems";

    /// <summary>Junk Email.</summary>
    public const string JunkEmail = "junkemail";

    /// <summary>The Archive folder.</summary>
    public const string Archive = "archive";

    /// <summary>The Outbox.</summary>
    public const string Outbox = "outbox";

    /// <summary>The root of the mailbox's folders (EWS <c>msgfolderroot</c>).</summary>
    public const string MsgFolderRoot = "msgfolderroot";
}
