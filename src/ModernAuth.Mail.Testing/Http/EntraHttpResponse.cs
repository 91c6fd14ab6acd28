namespace ModernAuth.Mail.Testing.Internal;

/// <summary>A response the fake sends, whichever transport carries it.</summary>
internal sealed class EntraHttpResponse
{
    public EntraHttpResponse(int statusCode, string? json, IReadOnlyList<KeyValuePair<string, string>>? headers = null, string? mediaType = null)
    {
        StatusCode = statusCode;
        Json = json;
        Headers = headers ?? [];
        MediaType = mediaType ?? "application/json";
    }

    /// <summary>The body's media type: <c>application/json</c>, or <c>text/html</c> for the authorize endpoint's form_post page.</summary>
    public string MediaType { get; }

    /// <summary>The HTTP status; <see cref="Unreachable"/>'s 0 means: answer nothing, drop the connection.</summary>
    public int StatusCode { get; }

    /// <summary>No answer at all: the transport refuses or drops the connection (an endpoint that is down).</summary>
    public static EntraHttpResponse Unreachable { get; } = new(0, null);

    /// <summary>The body (JSON unless <see cref="MediaType"/> says otherwise), or <see langword="null"/> for an empty body.</summary>
    public string? Json { get; }

    /// <summary>Response headers besides Content-Type (for example Retry-After).</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Headers { get; }
}
