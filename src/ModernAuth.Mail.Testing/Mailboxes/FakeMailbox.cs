using System.Text;
using MimeKit;

namespace ModernAuth.Mail.Testing;

/// <summary>One mailbox of the <see cref="FakeEwsServer"/>: folders, messages and a change log for SyncFolderItems.</summary>
public sealed class FakeMailbox
{
    private static readonly string[] WellKnownFolders = ["msgfolderroot", "inbox", "sentitems", "drafts", "deleteditems", "junkemail", "outbox"];
    private readonly object _gate = new();
    private readonly Dictionary<string, FakeFolder> _folders = new(StringComparer.Ordinal);
    private readonly Dictionary<string, FakeMessage> _messages = new(StringComparer.Ordinal);
    private readonly List<(long Seq, string FolderId, string Kind, string ItemId)> _changes = [];
    private long _seq;
    private int _nextId;

    /// <summary>Creates a mailbox for <paramref name="address"/> with the well-known folders (Inbox, Sent Items, Drafts, Deleted Items, Junk Email, Outbox).</summary>
    public FakeMailbox(string address)
    {
        Address = address;
        foreach (var name in WellKnownFolders)
        {
            var id = Convert.ToBase64String(Encoding.UTF8.GetBytes($"folder:{address}:{name}"));
            _folders[id] = new FakeFolder(id, name, name switch
            {
                "msgfolderroot" => "Top of Information Store",
                "inbox" => "Inbox",
                "sentitems" => "Sent Items",
                "drafts" => "Drafts",
                "deleteditems" => "Deleted Items",
                "junkemail" => "Junk Email",
                _ => "Outbox",
            });
        }
    }

    /// <summary>The mailbox's SMTP address.</summary>
    public string Address { get; }

    /// <summary>Messages this mailbox sent (CreateItem with Send*, SendItem), as MIME.</summary>
    public List<byte[]> Sent { get; } = [];

    internal object Gate => _gate;

    /// <summary>A folder by well-known name (<paramref name="wellKnown"/>) or by id, or <see langword="null"/>.</summary>
    public FakeFolder? FindFolder(string idOrName, bool wellKnown)
    {
        lock (_gate)
        {
            return wellKnown
                ? _folders.Values.FirstOrDefault(f => string.Equals(f.WellKnownName, idOrName, StringComparison.OrdinalIgnoreCase))
                : _folders.GetValueOrDefault(idOrName);
        }
    }

    /// <summary>Delivers a message to a well-known folder (a simple MIME message is made when <paramref name="mime"/> is null).</summary>
    public FakeMessage AddMessage(string folderName, string subject, string from = "sender@fabrikam.test", bool isRead = false, byte[]? mime = null)
    {
        mime ??= Encoding.UTF8.GetBytes($"From: {from}\r\nTo: {Address}\r\nSubject: {subject}\r\nMessage-ID: <{Guid.NewGuid():N}@fabrikam.test>\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nHello from {subject}.\r\n");
        var folder = FindFolder(folderName, wellKnown: true) ?? throw new ArgumentException("No folder " + folderName);
        return Store(folder.Id, mime, subject, from, isRead);
    }

    /// <summary>Stores a MIME message in a folder (by id), reading subject and sender from its headers unless given.</summary>
    public FakeMessage Store(string folderId, byte[] mime, string? subject = null, string? from = null, bool isRead = false)
    {
        var headers = ReadHeaders(mime);
        lock (_gate)
        {
            var id = NewItemId();
            var message = new FakeMessage(id, folderId, mime)
            {
                Subject = subject ?? headers.Subject ?? string.Empty,
                From = from ?? headers.From ?? Address,
                InternetMessageId = headers.MessageId,
                IsRead = isRead,
                Received = new DateTimeOffset(2026, 2, 1, 9, 0, 0, TimeSpan.Zero).AddMinutes(_nextId),
            };
            _messages[id] = message;
            _changes.Add((++_seq, folderId, "Create", id));
            return message;
        }
    }

    /// <summary>The messages in a folder (by id), newest first.</summary>
    public IReadOnlyList<FakeMessage> MessagesIn(string folderId)
    {
        lock (_gate)
        {
            return _messages.Values.Where(m => m.FolderId == folderId).OrderByDescending(m => m.Received).ToList();
        }
    }

