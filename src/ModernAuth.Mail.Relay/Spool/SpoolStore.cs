using System.Buffers;
using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;

namespace ModernAuth.Mail.Relay.Internal;

/// <summary>
/// The durable spool: where a message is made durable before the client is told <c>250</c>. A message is written to
/// <c>tmp/</c>, flushed to disk (<c>fsync</c>), renamed into <c>queue/</c> (written through on Windows) and the
/// directory flushed; any failure on the way throws, and the client gets <c>451</c>, never <c>250</c>. The rename is
/// the commit. A crash before it leaves a <c>tmp/</c> file: a complete one (its length matches its envelope) is
/// recovered into the queue at the next start, because a duplicate is better than a loss; a truncated one, or a
/// truncated <c>.msg</c> in the queue, goes to <c>dead/</c> as corrupt and is never delivered cut. Delivery state lives
/// in a small <c>.state</c> file beside the message, replaced atomically; a delivered message loses its <c>.msg</c>
/// first, so a crash in between redelivers it (at least once) rather than losing it. Directories are created
/// <c>0700</c> and files <c>0600</c> whatever the umask: messages are private.
/// </summary>
internal sealed class SpoolStore
{
    public const string MessageExtension = ".msg";
    public const string StateExtension = ".state";
    public const string ReasonExtension = ".reason";

    private const UnixFileMode PrivateDirectory = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
    private const UnixFileMode PrivateFile = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    private readonly TimeProvider _timeProvider;

    public SpoolStore(string directory, bool archiveDelivered, TimeProvider timeProvider, Action<string>? syncDirectory = null)
    {
        SyncDirectory = syncDirectory ?? NativeFileSystem.FsyncDirectory;
        Root = Path.GetFullPath(directory);
        QueueDirectory = Path.Combine(Root, "queue");
        DeadDirectory = Path.Combine(Root, "dead");
        TempDirectory = Path.Combine(Root, "tmp");
        ArchiveDirectory = Path.Combine(Root, "archive");
        ArchiveDelivered = archiveDelivered;
        _timeProvider = timeProvider;
    }

    public string Root { get; }

    public string QueueDirectory { get; }

    public string DeadDirectory { get; }

    public string TempDirectory { get; }

    public string ArchiveDirectory { get; }

    public bool ArchiveDelivered { get; }

    /// <summary>Flushes a directory's entries to disk (<see cref="NativeFileSystem.FsyncDirectory"/>; tests replace it).</summary>
    public Action<string> SyncDirectory { get; }

    /// <summary>How many <c>tmp/</c> files the last <see cref="Recover"/> took into the queue.</summary>
    public int RecoveredFromTemp { get; private set; }

    /// <summary>
    /// Creates the directories (<c>0700</c>), takes complete <c>tmp/</c> messages into the queue, and returns every
    /// queued message with its state. A spool file whose envelope cannot be read, or whose body is shorter or longer
    /// than its envelope says, goes to <c>dead/</c> as corrupt.
    /// </summary>
    public List<(SpoolEnvelope Envelope, SpoolState State)> Recover(Action<string, Exception>? corrupt = null)
    {
        CreatePrivateDirectory(Root);
        CreatePrivateDirectory(QueueDirectory);
        CreatePrivateDirectory(DeadDirectory);
        CreatePrivateDirectory(TempDirectory);
        if (ArchiveDelivered)
        {
            CreatePrivateDirectory(ArchiveDirectory);
        }

        RecoveredFromTemp = 0;
        foreach (var path in Directory.EnumerateFiles(TempDirectory))
        {
            var id = Path.GetFileNameWithoutExtension(path);
            if (!path.EndsWith(MessageExtension, StringComparison.Ordinal))
            {
                TryDelete(path); // a half-written .state: the queue keeps the last complete one
                continue;
            }

            try
            {
                ReadChecked(path);
                var target = Path.Combine(QueueDirectory, id + MessageExtension);
                if (File.Exists(target))
                {
                    TryDelete(path); // renamed already; the tmp name is a leftover hard link or copy
                    continue;
                }

                NativeFileSystem.MoveDurably(path, target);
                RecoveredFromTemp++;
            }
            catch (Exception ex) when (IsUnreadable(ex))
            {
                corrupt?.Invoke(id, ex);
                WriteReason(id, "The spool file could not be read: " + ex.Message, "corrupt", 0);
                TryMove(path, Path.Combine(DeadDirectory, id + MessageExtension));
            }
        }

        if (RecoveredFromTemp > 0)
        {
            SyncDirectory(QueueDirectory);
        }

        var result = new List<(SpoolEnvelope, SpoolState)>();
        var messages = new HashSet<string>(StringComparer.Ordinal);
        foreach (var path in Directory.EnumerateFiles(QueueDirectory, "*" + MessageExtension))
        {
            var id = Path.GetFileNameWithoutExtension(path);
            try
            {
                var envelope = ReadChecked(path);
                messages.Add(id);
                result.Add((envelope, ReadState(id) ?? SpoolState.New));
            }
            catch (Exception ex) when (IsUnreadable(ex))
            {
                corrupt?.Invoke(id, ex);
                WriteReason(id, "The spool file could not be read: " + ex.Message, "corrupt", 0);
                TryMove(path, Path.Combine(DeadDirectory, id + MessageExtension));
            }
        }

        foreach (var path in Directory.EnumerateFiles(QueueDirectory, "*" + StateExtension))
        {
            if (!messages.Contains(Path.GetFileNameWithoutExtension(path)))
            {
                TryDelete(path);
            }
        }

        result.Sort((a, b) => string.CompareOrdinal(a.Item1.Id, b.Item1.Id));
        return result;
    }

