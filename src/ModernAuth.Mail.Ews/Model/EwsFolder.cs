namespace ModernAuth.Mail.Ews;

/// <summary>A folder as <see cref="EwsClient.GetFolderAsync"/> returned it.</summary>
public sealed class EwsFolder
{
    /// <summary>Creates a folder description.</summary>
    /// <param name="id">The folder's id.</param>
    /// <param name="displayName">The name shown to users.</param>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    public EwsFolder(EwsFolderId id, string displayName)
    {
        Id = id ?? throw new ArgumentNullException(nameof(id));
        DisplayName = displayName ?? throw new ArgumentNullException(nameof(displayName));
    }

    /// <summary>The folder's id (never a well-known name): use it in later calls.</summary>
    public EwsFolderId Id { get; }

    /// <summary>The name shown to users, for example <c>Inbox</c>.</summary>
    public string DisplayName { get; }

    /// <summary>The folder class, for example <c>IPF.Note</c>, when EWS returned it.</summary>
    public string? FolderClass { get; init; }

    /// <summary>How many items the folder holds, when EWS returned it.</summary>
    public int? TotalCount { get; init; }

    /// <summary>How many unread items the folder holds, when EWS returned it.</summary>
    public int? UnreadCount { get; init; }

    /// <summary>How many folders it holds directly, when EWS returned it.</summary>
    public int? ChildFolderCount { get; init; }

    /// <inheritdoc/>
    public override string ToString() => $"{DisplayName} ({TotalCount?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "?"} items)";
}
