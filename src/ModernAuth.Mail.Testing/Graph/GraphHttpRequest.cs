namespace ModernAuth.Mail.Testing;

/// <summary>One HTTP request to the fake Graph, parsed: what the handling needs, with no tie to the server that received it.</summary>
internal sealed class GraphHttpRequest
{
    public GraphHttpRequest(string method, Uri url, IReadOnlyDictionary<string, string> headers, byte[] body)
    {
        Method = method;
        Url = url;
        Headers = headers;
        Body = body;
    }

    public string Method { get; }

    /// <summary>The absolute URL as the client sent it (scheme, host and port of the server that received it).</summary>
    public Uri Url { get; }

    /// <summary>The request headers (case-insensitive names; content headers included).</summary>
    public IReadOnlyDictionary<string, string> Headers { get; }

    public byte[] Body { get; }

    public string? Header(string name) => Headers.TryGetValue(name, out var value) && value.Length > 0 ? value : null;
}
