namespace ModernAuth.Mail.Testing.Internal;

/// <summary>A request as the fake sees it, whichever transport (in-process handler or the loopback HTTPS server) carried it.</summary>
internal sealed class EntraHttpRequest
{
    public EntraHttpRequest(string method, Uri url, IReadOnlyDictionary<string, string> form, string? clientRequestId, IEnumerable<KeyValuePair<string, string>>? headers = null)
    {
        Method = method;
        Url = url;
        Form = form;
        ClientRequestId = clientRequestId;
        var all = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (name, value) in headers ?? [])
        {
            all[name] = value;
        }

        Headers = all;
    }

    /// <summary>The request headers (case-insensitive names; several values joined by commas).</summary>
    public IReadOnlyDictionary<string, string> Headers { get; }

    public string Method { get; }

    /// <summary>The absolute URL the client used (scheme, host, port, path, query).</summary>
    public Uri Url { get; }

    // The query string, parsed on first use: a managed identity request asks for several parameters.
    private IReadOnlyDictionary<string, string>? _query;

    /// <summary>The <c>application/x-www-form-urlencoded</c> body fields; empty for other bodies.</summary>
    public IReadOnlyDictionary<string, string> Form { get; }

    /// <summary>MSAL's <c>client-request-id</c> header: Entra ID echoes it as the correlation id.</summary>
    public string? ClientRequestId { get; }

    /// <summary>Scheme, host and port: the base the client sees, used for endpoint URLs in metadata.</summary>
    public string BaseAddress => Url.GetLeftPart(UriPartial.Authority);

    /// <summary>A header's value, or <see langword="null"/>.</summary>
    public string? Header(string name) => Headers.TryGetValue(name, out var value) ? value : null;

    /// <summary>A query parameter's (decoded) value, or <see langword="null"/> when absent or empty.</summary>
    public string? Query(string name)
    {
        _query ??= ParseForm(Url.Query.TrimStart('?'));
        return _query.TryGetValue(name, out var value) && value.Length > 0 ? value : null;
    }

    public string? Field(string name) => Form.TryGetValue(name, out var value) && value.Length > 0 ? value : null;

    public static IReadOnlyDictionary<string, string> ParseForm(string body)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var pair in body.Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = pair.IndexOf('=', StringComparison.Ordinal);
            var name = Decode(eq < 0 ? pair : pair[..eq]);
            var value = eq < 0 ? string.Empty : Decode(pair[(eq + 1)..]);
            result[name] = value;
        }

        return result;
    }

    private static string Decode(string text) => Uri.UnescapeDataString(text.Replace('+', ' '));
}
