using System.Text;

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
        lock (_gate)
        {
            var id = NewItemId();
            var message = new FakeMessage(id, folderId, mime)
            {
                Subject = subject ?? Header(mime, "Subject") ?? string.Empty,
                From = from ?? (Header(mime, "From") is { } sender ? SenderAddress(sender) : Address),
                InternetMessageId = Header(mime, "Message-ID"),
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

    private static string? Header(byte[] mime, string name)
    {
        // The header block ends at the first empty line. Lines end in CRLF or a bare LF: MimeKit writes LF on Linux and
        // macOS, and Exchange accepts both. A line starting with white space continues the one before (RFC 5322 folding).
        string? value = null;
        foreach (var raw in Encoding.UTF8.GetString(mime).Split('\n'))
        {
            var line = raw.TrimEnd('\r');
            if (line.Length == 0)
            {
                break;
            }

            if (line[0] is ' ' or '\t')
            {
                if (value is not null)
                {
                    value += " " + line.Trim();
                }

                continue;
            }

            if (value is not null)
            {
                break;
            }

            if (line.StartsWith(name + ":", StringComparison.OrdinalIgnoreCase))
            {
                value = line[(name.Length + 1)..].Trim();
            }
        }

        return value is null ? null : DecodeEncodedWords(value);
    }

    private static string SenderAddress(string from)
    {
        // "Adele Vance" <adele@contoso.test> -> adele@contoso.test, as EWS reports the sender's address.
        var open = from.LastIndexOf('<');
        var close = from.LastIndexOf('>');
        return open >= 0 && close > open + 1 ? from[(open + 1)..close].Trim() : from;
    }

    private static string DecodeEncodedWords(string value)
    {
        // RFC 2047: =?charset?B|Q?text?=, as MimeKit writes a subject or name that is not ASCII. White space between two
        // encoded words is not part of the text.
        var joined = AdjacentEncodedWords.Replace(value, "?==?");
        return EncodedWord.Replace(joined, match =>
        {
            try
            {
                var encoding = Encoding.GetEncoding(match.Groups["charset"].Value.Split('*')[0]);
                var text = match.Groups["text"].Value;
                if (match.Groups["kind"].Value is "B" or "b")
                {
                    return encoding.GetString(Convert.FromBase64String(text));
                }

                var bytes = new List<byte>(text.Length);
                for (var i = 0; i < text.Length; i++)
                {
                    if (text[i] == '_')
                    {
                        bytes.Add((byte)' ');
                    }
                    else if (text[i] == '=' && i + 2 < text.Length && byte.TryParse(text.AsSpan(i + 1, 2), System.Globalization.NumberStyles.HexNumber, null, out var b))
                    {
                        bytes.Add(b);
                        i += 2;
                    }
                    else
                    {
                        bytes.Add((byte)text[i]);
                    }
                }

                return encoding.GetString(bytes.ToArray());
            }
            catch (Exception e) when (e is ArgumentException or FormatException)
            {
                return match.Value;
            }
        });
    }

    private static readonly System.Text.RegularExpressions.Regex EncodedWord =
        new(@"=\?(?<charset>[^?\s]+)\?(?<kind>[BbQq])\?(?<text>[^?\s]*)\?=", System.Text.RegularExpressions.RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));

    private static readonly System.Text.RegularExpressions.Regex AdjacentEncodedWords =
        new(@"\?=\s+=\?", System.Text.RegularExpressions.RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));
}
