namespace ModernAuth.Mail.Testing.Internal;

/// <summary>One HTTP/1.1 request read by <see cref="LoopbackHttpServer"/>, its body read in full.</summary>
internal sealed class LoopbackHttpRequest
{
    public LoopbackHttpRequest(string method, Uri url, IReadOnlyDictionary<string, string> headers, byte[] body)
    {
        Method = method;
        Url = url;
        Headers = headers;
        Body = body;
    }

    /// <summary>The method as sent (<c>GET</c>, <c>POST</c>, ...).</summary>
    public string Method { get; }

    /// <summary>The absolute URL: <c>https</c>, the Host header (or the server's address) and the request target.</summary>
    public Uri Url { get; }

    /// <summary>The headers, names case-insensitive; repeated headers joined with <c>", "</c>.</summary>
    public IReadOnlyDictionary<string, string> Headers { get; }

    /// <summary>The body, de-chunked; empty when there was none.</summary>
    public byte[] Body { get; }

    public string? Header(string name) => Headers.TryGetValue(name, out var value) && value.Length > 0 ? value : null;
}
