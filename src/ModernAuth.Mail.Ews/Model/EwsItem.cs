namespace ModernAuth.Mail.Ews;

/// <summary>
/// An item (usually an email message) with the summary properties EWS returned, and its MIME content when
/// <see cref="EwsClient.GetItemAsync"/> asked for it.
/// </summary>
public sealed class EwsItem
{
    private readonly byte[]? _mimeContent;

    /// <summary>Creates an item description.</summary>
    /// <param name="id">The item's id.</param>
    /// <param name="mimeContent">The decoded MIME content (RFC 5322 bytes), or <see langword="null"/> when not requested. Not copied.</param>
    /// <exception cref="ArgumentNullException"><paramref name="id"/> is <see langword="null"/>.</exception>
    public EwsItem(EwsItemId id, byte[]? mimeContent = null)
    {
        Id = id ?? throw new ArgumentNullException(nameof(id));
        _mimeContent = mimeContent;
    }

    /// <summary>The item's id.</summary>
    public EwsItemId Id { get; }

    /// <summary>The item class, for example <c>IPM.Note</c>, when returned.</summary>
    public string? ItemClass { get; init; }

    /// <summary>The subject, when returned.</summary>
    public string? Subject { get; init; }

    /// <summary>The sender's email address, when returned.</summary>
    public string? From { get; init; }

    /// <summary>When the item was received, when returned.</summary>
    public DateTimeOffset? DateTimeReceived { get; init; }

    /// <summary>The size in bytes, when returned.</summary>
    public long? Size { get; init; }

    /// <summary>Whether the message is read, when returned.</summary>
    public bool? IsRead { get; init; }

    /// <summary>Whether the item has attachments, when returned.</summary>
    public bool? HasAttachments { get; init; }

    /// <summary>The <c>Message-ID</c> header, when returned.</summary>
    public string? InternetMessageId { get; init; }

    /// <summary>Whether <see cref="GetMimeContent"/> has content (the item was fetched with MIME content).</summary>
    public bool HasMimeContent => _mimeContent is not null;

    /// <summary>The MIME content (RFC 5322 bytes, decoded from EWS's base64), as a new array.</summary>
    /// <returns>A copy of the content.</returns>
    /// <exception cref="InvalidOperationException">The item was fetched without MIME content.</exception>
    public byte[] GetMimeContent() => (byte[])(_mimeContent ?? throw NoMime()).Clone();

    /// <summary>Opens the MIME content as a read-only stream (for MimeKit's <c>MimeMessage.Load</c>, for example).</summary>
    /// <returns>A read-only stream over the content.</returns>
    /// <exception cref="InvalidOperationException">The item was fetched without MIME content.</exception>
    public Stream OpenMimeContent() => new MemoryStream(_mimeContent ?? throw NoMime(), writable: false);

    /// <inheritdoc/>
    public override string ToString() => $"{ItemClass ?? "Item"} \"{Subject}\" ({Id.Id})";

    private static InvalidOperationException NoMime() =>
        new("The item was fetched without MIME content: call EwsClient.GetItemAsync with includeMimeContent: true.");
}
