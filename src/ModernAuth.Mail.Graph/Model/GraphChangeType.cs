namespace ModernAuth.Mail.Graph;

/// <summary>What happened to a message, as a Graph delta query reports it.</summary>
public enum GraphChangeType
{
    /// <summary>The message is new or changed (Graph's delta does not tell the two apart); <see cref="GraphItemChange.Item"/> holds it.</summary>
    CreatedOrUpdated = 0,

    /// <summary>The message was deleted or moved out of the folder.</summary>
    Deleted = 1,
}
