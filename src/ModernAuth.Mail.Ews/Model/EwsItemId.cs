namespace ModernAuth.Mail.Ews;

/// <summary>An item's EWS id and change key, as EWS returned them. Two ids are equal when their <see cref="Id"/> is.</summary>
public sealed class EwsItemId : IEquatable<EwsItemId>
{
    /// <summary>Creates an item id.</summary>
    /// <param name="id">The id (base64, case-sensitive).</param>
    /// <param name="changeKey">The change key (needed by <see cref="EwsClient.SendItemAsync"/>), when known.</param>
    /// <exception cref="ArgumentException"><paramref name="id"/> is empty.</exception>
    public EwsItemId(string id, string? changeKey = null)
    {
        if (string.IsNullOrWhiteSpace(id))
        {
            throw new ArgumentException("The item id is empty.", nameof(id));
        }

        Id = id;
        ChangeKey = string.IsNullOrEmpty(changeKey) ? null : changeKey;
    }

    /// <summary>The id.</summary>
    public string Id { get; }

    /// <summary>The change key, when known.</summary>
    public string? ChangeKey { get; }

    /// <inheritdoc/>
    public bool Equals(EwsItemId? other) => other is not null && string.Equals(Id, other.Id, StringComparison.Ordinal);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => Equals(obj as EwsItemId);

    /// <inheritdoc/>
    public override int GetHashCode() => StringComparer.Ordinal.GetHashCode(Id);

    /// <inheritdoc/>
    public override string ToString() => Id;
}
