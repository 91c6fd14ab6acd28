namespace ModernAuth.Mail.Graph;

/// <summary>A message's summary properties and, when asked for, its full MIME content.</summary>
public sealed class GraphMailMessage
{
    private readonly byte[]? _mime;

    /// <summary>Creates a message.</summary>
    /// <param name="id">The message id.</param>
    /// <param name="mimeContent">The message as MIME (RFC 5322), or <see langword="null"/> when not fetched.</param>
    /// <exception cref="ArgumentException"><paramref name="id"/> is empty.</exception>
    public GraphMailMessage(string id, byte[]? mimeContent = null)
    {
        Id = string.IsNullOrEmpty(id) ? throw new ArgumentException("The message id is empty.", nameof(id)) : id;
        _mime = mimeContent;
    }

    /// <summary>The message id (a move gives the message a new one).</summary>
    public string Id { get; }

    /// <summary>The subject.</summary>
    public string? Subject { get; init; }

    /// <summary>The sender's address.</summary>
    public string? From { get; init; }

    /// <summary>When it was received.</summary>
    public DateTimeOffset? ReceivedDateTime { get; init; }

    /// <summary>Whether it has been read.</summary>
    public bool? IsRead { get; init; }

    /// <summary>Whether it has attachments.</summary>
    public bool? HasAttachments { get; init; }

    /// <summary>Whether it is a draft.</summary>
    public bool? IsDraft { get; init; }

    /// <summary>The <c>Message-ID</c> header.</summary>
    public string? InternetMessageId { get; init; }

    /// <summary>The id of the folder that holds it.</summary>
    public string? ParentFolderId { get; init; }

    /// <summary>Whether the MIME content was fetched.</summary>
    public bool HasMimeContent => _mime is not null;

    /// <summary>A copy of the MIME content.</summary>
    /// <returns>The bytes.</returns>
    /// <exception cref="InvalidOperationException">The content was not fetched.</exception>
    public byte[] GetMimeContent() => (byte[])(_mime ?? throw new InvalidOperationException("The MIME content was not fetched: call GetItemAsync with includeMimeContent: true.")).Clone();

    /// <summary>Opens the MIME content as a read-only stream (for MimeKit's <c>MimeMessage.Load</c>, for example).</summary>
    /// <returns>The stream.</returns>
    /// <exception cref="InvalidOperationException">The content was not fetched.</exception>
    public Stream OpenMimeContent() => new MemoryStream(_mime ?? throw new InvalidOperationException("The MIME content was not fetched: call GetItemAsync with includeMimeContent: true."), writable: false);

    /// <inheritdoc/>
    public override string ToString() => $"GraphMailMessage {{ Subject = {Subject}, From = {From}, ReceivedDateTime = {ReceivedDateTime:u}, IsRead = {IsRead} }}";
}
