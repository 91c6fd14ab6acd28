namespace ModernAuth.Mail.Graph;

/// <summary>One page of a folder's messages.</summary>
public sealed class GraphFindItemsResult
{
    /// <summary>Creates a page.</summary>
    /// <param name="items">The messages.</param>
    /// <param name="includesLastItemInRange">Whether this is the last page.</param>
    /// <param name="nextOffset">Where the next page starts, or <see langword="null"/> on the last page.</param>
    /// <param name="totalItemsInView">How many messages the folder holds.</param>
    /// <exception cref="ArgumentNullException"><paramref name="items"/> is <see langword="null"/>.</exception>
    public GraphFindItemsResult(IReadOnlyList<GraphMailMessage> items, bool includesLastItemInRange, int? nextOffset, int totalItemsInView)
    {
        Items = items ?? throw new ArgumentNullException(nameof(items));
        IncludesLastItemInRange = includesLastItemInRange;
        NextOffset = nextOffset;
        TotalItemsInView = totalItemsInView;
    }

    /// <summary>The messages, newest first.</summary>
    public IReadOnlyList<GraphMailMessage> Items { get; }

    /// <summary>Whether this is the last page.</summary>
    public bool IncludesLastItemInRange { get; }

    /// <summary>The offset of the next page, or <see langword="null"/> on the last page.</summary>
    public int? NextOffset { get; }

    /// <summary>How many messages the folder holds.</summary>
    public int TotalItemsInView { get; }
}
