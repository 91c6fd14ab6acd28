namespace ModernAuth.Mail.Ews;

/// <summary>One page of <see cref="EwsClient.FindItemsAsync"/>.</summary>
public sealed class EwsFindItemsResult
{
    /// <summary>Creates a page.</summary>
    /// <param name="items">The items of the page.</param>
    /// <param name="includesLastItemInRange">Whether the page reaches the end of the folder.</param>
    /// <param name="nextOffset">The offset of the next page, or <see langword="null"/> at the end.</param>
    /// <param name="totalItemsInView">How many items the folder view holds in all.</param>
    /// <exception cref="ArgumentNullException"><paramref name="items"/> is <see langword="null"/>.</exception>
    public EwsFindItemsResult(IReadOnlyList<EwsItem> items, bool includesLastItemInRange, int? nextOffset, int totalItemsInView)
    {
        Items = items ?? throw new ArgumentNullException(nameof(items));
        IncludesLastItemInRange = includesLastItemInRange;
        NextOffset = nextOffset;
        TotalItemsInView = totalItemsInView;
    }

    /// <summary>The items of this page, with their summary properties (no MIME content).</summary>
    public IReadOnlyList<EwsItem> Items { get; }

    /// <summary>Whether this page reaches the end of the folder. EWS may return fewer items than asked for (throttling): page on until this is true.</summary>
    public bool IncludesLastItemInRange { get; }

    /// <summary>The offset to ask for next, or <see langword="null"/> when <see cref="IncludesLastItemInRange"/>.</summary>
    public int? NextOffset { get; }

    /// <summary>How many items the folder view holds in all.</summary>
    public int TotalItemsInView { get; }
}
