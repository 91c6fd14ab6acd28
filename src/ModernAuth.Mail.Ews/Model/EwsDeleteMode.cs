namespace ModernAuth.Mail.Ews;

/// <summary>How <see cref="EwsClient.DeleteItemAsync"/> deletes (EWS <c>DeleteType</c>).</summary>
public enum EwsDeleteMode
{
    /// <summary>Moves the item to Deleted Items (<c>MoveToDeletedItems</c>): the user can get it back.</summary>
    MoveToDeletedItems = 0,

    /// <summary>Moves the item to the dumpster (<c>SoftDelete</c>): recoverable with "Recover deleted items".</summary>
    SoftDelete = 1,

    /// <summary>Deletes the item permanently (<c>HardDelete</c>), subject to retention policies.</summary>
    HardDelete = 2,
}
