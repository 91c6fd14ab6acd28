namespace ModernAuth.Mail.Testing;

/// <summary>The fake Graph's answer to one <see cref="GraphHttpRequest"/>, written out by whichever server hosts it.</summary>
internal sealed class GraphHttpResponse
{
    public GraphHttpResponse(int statusCode, string? contentType = null, byte[]? body = null, IReadOnlyList<KeyValuePair<string, string>>? headers = null)
    {
        StatusCode = statusCode;
        ContentType = contentType;
        Body = body ?? [];
        Headers = headers ?? [];
    }

    public int StatusCode { get; }

    public string? ContentType { get; }

    public byte[] Body { get; }

    public IReadOnlyList<KeyValuePair<string, string>> Headers { get; }

    /// <summary>The Graph error code of an error answer, for the request log.</summary>
    public string? ErrorCode { get; init; }
}
