namespace ModernAuth.Mail.Relay.Internal;

/// <summary>
/// Per-connection limits the SMTP library does not enforce the way a relay needs, applied by
/// <see cref="GuardedStream"/> under the library's pipe (and by <see cref="RelayPipe"/> during a TLS handshake): how
/// long the client may stay silent, how long a command line may be, how large a message may be, bare line feeds in
/// message data, and the share of <see cref="ReceiveMemoryBudget"/> the message being received holds. An oversized
/// message, one with a bare LF, or one over the memory budget is read to its end but not kept: the library is handed a
/// truncated message and <see cref="RelayMessageStore"/> answers it with the right code, so the client stays in step
/// and gets a reply instead of a dropped connection.
/// </summary>
internal sealed class ConnectionGuard
{
    private const long ReservationBlock = 64 * 1024;

    private readonly ReceiveMemoryBudget? _budget;
    private long _reserved;

    public ConnectionGuard(long maxMessageSize, int maxLineLength, TimeSpan idleTimeout, ReceiveMemoryBudget? budget = null)
    {
        MaxMessageSize = maxMessageSize;
        MaxLineLength = maxLineLength;
        IdleTimeout = idleTimeout;
        _budget = budget;
    }

    public long MaxMessageSize { get; }

    public int MaxLineLength { get; }

    public TimeSpan IdleTimeout { get; }

    /// <summary>The current message went over <see cref="MaxMessageSize"/>.</summary>
    public bool Oversize { get; set; }

    /// <summary>The current message had a line feed without a carriage return before it.</summary>
    public bool BareLineFeed { get; set; }

    /// <summary>The current message would have taken the relay over its memory budget.</summary>
    public bool OverBudget { get; set; }

    /// <summary>Bytes of message data seen for the current message (also past the limit).</summary>
    public long DataBytes { get; set; }

    /// <summary>Reserves budget for <see cref="DataBytes"/>; false when the budget is spent.</summary>
    public bool Reserve()
    {
        if (_budget is null || DataBytes <= _reserved)
        {
            return true;
        }

        var block = Math.Max(ReservationBlock, DataBytes - _reserved);
        if (!_budget.TryReserve(block))
        {
            return false;
        }

        _reserved += block;
        return true;
    }

    /// <summary>Gives the message's reservation back (it is stored, refused, or the connection ended).</summary>
    public void ReleaseMessage()
    {
        var reserved = Interlocked.Exchange(ref _reserved, 0);
        if (reserved > 0)
        {
            _budget?.Release(reserved);
        }
    }
}
