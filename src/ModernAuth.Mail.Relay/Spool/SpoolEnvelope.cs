using System.Buffers;
using System.Text;
using System.Text.Json;

namespace ModernAuth.Mail.Relay.Internal;

/// <summary>What the relay knows of a message besides its bytes; the first line of its spool file, as JSON.</summary>
internal sealed record SpoolEnvelope(string Id, string Sender, IReadOnlyList<string> Recipients, string Client, DateTimeOffset ReceivedAt, long Size, bool IsBounce)
{
    public byte[] ToJsonLine()
    {
        var buffer = new ArrayBufferWriter<byte>(256 + (Recipients.Count * 40));
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteNumber("v", 1);
            writer.WriteString("id", Id);
            writer.WriteString("sender", Sender);
            writer.WriteStartArray("recipients");
            foreach (var recipient in Recipients)
            {
                writer.WriteStringValue(recipient);
            }

            writer.WriteEndArray();
            writer.WriteString("client", Client);
            writer.WriteString("receivedAt", ReceivedAt);
            writer.WriteNumber("size", Size);
            if (IsBounce)
            {
                writer.WriteBoolean("bounce", true);
            }

            writer.WriteEndObject();
        }

        var line = new byte[buffer.WrittenCount + 1];
        buffer.WrittenSpan.CopyTo(line);
        line[^1] = (byte)'\n';
        return line;
    }

    public static SpoolEnvelope Parse(ReadOnlySpan<byte> json)
    {
        var reader = new Utf8JsonReader(json);
        using var document = JsonDocument.ParseValue(ref reader);
        var root = document.RootElement;
        return new SpoolEnvelope(
            root.GetProperty("id").GetString()!,
            root.GetProperty("sender").GetString()!,
            root.GetProperty("recipients").EnumerateArray().Select(r => r.GetString()!).ToArray(),
            root.GetProperty("client").GetString()!,
            root.GetProperty("receivedAt").GetDateTimeOffset(),
            root.GetProperty("size").GetInt64(),
            root.TryGetProperty("bounce", out var bounce) && bounce.GetBoolean());
    }

    /// <summary>Reads the envelope line of a spool file; the stream is left at the first byte of the message.</summary>
    public static SpoolEnvelope Read(Stream stream)
    {
        var line = new ArrayBufferWriter<byte>(512);
        var one = new byte[1];
        while (true)
        {
            var read = stream.Read(one, 0, 1);
            if (read == 0)
            {
                throw new InvalidDataException("The spool file ends inside its envelope line.");
            }

            if (one[0] == (byte)'\n')
            {
                break;
            }

            line.Write(one);
            if (line.WrittenCount > 16 * 1024 * 1024)
            {
                throw new InvalidDataException("The spool file's envelope line is too long.");
            }
        }

        return Parse(line.WrittenSpan);
    }

    public override string ToString() => Encoding.UTF8.GetString(ToJsonLine()).TrimEnd();
}