    public string NewId()
    {
        Span<byte> random = stackalloc byte[5];
        RandomNumberGenerator.Fill(random);
        return _timeProvider.GetUtcNow().ToString("yyyyMMdd'T'HHmmssfff", CultureInfo.InvariantCulture) + "-" + Convert.ToHexString(random).ToLowerInvariant();
    }

    /// <summary>Writes a message durably; when this returns, the message survives a crash or power loss.</summary>
    /// <exception cref="IOException">The message could not be written or made durable; nothing is left in the queue.</exception>
    public void Commit(SpoolEnvelope envelope, ReadOnlySequence<byte> message)
    {
        var temp = Path.Combine(TempDirectory, envelope.Id + MessageExtension);
        var final = Path.Combine(QueueDirectory, envelope.Id + MessageExtension);
        var renamed = false;
        try
        {
            using (var stream = CreatePrivateFile(temp, FileMode.CreateNew))
            {
                stream.Write(envelope.ToJsonLine());
                foreach (var segment in message)
                {
                    stream.Write(segment.Span);
                }

                stream.Flush(flushToDisk: true);
            }

            NativeFileSystem.MoveDurably(temp, final);
            renamed = true;
            SyncDirectory(QueueDirectory);
        }
        catch
        {
            // Not durable: the client is told to try again, so the queue must not keep (and deliver) this copy.
            TryDelete(renamed ? final : temp);
            throw;
        }
    }

    public void SaveState(string id, SpoolState state)
    {
        var temp = Path.Combine(TempDirectory, id + StateExtension);
        using (var stream = CreatePrivateFile(temp, FileMode.Create))
        {
            stream.Write(state.ToJson());
            stream.Flush(flushToDisk: true);
        }

        NativeFileSystem.MoveDurably(temp, Path.Combine(QueueDirectory, id + StateExtension));
    }

    /// <summary>Whether an exception means the disk (or the user's quota) is full.</summary>
    public static bool IsDiskFull(Exception exception) =>
        exception is IOException io && (io.HResult is 28 or 122 // ENOSPC, EDQUOT (Linux)
            || (io.HResult & 0xFFFF) is 0x70 or 0x27); // ERROR_DISK_FULL, ERROR_HANDLE_DISK_FULL (Windows)

    /// <summary>Free bytes on the spool's disk, or null when that cannot be known.</summary>
    public long? FreeSpace()
    {
        try
        {
            return new DriveInfo(Root).AvailableFreeSpace;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException)
        {
            return null;
        }
    }

    public SpoolState? ReadState(string id) => ReadStateFile(Path.Combine(QueueDirectory, id + StateExtension));

    /// <summary>Opens a spooled message positioned at its first byte (after the envelope line).</summary>
    public FileStream OpenMessage(string id)
    {
        var stream = new FileStream(Path.Combine(QueueDirectory, id + MessageExtension), FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 64 * 1024);
        try
        {
            SpoolEnvelope.Read(stream);
            return stream;
        }
        catch
        {
            stream.Dispose();
            throw;
        }
    }

    /// <summary>Removes (or archives) a delivered message: the <c>.msg</c> first, so a crash redelivers rather than loses.</summary>
    public void Complete(string id)
    {
        var message = Path.Combine(QueueDirectory, id + MessageExtension);
        if (ArchiveDelivered)
        {
            CreatePrivateDirectory(ArchiveDirectory);
            TryMove(message, Path.Combine(ArchiveDirectory, id + MessageExtension));
        }
        else
        {
            TryDelete(message);
        }

        TryDelete(Path.Combine(QueueDirectory, id + StateExtension));
    }

    /// <summary>Moves a message to <c>dead/</c> with a reason file written first.</summary>
    public void DeadLetter(string id, string reason, string code, int attempts)
    {
        WriteReason(id, reason, code, attempts);
        TryMove(Path.Combine(QueueDirectory, id + MessageExtension), Path.Combine(DeadDirectory, id + MessageExtension));
        SyncDirectory(DeadDirectory);
        TryDelete(Path.Combine(QueueDirectory, id + StateExtension));
    }

