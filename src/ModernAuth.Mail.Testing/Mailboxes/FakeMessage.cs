namespace ModernAuth.Mail.Testing;

/// <summary>A message in a <see cref="FakeMailbox"/>.</summary>
public sealed class FakeMessage
{
    /// <summary>Creates a message.</summary>
    public FakeMessage(string id, string folderId, byte[] mime)
    {
        Id = id;
        FolderId = folderId;
        Mime = mime;
    }

    /// <summary>The EWS id.</summary>
    public string Id { get; }

    /// <summary>The EWS change key (new on every change).</summary>
    public string ChangeKey { get; set; } = FakeMailbox.NewChangeKey();

    /// <summary>The id of the folder the message is in.</summary>
    public string FolderId { get; }

    /// <summary>The message as MIME.</summary>
    public byte[] Mime { get; }

    /// <summary>The subject.</summary>
    public string Subject { get; set; } = string.Empty;

    /// <summary>The sender's address.</summary>
    public string From { get; set; } = string.Empty;

    /// <summary>The Message-ID header, if any.</summary>
    public string? InternetMessageId { get; set; }

    /// <summary>Whether the message has been read.</summary>
    public bool IsRead { get; set; }

    /// <summary>When the message was received.</summary>
    public DateTimeOffset Received { get; set; }
}
