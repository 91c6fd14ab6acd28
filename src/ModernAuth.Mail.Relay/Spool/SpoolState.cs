using System.Text.Json;

namespace ModernAuth.Mail.Relay.Internal;

/// <summary>How delivery of a spooled message goes; the <c>.state</c> file beside it (absent before the first failure).</summary>
internal sealed record SpoolState(int Attempts, DateTimeOffset? NextAttempt, string? LastError, string? LastErrorCode, DateTimeOffset? LastAttemptAt)
{
    public static readonly SpoolState New = new(0, null, null, null, null);

    public byte[] ToJson()
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream))
        {
            writer.WriteStartObject();
            writer.WriteNumber("attempts", Attempts);
            if (NextAttempt is { } next)
            {
                writer.WriteString("nextAttempt", next);
            }

            if (LastError is not null)
            {
                writer.WriteString("lastError", LastError);
            }

            if (LastErrorCode is not null)
            {
                writer.WriteString("lastErrorCode", LastErrorCode);
            }

            if (LastAttemptAt is { } last)
            {
                writer.WriteString("lastAttemptAt", last);
            }

            writer.WriteEndObject();
        }

        return stream.ToArray();
    }

    public static SpoolState Parse(ReadOnlySpan<byte> json)
    {
        var reader = new Utf8JsonReader(json);
        using var document = JsonDocument.ParseValue(ref reader);
        var root = document.RootElement;
        return new SpoolState(
            root.TryGetProperty("attempts", out var a) ? a.GetInt32() : 0,
            root.TryGetProperty("nextAttempt", out var n) ? n.GetDateTimeOffset() : null,
            root.TryGetProperty("lastError", out var e) ? e.GetString() : null,
            root.TryGetProperty("lastErrorCode", out var c) ? c.GetString() : null,
            root.TryGetProperty("lastAttemptAt", out var l) ? l.GetDateTimeOffset() : null);
    }
}