    public static IReadOnlyList<RelayQueueEntry> ReadEntries(string root, bool dead, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var directory = Path.Combine(root, dead ? "dead" : "queue");
        if (!Directory.Exists(directory))
        {
            return Array.Empty<RelayQueueEntry>();
        }

        var entries = new List<RelayQueueEntry>();
        foreach (var path in Directory.EnumerateFiles(directory, "*" + MessageExtension).Order(StringComparer.Ordinal))
        {
            cancellationToken.ThrowIfCancellationRequested();
            var id = Path.GetFileNameWithoutExtension(path);
            SpoolEnvelope envelope;
            try
            {
                using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 4096);
                envelope = SpoolEnvelope.Read(stream);
            }
            catch (FileNotFoundException)
            {
                continue; // delivered while we were reading
            }
            catch (Exception ex) when (ex is IOException or InvalidDataException or JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
            {
                entries.Add(new RelayQueueEntry { Id = id, LastError = "The spool file could not be read: " + ex.Message, LastErrorCode = "corrupt" });
                continue;
            }

            if (dead)
            {
                var reason = ReadReason(Path.Combine(directory, id + ReasonExtension));
                entries.Add(ToEntry(envelope, now, reason.Attempts, null, reason.Reason, reason.Code, reason.At));
            }
            else
            {
                var state = ReadStateFile(Path.Combine(directory, id + StateExtension)) ?? SpoolState.New;
                entries.Add(ToEntry(envelope, now, state.Attempts, state.NextAttempt, state.LastError, state.LastErrorCode, null));
            }
        }

        return entries;
    }

    private static RelayQueueEntry ToEntry(SpoolEnvelope envelope, DateTimeOffset now, int attempts, DateTimeOffset? next, string? error, string? code, DateTimeOffset? deadAt) => new()
    {
        Id = envelope.Id,
        Sender = envelope.Sender,
        Recipients = envelope.Recipients,
        Client = envelope.Client,
        ReceivedAt = envelope.ReceivedAt,
        Age = now - envelope.ReceivedAt,
        Size = envelope.Size,
        Attempts = attempts,
        NextAttempt = next,
        LastError = error,
        LastErrorCode = code,
        DeadLetteredAt = deadAt,
        IsBounce = envelope.IsBounce,
    };

    private static SpoolState? ReadStateFile(string path)
    {
        try
        {
            return SpoolState.Parse(File.ReadAllBytes(path));
        }
        catch (FileNotFoundException)
        {
            return null;
        }
        catch (Exception ex) when (ex is IOException or JsonException or InvalidOperationException or FormatException)
        {
            return null;
        }
    }

    private static (string? Reason, string? Code, int Attempts, DateTimeOffset? At) ReadReason(string path)
    {
        try
        {
            using var document = JsonDocument.Parse(File.ReadAllBytes(path));
            var root = document.RootElement;
            return (
                root.TryGetProperty("reason", out var r) ? r.GetString() : null,
                root.TryGetProperty("code", out var c) ? c.GetString() : null,
                root.TryGetProperty("attempts", out var a) ? a.GetInt32() : 0,
                root.TryGetProperty("deadLetteredAt", out var d) ? d.GetDateTimeOffset() : null);
        }
        catch (Exception ex) when (ex is IOException or JsonException or InvalidOperationException or FormatException)
        {
            return (null, null, 0, null);
        }
    }

    private void WriteReason(string id, string reason, string code, int attempts)
    {
        using var stream = CreatePrivateFile(Path.Combine(DeadDirectory, id + ReasonExtension), FileMode.Create);
        using (var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            writer.WriteStartObject();
            writer.WriteString("reason", reason);
            writer.WriteString("code", code);
            writer.WriteNumber("attempts", attempts);
            writer.WriteString("deadLetteredAt", _timeProvider.GetUtcNow());
            writer.WriteEndObject();
        }

        stream.Flush(flushToDisk: true);
    }

    /// <summary>Creates a directory <c>0700</c> (and tightens an existing one): spooled messages are private.</summary>
    public static void CreatePrivateDirectory(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(path);
            return;
        }

        Directory.CreateDirectory(path, PrivateDirectory);
        if ((File.GetUnixFileMode(path) & ~PrivateDirectory) != 0)
        {
            File.SetUnixFileMode(path, PrivateDirectory);
        }
    }

    /// <summary>Creates a file <c>0600</c> whatever the umask (the mode is given to <c>open</c>, so it is never wider).</summary>
    public static FileStream CreatePrivateFile(string path, FileMode mode)
    {
        var options = new FileStreamOptions { Mode = mode, Access = FileAccess.Write, Share = FileShare.None, BufferSize = 1 };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = PrivateFile;
        }

        return new FileStream(path, options);
    }

    /// <summary>Reads a spool file's envelope and checks that the body has exactly the length it says.</summary>
    private static SpoolEnvelope ReadChecked(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 4096);
        var envelope = SpoolEnvelope.Read(stream);
        var body = stream.Length - stream.Position;
        if (body != envelope.Size)
        {
            throw new InvalidDataException($"The message is {(body < envelope.Size ? "truncated" : "longer than its envelope says")}: {body} of {envelope.Size} bytes.");
        }

        return envelope;
    }

    private static bool IsUnreadable(Exception ex) =>
        ex is IOException or InvalidDataException or JsonException or KeyNotFoundException or InvalidOperationException or FormatException;

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    private static void TryMove(string from, string to)
    {
        try
        {
            File.Move(from, to, overwrite: true);
        }
        catch (FileNotFoundException)
        {
        }
    }
}
