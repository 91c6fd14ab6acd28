using System.Text.Json;

namespace ModernAuth.Mail.Relay.Internal;

/// <summary>How delivery of a spooled message goes; the <c>.state</c> file beside it (absent before the first failure).</summary>
internal sealed record SpoolState(int Attempts, DateTimeOffset? NextAttempt, string? LastError, string? LastErrorCode, DateTimeOffset? LastAttemptAt)
{
    public static readonly SpoolState New = new(0, null, null, null, null);

    /// <summary>Recipients the upstream rejected for good (5xx): not tried again, and told about in a bounce.</summary>
    public IReadOnlyList<RejectedRecipient> Rejected { get; init; } = Array.Empty<RejectedRecipient>();

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

            if (Rejected.Count > 0)
            {
                writer.WriteStartArray("rejected");
                foreach (var rejected in Rejected)
                {
                    writer.WriteStartObject();
                    writer.WriteString("recipient", rejected.Recipient);
                    writer.WriteString("error", rejected.Error);
                    writer.WriteEndObject();
                }

                writer.WriteEndArray();
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
            root.TryGetProperty("lastAttemptAt", out var l) ? l.GetDateTimeOffset() : null)
        {
            Rejected = root.TryGetProperty("rejected", out var r)
                ? r.EnumerateArray().Select(x => new RejectedRecipient(x.GetProperty("recipient").GetString()!, x.GetProperty("error").GetString()!)).ToArray()
                : Array.Empty<RejectedRecipient>(),
        };
    }

    /// <summary>A recipient the upstream rejected for good, with its reply.</summary>
    internal sealed record RejectedRecipient(string Recipient, string Error);
}
