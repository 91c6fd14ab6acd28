using System.Text;

namespace ModernAuth.Mail.Testing.Internal;

/// <summary>
/// The answer a handler of <see cref="LoopbackHttpServer"/> builds; the server writes it out when the handler returns
/// (status line, headers, <c>Content-Length</c> and the buffered body).
/// </summary>
internal sealed class LoopbackHttpResponse
{
    private readonly MemoryStream _body = new();

    /// <summary>The status code; 200 unless set.</summary>
    public int StatusCode { get; set; } = 200;

    /// <summary>The Content-Type, or <see langword="null"/> for none.</summary>
    public string? ContentType { get; set; }

    /// <summary>Response headers besides Content-Type and Content-Length (which the server writes itself).</summary>
    public Dictionary<string, string> Headers { get; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Appends <paramref name="text"/> to the body as UTF-8.</summary>
    public Task WriteAsync(string text, CancellationToken cancellationToken = default) =>
        WriteAsync(Encoding.UTF8.GetBytes(text), cancellationToken);

    /// <summary>Appends <paramref name="bytes"/> to the body.</summary>
    public Task WriteAsync(ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        _body.Write(bytes.Span);
        return Task.CompletedTask;
    }

    internal ArraySegment<byte> GetBody() => new(_body.GetBuffer(), 0, (int)_body.Length);
}
