namespace ModernAuth.Mail.Ews;

/// <summary>One change of <see cref="EwsClient.SyncFolderItemsAsync"/>.</summary>
public sealed class EwsItemChange
{
    /// <summary>Creates a change.</summary>
    /// <param name="changeType">What happened.</param>
    /// <param name="itemId">The item it happened to.</param>
    /// <param name="item">The item's summary for <see cref="EwsChangeType.Create"/> and <see cref="EwsChangeType.Update"/>; otherwise <see langword="null"/>.</param>
    /// <exception cref="ArgumentNullException"><paramref name="itemId"/> is <see langword="null"/>.</exception>
    public EwsItemChange(EwsChangeType changeType, EwsItemId itemId, EwsItem? item = null)
    {
        ChangeType = changeType;
        ItemId = itemId ?? throw new ArgumentNullException(nameof(itemId));
        Item = item;
    }

    /// <summary>What happened.</summary>
    public EwsChangeType ChangeType { get; }

    /// <summary>The item it happened to.</summary>
    public EwsItemId ItemId { get; }

    /// <summary>The item's summary for creates and updates; <see langword="null"/> for deletes and read-flag changes.</summary>
    public EwsItem? Item { get; }

    /// <summary>The new read state for <see cref="EwsChangeType.ReadFlagChange"/>; otherwise <see langword="null"/>.</summary>
    public bool? IsRead { get; init; }

    /// <inheritdoc/>
    public override string ToString() => $"{ChangeType} {ItemId.Id}";
}
