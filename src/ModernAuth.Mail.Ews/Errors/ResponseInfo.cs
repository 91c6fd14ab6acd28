using System.Net;

namespace ModernAuth.Mail.Ews.Internal;

/// <summary>What the HTTP layer knew about a response, carried into the exceptions built from its body.</summary>
internal readonly struct ResponseInfo
{
    public ResponseInfo(HttpStatusCode statusCode, string? diagnostics, string? requestId, string? mediaType)
    {
        StatusCode = statusCode;
        Diagnostics = diagnostics;
        RequestId = requestId;
        MediaType = mediaType;
    }

    public HttpStatusCode StatusCode { get; }

    public string? Diagnostics { get; }

    public string? RequestId { get; }

    public string? MediaType { get; }

    public static ResponseInfo From(HttpResponseMessage response) => new(
        response.StatusCode,
        Header(response, "x-ms-diagnostics"),
        Header(response, "request-id") ?? Header(response, "client-request-id"),
        response.Content?.Headers.ContentType?.MediaType);

    private static string? Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? string.Join(", ", values) : null;
}
