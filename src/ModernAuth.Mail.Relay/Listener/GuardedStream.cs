using System.Text;

namespace ModernAuth.Mail.Relay.Internal;

/// <summary>
/// The connection's stream as the SMTP library sees it; enforces <see cref="ConnectionGuard"/>. It learns that message
/// data starts when the server writes a <c>354</c> reply, and that it ends at <c>CRLF.CRLF</c> (the only end the
/// library knows; a lenient end, a <c>.</c> line after a bare LF, is accepted only to resynchronise after a refused
/// message).
/// </summary>
internal sealed class GuardedStream : Stream
{
    private static readonly byte[] EndOfData = "\r\n.\r\n"u8.ToArray();

    private enum DataState
    {
        Commands,
        Pass,
        DiscardOversize,
        DiscardBareLineFeed,
    }

    private readonly Stream _inner;
    private readonly ConnectionGuard _guard;
    private DataState _state = DataState.Commands;
    private uint _last; // the last four bytes seen, newest in the low byte
    private int _lineLength;
    private byte[]? _pending;
    private int _pendingOffset;

    public GuardedStream(Stream inner, ConnectionGuard guard)
    {
        _inner = inner;
        _guard = guard;
    }

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override void Flush() => _inner.Flush();

    public override Task FlushAsync(CancellationToken cancellationToken) => _inner.FlushAsync(cancellationToken);

    public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => WriteAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) => ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) => WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (StartsData(buffer.Span))
        {
            _guard.ReleaseMessage(); // whatever a message that never reached the store still held
            _state = DataState.Pass;
            _last = 0;
            _guard.Oversize = false;
            _guard.BareLineFeed = false;
            _guard.OverBudget = false;
            _guard.DataBytes = 0;
        }

        await _inner.WriteAsync(buffer, cancellationToken).ConfigureAwait(false);
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        while (true)
        {
            if (_pending is not null)
            {
                var n = Math.Min(buffer.Length, _pending.Length - _pendingOffset);
                _pending.AsSpan(_pendingOffset, n).CopyTo(buffer.Span);
                _pendingOffset += n;
                if (_pendingOffset == _pending.Length)
                {
                    _pending = null;
                }

                return n;
            }

            int read;
            using (var idle = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
            {
                idle.CancelAfter(_guard.IdleTimeout);
                try
                {
                    read = await _inner.ReadAsync(buffer, idle.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                    await TryReplyAsync("421 4.4.2 Idle timeout: closing the connection.").ConfigureAwait(false);
                    throw new IOException("The client was idle for longer than the idle timeout.");
                }
            }

            if (read == 0)
            {
                return 0;
            }

            var output = Filter(buffer.Span[..read]);
            if (output < 0)
            {
                await TryReplyAsync("500 5.5.2 Line too long: closing the connection.").ConfigureAwait(false);
                throw new IOException("The client sent a command line longer than the limit.");
            }

            if (output > 0 || _pending is not null)
            {
                if (output > 0)
                {
                    return output;
                }

                continue;
            }

            // Everything read was discarded (the rest of a refused message): read on.
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _inner.Dispose();
        }

        base.Dispose(disposing);
    }

    private static bool StartsData(ReadOnlySpan<byte> written)
    {
        // A 354 reply line, alone or after other (pipelined) replies.
        if (written.StartsWith("354"u8))
        {
            return true;
        }

        var at = written.IndexOf("\n354"u8);
        return at >= 0;
    }

    /// <summary>Filters bytes in place; returns how many to hand on, or -1 when a command line is too long.</summary>
    private int Filter(Span<byte> data)
    {
        var kept = 0;
        for (var i = 0; i < data.Length; i++)
        {
            var b = data[i];
            var previous = _last;
            _last = (_last << 8) | b;
            switch (_state)
            {
                case DataState.Commands:
                    _lineLength = b == (byte)'\n' ? 0 : _lineLength + 1;
                    if (_lineLength > _guard.MaxLineLength)
                    {
                        return -1;
                    }

                    data[kept++] = b;
                    break;

                case DataState.Pass:
                    _guard.DataBytes++;
                    if (b == (byte)'\n' && (previous & 0xFF) != '\r')
                    {
                        _guard.BareLineFeed = true;
                        _state = DataState.DiscardBareLineFeed;
                        if (IsLenientEnd(previous))
                        {
                            EndDiscard(data, i);
                            return kept;
                        }

                        break;
                    }

                    data[kept++] = b;
                    if (b == (byte)'\n' && (previous & 0xFFFFFFFF) == 0x0D0A2E0D)
                    {
                        _state = DataState.Commands;
                        _lineLength = 0;
                    }
                    else if (_guard.DataBytes > _guard.MaxMessageSize)
                    {
                        _guard.Oversize = true;
                        _state = DataState.DiscardOversize;
                    }
                    else if (!_guard.Reserve())
                    {
                        _guard.OverBudget = true;
                        _state = DataState.DiscardOversize;
                    }

                    break;

                case DataState.DiscardOversize:
                    _guard.DataBytes++;
                    if (b == (byte)'\n' && (previous & 0xFFFFFFFF) == 0x0D0A2E0D)
                    {
                        EndDiscard(data, i);
                        return kept;
                    }

                    break;

                case DataState.DiscardBareLineFeed:
                    _guard.DataBytes++;
                    if (b == (byte)'\n' && IsLenientEnd(previous))
                    {
                        EndDiscard(data, i);
                        return kept;
                    }

                    break;
            }
        }

        return kept;
    }

    /// <summary>A line holding only "." whose line feed comes now: the bytes before are LF "." or LF "." CR.</summary>
    private static bool IsLenientEnd(uint previous) =>
        (previous & 0xFFFF) == 0x0A2E || (previous & 0xFFFFFF) == 0x0A2E0D;

    /// <summary>Ends a refused message: hands the library an end of data, then the bytes after it as commands.</summary>
    private void EndDiscard(Span<byte> data, int index)
    {
        _state = DataState.Commands;
        _lineLength = 0;
        var rest = data[(index + 1)..];
        var pending = new byte[EndOfData.Length + rest.Length];
        EndOfData.CopyTo(pending, 0);
        rest.CopyTo(pending.AsSpan(EndOfData.Length));
        _pending = pending;
        _pendingOffset = 0;

        // The bytes after the end are commands: check their line lengths as such.
        foreach (var b in rest)
        {
            _lineLength = b == (byte)'\n' ? 0 : _lineLength + 1;
            _last = (_last << 8) | b;
        }
    }

    private async Task TryReplyAsync(string reply)
    {
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            await _inner.WriteAsync(Encoding.ASCII.GetBytes(reply + "\r\n"), timeout.Token).ConfigureAwait(false);
            await _inner.FlushAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or OperationCanceledException or ObjectDisposedException or NotSupportedException)
        {
            // The client is gone already.
        }
    }
}
