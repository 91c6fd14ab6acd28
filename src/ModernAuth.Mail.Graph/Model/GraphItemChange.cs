namespace ModernAuth.Mail.Graph;

/// <summary>One change a delta query reported.</summary>
public sealed class GraphItemChange
{
    /// <summary>Creates a change.</summary>
    /// <param name="changeType">What happened.</param>
    /// <param name="itemId">The message id.</param>
    /// <param name="item">The message, for <see cref="GraphChangeType.CreatedOrUpdated"/>.</param>
    /// <exception cref="ArgumentException"><paramref name="itemId"/> is empty.</exception>
    public GraphItemChange(GraphChangeType changeType, string itemId, GraphMailMessage? item = null)
    {
        ChangeType = changeType;
        ItemId = string.IsNullOrEmpty(itemId) ? throw new ArgumentException("The message id is empty.", nameof(itemId)) : itemId;
        Item = item;
    }

    /// <summary>What happened.</summary>
    public GraphChangeType ChangeType { get; }

    /// <summary>The message id.</summary>
    public string ItemId { get; }

    /// <summary>The message as it is now (summary properties), or <see langword="null"/> when deleted.</summary>
    public GraphMailMessage? Item { get; }

    /// <inheritdoc/>
    public override string ToString() => $"GraphItemChange {{ ChangeType = {ChangeType}, ItemId = {ItemId} }}";
}
