using System.Text;

namespace ModernAuth.Mail.Testing.Internal;

/// <summary>
/// Buffered reading of HTTP/1.1 framing from one connection: lines (request line, headers, chunk sizes) and bodies.
/// A read of more bytes can be started early (<see cref="StartFill"/>), so the server learns that the client went away
/// while a handler still runs; the bytes it brings (a pipelined request) are kept for the next read.
/// </summary>
internal sealed class HttpConnectionReader
{
    private readonly Stream _stream;
    private readonly byte[] _buffer = new byte[16 * 1024];
    private int _start;
    private int _end;
    private Task<int>? _pending;

    public HttpConnectionReader(Stream stream) => _stream = stream;

    /// <summary>Whether buffered bytes are waiting (a pipelined request).</summary>
    public bool HasBufferedData => _end > _start;

    /// <summary>Starts reading more bytes without waiting; the task completes with 0 when the client closed its side.</summary>
    public Task<int> StartFill()
    {
        if (_pending is null)
        {
            if (_start == _end)
            {
                _start = _end = 0;
            }
            else if (_end == _buffer.Length)
            {
                Buffer.BlockCopy(_buffer, _start, _buffer, 0, _end - _start);
                _end -= _start;
                _start = 0;
            }

            _pending = _stream.ReadAsync(_buffer, _end, _buffer.Length - _end);
        }

        return _pending;
    }

    /// <summary>Reads one line ending in CRLF (or LF), without the ending, as Latin-1; <see langword="null"/> at the end of the stream.</summary>
    /// <exception cref="HttpFramingException">The line is longer than <paramref name="maxLength"/>, or the stream ended inside it.</exception>
    public async Task<string?> ReadLineAsync(int maxLength, int tooLongStatus, CancellationToken cancellationToken)
    {
        var line = new StringBuilder();
        while (true)
        {
            var newline = Array.IndexOf(_buffer, (byte)'\n', _start, _end - _start);
            var take = (newline < 0 ? _end : newline) - _start;
            if (line.Length + take > maxLength + 1)
            {
                throw new HttpFramingException(tooLongStatus, "The request line or a header is too long.");
            }

            line.Append(Encoding.Latin1.GetString(_buffer, _start, take));
            if (newline >= 0)
            {
                _start = newline + 1;
                if (line.Length > 0 && line[^1] == '\r')
                {
                    line.Length--;
                }

                return line.ToString();
            }

            _start = _end;
            if (await FillAsync(cancellationToken).ConfigureAwait(false) == 0)
            {
                return line.Length == 0 ? null : throw new HttpFramingException(400, "The connection closed inside a line.");
            }
        }
    }

    /// <summary>Copies exactly <paramref name="count"/> bytes to <paramref name="destination"/>.</summary>
    public async Task ReadExactlyAsync(long count, Stream destination, CancellationToken cancellationToken)
    {
        while (count > 0)
        {
            if (_start == _end && await FillAsync(cancellationToken).ConfigureAwait(false) == 0)
            {
                throw new HttpFramingException(400, "The connection closed inside the request body.");
            }

            var take = (int)Math.Min(count, _end - _start);
            destination.Write(_buffer, _start, take);
            _start += take;
            count -= take;
        }
    }

    private async Task<int> FillAsync(CancellationToken cancellationToken)
    {
        var read = await StartFill().WaitAsync(cancellationToken).ConfigureAwait(false);
        _pending = null;
        _end += read;
        return read;
    }
}
