namespace ModernAuth.Mail.Graph;

/// <summary>How <see cref="GraphMailClient.DeleteItemAsync"/> deletes.</summary>
public enum GraphDeleteMode
{
    /// <summary>Graph's <c>DELETE</c>: the message moves to Deleted Items (EWS <c>MoveToDeletedItems</c>).</summary>
    MoveToDeletedItems = 0,

    /// <summary>Graph's <c>permanentDelete</c>: into the Purges folder of Recoverable Items (EWS <c>HardDelete</c>). Global cloud only.</summary>
    PermanentDelete = 1,
}
