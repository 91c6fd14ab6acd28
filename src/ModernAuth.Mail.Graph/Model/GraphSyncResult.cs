namespace ModernAuth.Mail.Graph;

/// <summary>What <see cref="GraphMailClient.SyncFolderItemsAsync"/> found: the changes and the state to pass next time.</summary>
public sealed class GraphSyncResult
{
    /// <summary>Creates a result.</summary>
    /// <param name="syncState">The state for the next call (Graph's <c>@odata.nextLink</c> or <c>@odata.deltaLink</c>).</param>
    /// <param name="includesLastItemInRange">Whether every change so far was returned (a delta link), or more follow at once (a next link).</param>
    /// <param name="changes">The changes.</param>
    /// <exception cref="ArgumentException"><paramref name="syncState"/> is empty.</exception>
    /// <exception cref="ArgumentNullException"><paramref name="changes"/> is <see langword="null"/>.</exception>
    public GraphSyncResult(string syncState, bool includesLastItemInRange, IReadOnlyList<GraphItemChange> changes)
    {
        SyncState = string.IsNullOrEmpty(syncState) ? throw new ArgumentException("The sync state is empty.", nameof(syncState)) : syncState;
        IncludesLastItemInRange = includesLastItemInRange;
        Changes = changes ?? throw new ArgumentNullException(nameof(changes));
    }

    /// <summary>The state to store and pass to the next call. Treat it as opaque (it is a Graph URL).</summary>
    public string SyncState { get; }

    /// <summary>Whether every change so far was returned; when <see langword="false"/>, call again at once.</summary>
    public bool IncludesLastItemInRange { get; }

    /// <summary>The changes.</summary>
    public IReadOnlyList<GraphItemChange> Changes { get; }
}
