namespace ModernAuth.Mail.Ews;

/// <summary>What happened to an item since the last sync (<see cref="EwsClient.SyncFolderItemsAsync"/>).</summary>
public enum EwsChangeType
{
    /// <summary>The item is new to the client.</summary>
    Create = 0,

    /// <summary>The item changed.</summary>
    Update = 1,

    /// <summary>The item was deleted or moved out of the folder: only <see cref="EwsItemChange.ItemId"/> is known.</summary>
    Delete = 2,

    /// <summary>Only the read flag changed (<see cref="EwsItemChange.IsRead"/>).</summary>
    ReadFlagChange = 3,
}
