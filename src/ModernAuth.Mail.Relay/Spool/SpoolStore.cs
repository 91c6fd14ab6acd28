using System.Buffers;
using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;

namespace ModernAuth.Mail.Relay.Internal;

/// <summary>
/// The durable spool. A message is written to <c>tmp/</c>, flushed to disk (<c>fsync</c>), renamed into <c>queue/</c>
/// and the directory flushed, all before the client is told <c>250</c>: the rename is the commit. A crash before it
/// leaves only a <c>tmp/</c> file, which was never acknowledged and is deleted at the next start. Delivery state lives
/// in a small <c>.state</c> file beside the message, replaced atomically; a delivered message loses its <c>.msg</c>
/// first, so a crash in between redelivers it (at least once) rather than losing it.
/// </summary>
internal sealed class SpoolStore
{
    public const string MessageExtension = ".msg";
    public const string StateExtension = ".state";
    public const string ReasonExtension = ".reason";

    private readonly TimeProvider _timeProvider;

    public SpoolStore(string directory, bool archiveDelivered, TimeProvider timeProvider)
    {
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

    /// <summary>
    /// Creates the directories, deletes what a crash left half-written (never acknowledged), and returns every
    /// committed message with its state. A spool file whose envelope cannot be read goes to <c>dead/</c>.
    /// </summary>
    public List<(SpoolEnvelope Envelope, SpoolState State)> Recover(Action<string, Exception>? corrupt = null)
    {
        Directory.CreateDirectory(QueueDirectory);
        Directory.CreateDirectory(DeadDirectory);
        Directory.CreateDirectory(TempDirectory);
        if (ArchiveDelivered)
        {
            Directory.CreateDirectory(ArchiveDirectory);
        }

        foreach (var file in Directory.EnumerateFiles(TempDirectory))
        {
            TryDelete(file);
        }

        var result = new List<(SpoolEnvelope, SpoolState)>();
        var messages = new HashSet<string>(StringComparer.Ordinal);
        foreach (var path in Directory.EnumerateFiles(QueueDirectory, "*" + MessageExtension))
        {
            var id = Path.GetFileNameWithoutExtension(path);
            try
            {
                SpoolEnvelope envelope;
                using (var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 4096))
                {
                    envelope = SpoolEnvelope.Read(stream);
                }

                messages.Add(id);
                result.Add((envelope, ReadState(id) ?? SpoolState.New));
            }
            catch (Exception ex) when (ex is IOException or InvalidDataException or JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
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
    public void Commit(SpoolEnvelope envelope, ReadOnlySequence<byte> message)
    {
        var temp = Path.Combine(TempDirectory, envelope.Id + MessageExtension);
        var final = Path.Combine(QueueDirectory, envelope.Id + MessageExtension);
        try
        {
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1, FileOptions.None))
            {
                stream.Write(envelope.ToJsonLine());
                foreach (var segment in message)
                {
                    stream.Write(segment.Span);
                }

                stream.Flush(flushToDisk: true);
            }

            File.Move(temp, final);
        }
        catch
        {
            TryDelete(temp);
            throw;
        }

        NativeFileSystem.FsyncDirectory(QueueDirectory);
    }

    public void SaveState(string id, SpoolState state)
    {
        var temp = Path.Combine(TempDirectory, id + StateExtension);
        using (var stream = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None, 1, FileOptions.None))
        {
            stream.Write(state.ToJson());
            stream.Flush(flushToDisk: true);
        }

        File.Move(temp, Path.Combine(QueueDirectory, id + StateExtension), overwrite: true);
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
            Directory.CreateDirectory(ArchiveDirectory);
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
        NativeFileSystem.FsyncDirectory(DeadDirectory);
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
        using var stream = new FileStream(Path.Combine(DeadDirectory, id + ReasonExtension), FileMode.Create, FileAccess.Write, FileShare.None, 1, FileOptions.None);
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
