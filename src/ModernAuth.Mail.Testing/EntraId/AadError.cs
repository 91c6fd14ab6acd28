using System.Globalization;

namespace ModernAuth.Mail.Testing.Internal;

/// <summary>An error as Entra ID's token service reports it: OAuth <c>error</c>, AADSTS code, text and HTTP status.</summary>
internal sealed class AadError
{
    public AadError(int statusCode, string error, int code, string text, string? suberror = null)
    {
        StatusCode = statusCode;
        Error = error;
        Code = code;
        Text = text;
        Suberror = suberror;
    }

    public int StatusCode { get; }

    public string Error { get; }

    public int Code { get; }

    public string Text { get; }

    public string? Suberror { get; }

    /// <summary>
    /// The body in Entra ID's shape: <c>error_description</c> is "AADSTSnnnn: text" followed by trace id, correlation id
    /// and timestamp on their own CRLF lines; the same ids and time also stand in their own fields.
    /// </summary>
    public EntraHttpResponse ToResponse(DateTimeOffset now, string? correlationId, IReadOnlyList<KeyValuePair<string, string>>? headers = null)
    {
        var traceId = Guid.NewGuid().ToString();
        var correlation = correlationId ?? Guid.NewGuid().ToString();
        var timestamp = now.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture);
        var description = string.Create(
            CultureInfo.InvariantCulture,
            $"AADSTS{Code}: {Text}\r\nTrace ID: {traceId}\r\nCorrelation ID: {correlation}\r\nTimestamp: {timestamp}");
        var members = new List<KeyValuePair<string, object?>>
        {
            new("error", Error),
            new("error_description", description),
            new("error_codes", new[] { Code }),
            new("timestamp", timestamp),
            new("trace_id", traceId),
            new("correlation_id", correlation),
            new("error_uri", string.Create(CultureInfo.InvariantCulture, $"https://login.microsoftonline.com/error?code={Code}")),
        };
        if (Suberror is not null)
        {
            members.Add(new("suberror", Suberror));
        }

        return new EntraHttpResponse(StatusCode, JsonValueWriter.ToJson(members), headers);
    }
}
