using System.Collections;
using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace ModernAuth.Mail.Testing.Internal;

/// <summary>Writes ordered name/value pairs as a JSON object, the way Entra ID's responses and tokens look.</summary>
internal static class JsonValueWriter
{
    // Entra ID writes '+', '<', '\'' as they are; the default encoder would escape them (still valid, but unlike the real thing).
    private static readonly JsonWriterOptions s_options = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static byte[] ToUtf8(IEnumerable<KeyValuePair<string, object?>> members)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream, s_options))
        {
            writer.WriteStartObject();
            foreach (var (name, value) in members)
            {
                writer.WritePropertyName(name);
                WriteValue(writer, value);
            }

            writer.WriteEndObject();
        }

        return stream.ToArray();
    }

    public static string ToJson(IEnumerable<KeyValuePair<string, object?>> members) =>
        System.Text.Encoding.UTF8.GetString(ToUtf8(members));

    private static void WriteValue(Utf8JsonWriter writer, object? value)
    {
        switch (value)
        {
            case null:
                writer.WriteNullValue();
                break;
            case string s:
                writer.WriteStringValue(s);
                break;
            case bool b:
                writer.WriteBooleanValue(b);
                break;
            case int i:
                writer.WriteNumberValue(i);
                break;
            case long l:
                writer.WriteNumberValue(l);
                break;
            case double d:
                writer.WriteNumberValue(d);
                break;
            case decimal m:
                writer.WriteNumberValue(m);
                break;
            case DateTimeOffset t:
                writer.WriteNumberValue(t.ToUnixTimeSeconds());
                break;
            case JsonElement e:
                e.WriteTo(writer);
                break;
            case IEnumerable<KeyValuePair<string, object?>> obj:
                writer.WriteStartObject();
                foreach (var (name, inner) in obj)
                {
                    writer.WritePropertyName(name);
                    WriteValue(writer, inner);
                }

                writer.WriteEndObject();
                break;
            case IEnumerable items:
                writer.WriteStartArray();
                foreach (var item in items)
                {
                    WriteValue(writer, item);
                }

                writer.WriteEndArray();
                break;
            case IFormattable f:
                writer.WriteStringValue(f.ToString(null, CultureInfo.InvariantCulture));
                break;
            default:
                writer.WriteStringValue(value.ToString());
                break;
        }
    }
}
