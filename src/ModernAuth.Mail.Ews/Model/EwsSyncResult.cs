namespace ModernAuth.Mail.Ews;

/// <summary>The result of <see cref="EwsClient.SyncFolderItemsAsync"/>.</summary>
public sealed class EwsSyncResult
{
    /// <summary>Creates a result.</summary>
    /// <param name="syncState">The sync state to store and pass to the next call.</param>
    /// <param name="includesLastItemInRange">Whether every change up to now was returned.</param>
    /// <param name="changes">The changes, oldest first.</param>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    public EwsSyncResult(string syncState, bool includesLastItemInRange, IReadOnlyList<EwsItemChange> changes)
    {
        SyncState = syncState ?? throw new ArgumentNullException(nameof(syncState));
        IncludesLastItemInRange = includesLastItemInRange;
        Changes = changes ?? throw new ArgumentNullException(nameof(changes));
    }

    /// <summary>The opaque sync state: store it and pass it to the next call to get only newer changes.</summary>
    public string SyncState { get; }

    /// <summary>Whether every change up to now was returned; when <see langword="false"/>, call again at once with <see cref="SyncState"/>.</summary>
    public bool IncludesLastItemInRange { get; }

    /// <summary>The changes.</summary>
    public IReadOnlyList<EwsItemChange> Changes { get; }
}
