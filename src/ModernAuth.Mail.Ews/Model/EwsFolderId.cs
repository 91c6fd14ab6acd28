namespace ModernAuth.Mail.Ews;

/// <summary>
/// A folder: either a well-known (distinguished) folder such as <see cref="Inbox"/>, which EWS finds by name in the
/// client's mailbox, or a folder id that EWS returned.
/// </summary>
public sealed class EwsFolderId : IEquatable<EwsFolderId>
{
    private EwsFolderId(string id, string? changeKey, bool isWellKnown)
    {
        Id = id;
        ChangeKey = changeKey;
        IsWellKnown = isWellKnown;
    }

    /// <summary>The Inbox (<c>inbox</c>).</summary>
    public static EwsFolderId Inbox { get; } = new("inbox", null, true);

    /// <summary>Sent Items (<c>sentitems</c>).</summary>
    public static EwsFolderId SentItems { get; } = new("sentitems", null, true);

    /// <summary>Drafts (<c>drafts</c>).</summary>
    public static EwsFolderId Drafts { get; } = new("drafts", null, true);

    /// <summary>Deleted Items (<c>deleteditems</c>).</summary>
    public static EwsFolderId DeletedItems { get; } = new("deleteditems", null, true);

    /// <summary>Junk Email (<c>junkemail</c>).</summary>
    public static EwsFolderId JunkEmail { get; } = new("junkemail", null, true);

    /// <summary>The Outbox (<c>outbox</c>).</summary>
    public static EwsFolderId Outbox { get; } = new("outbox", null, true);

    /// <summary>The root of the folders a user sees, "Top of Information Store" (<c>msgfolderroot</c>).</summary>
    public static EwsFolderId MsgFolderRoot { get; } = new("msgfolderroot", null, true);

    /// <summary>The well-known name (for example <c>inbox</c>) or the EWS folder id.</summary>
    public string Id { get; }

    /// <summary>The change key of a folder id, when known; always <see langword="null"/> for well-known folders.</summary>
    public string? ChangeKey { get; }

    /// <summary>Whether <see cref="Id"/> is a well-known folder name (an EWS <c>DistinguishedFolderId</c>) rather than a folder id.</summary>
    public bool IsWellKnown { get; }

    /// <summary>A well-known folder by its EWS name, for example <c>inbox</c>, <c>archivemsgfolderroot</c> or <c>calendar</c>.</summary>
    /// <param name="name">The name as EWS spells it (<c>DistinguishedFolderIdNameType</c>), letters and digits only.</param>
    /// <returns>The folder.</returns>
    /// <exception cref="ArgumentException"><paramref name="name"/> is empty or not a plain name.</exception>
    public static EwsFolderId WellKnown(string name)
    {
        if (string.IsNullOrWhiteSpace(name) || !name.Trim().All(char.IsLetterOrDigit))
        {
            throw new ArgumentException("A well-known folder name is a plain word such as inbox, sentitems, drafts, deleteditems or msgfolderroot.", nameof(name));
        }

        return new EwsFolderId(name.Trim(), null, true);
    }

    /// <summary>A folder by the id EWS returned (for example <see cref="EwsFolder.Id"/>).</summary>
    /// <param name="id">The folder id.</param>
    /// <param name="changeKey">Its change key, when known.</param>
    /// <returns>The folder.</returns>
    /// <exception cref="ArgumentException"><paramref name="id"/> is empty.</exception>
    public static EwsFolderId FromId(string id, string? changeKey = null)
    {
        if (string.IsNullOrWhiteSpace(id))
        {
            throw new ArgumentException("The folder id is empty.", nameof(id));
        }

        return new EwsFolderId(id, string.IsNullOrEmpty(changeKey) ? null : changeKey, false);
    }

    /// <inheritdoc/>
    public bool Equals(EwsFolderId? other) =>
        other is not null && IsWellKnown == other.IsWellKnown &&
        string.Equals(Id, other.Id, IsWellKnown ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => Equals(obj as EwsFolderId);

    /// <inheritdoc/>
    public override int GetHashCode() => IsWellKnown ? StringComparer.OrdinalIgnoreCase.GetHashCode(Id) : StringComparer.Ordinal.GetHashCode(Id);

    /// <inheritdoc/>
    public override string ToString() => IsWellKnown ? Id : "FolderId " + Id;
}
