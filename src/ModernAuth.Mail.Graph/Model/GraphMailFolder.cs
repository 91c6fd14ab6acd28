namespace ModernAuth.Mail.Graph;

/// <summary>A mail folder with its counts.</summary>
public sealed class GraphMailFolder
{
    /// <summary>Creates a folder.</summary>
    /// <param name="id">The folder id.</param>
    /// <param name="displayName">The folder's name.</param>
    /// <exception cref="ArgumentException"><paramref name="id"/> is empty.</exception>
    public GraphMailFolder(string id, string displayName)
    {
        Id = string.IsNullOrEmpty(id) ? throw new ArgumentException("The folder id is empty.", nameof(id)) : id;
        DisplayName = displayName ?? string.Empty;
    }

    /// <summary>The folder id.</summary>
    public string Id { get; }

    /// <summary>The folder's name.</summary>
    public string DisplayName { get; }

    /// <summary>How many messages it holds.</summary>
    public int? TotalCount { get; init; }

    /// <summary>How many of them are unread.</summary>
    public int? UnreadCount { get; init; }

    /// <summary>How many folders it holds.</summary>
    public int? ChildFolderCount { get; init; }

    /// <inheritdoc/>
    public override string ToString() => $"GraphMailFolder {{ DisplayName = {DisplayName}, TotalCount = {TotalCount}, UnreadCount = {UnreadCount} }}";
}