    /// <summary>A message by item id, or <see langword="null"/>.</summary>
    public FakeMessage? FindMessage(string id)
    {
        lock (_gate)
        {
            return _messages.GetValueOrDefault(id);
        }
    }

    /// <summary>Moves a message to a folder (by id); like Exchange, the moved message gets a new id.</summary>
    public FakeMessage Move(FakeMessage message, string folderId)
    {
        lock (_gate)
        {
            // Exchange gives a moved item a new id.
            _messages.Remove(message.Id);
            _changes.Add((++_seq, message.FolderId, "Delete", message.Id));
            var moved = new FakeMessage(NewItemId(), folderId, message.Mime)
            {
                Subject = message.Subject,
                From = message.From,
                InternetMessageId = message.InternetMessageId,
                IsRead = message.IsRead,
                Received = message.Received,
            };
            _messages[moved.Id] = moved;
            _changes.Add((++_seq, folderId, "Create", moved.Id));
            return moved;
        }
    }

    /// <summary>Deletes a message.</summary>
    public void Remove(FakeMessage message)
    {
        lock (_gate)
        {
            _messages.Remove(message.Id);
            _changes.Add((++_seq, message.FolderId, "Delete", message.Id));
        }
    }

    /// <summary>Sets a message's read flag (recorded as a ReadFlagChange for SyncFolderItems).</summary>
    public void MarkRead(FakeMessage message, bool isRead)
    {
        lock (_gate)
        {
            message.IsRead = isRead;
            message.ChangeKey = NewChangeKey();
            _changes.Add((++_seq, message.FolderId, "ReadFlagChange", message.Id));
        }
    }

    /// <summary>Changes a message's subject (recorded as an Update for SyncFolderItems).</summary>
    public void Rename(FakeMessage message, string subject)
    {
        lock (_gate)
        {
            message.Subject = subject;
            message.ChangeKey = NewChangeKey();
            _changes.Add((++_seq, message.FolderId, "Update", message.Id));
        }
    }

    /// <summary>Changes in a folder after <paramref name="afterSeq"/>; with no state, every item as a create.</summary>
    internal (List<(string Kind, string ItemId)> Changes, long LastSeq, bool IncludesLast) ChangesSince(string folderId, long? afterSeq, int max)
    {
        lock (_gate)
        {
            if (afterSeq is null)
            {
                var all = _messages.Values.Where(m => m.FolderId == folderId).OrderBy(m => m.Received).Select(m => ("Create", m.Id)).ToList();
                return (all.Take(max).ToList(), _seq, all.Count <= max);
            }

            var pending = _changes.Where(c => c.FolderId == folderId && c.Seq > afterSeq).ToList();
            var page = pending.Take(max).ToList();
            return (page.Select(c => (c.Kind, c.ItemId)).ToList(), page.Count == 0 ? afterSeq.Value : page[^1].Seq, pending.Count <= max);
        }
    }

    private string NewItemId() => Convert.ToBase64String(Encoding.UTF8.GetBytes($"item:{Address}:{++_nextId}:{Guid.NewGuid():N}"));

    internal static string NewChangeKey() => Convert.ToBase64String(Guid.NewGuid().ToByteArray())[..16];

    /// <summary>
    /// Subject, sender address and Message-ID from the message's headers, read by MimeKit: CRLF or bare LF lines (MimeKit
    /// writes LF on Linux and macOS, and Exchange accepts both), folded lines and RFC 2047 encoded words, as EWS reports
    /// them. Bytes that are not a header block give nothing.
    /// </summary>
    private static (string? Subject, string? From, string? MessageId) ReadHeaders(byte[] mime)
    {
        HeaderList headers;
        try
        {
            using var stream = new MemoryStream(mime, writable: false);
            headers = HeaderList.Load(stream);
        }
        catch (FormatException)
        {
            return default;
        }

        string? from = null;
        if (headers.FirstOrDefault(h => h.Id == HeaderId.From) is { } header)
        {
            // "Adele Vance" <adele@contoso.test> -> adele@contoso.test, as EWS reports the sender's address.
            from = InternetAddressList.TryParse(header.RawValue, out var addresses) && addresses.Mailboxes.FirstOrDefault() is { } mailbox
                ? mailbox.Address
                : header.Value.Trim();
        }

        return (headers[HeaderId.Subject]?.Trim(), from, headers[HeaderId.MessageId]?.Trim());
    }
}
