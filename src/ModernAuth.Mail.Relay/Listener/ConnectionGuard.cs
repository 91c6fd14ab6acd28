namespace ModernAuth.Mail.Relay.Internal;

/// <summary>
/// Per-connection limits the SMTP library does not enforce the way a relay needs, applied by
/// <see cref="GuardedStream"/> under the library's pipe: how long the client may stay silent, how long a command line
/// may be, how large a message may be, and bare line feeds in message data. An oversized message, or one with a bare
/// LF, is read to its end but not kept: the library is handed a truncated message and <see cref="RelayMessageStore"/>
/// answers it with the right code, so the client stays in step and gets a reply instead of a dropped connection.
/// </summary>
internal sealed class ConnectionGuard
{
    public ConnectionGuard(long maxMessageSize, int maxLineLength, TimeSpan idleTimeout)
    {
        MaxMessageSize = maxMessageSize;
        MaxLineLength = maxLineLength;
        IdleTimeout = idleTimeout;
    }

    public long MaxMessageSize { get; }

    public int MaxLineLength { get; }

    public TimeSpan IdleTimeout { get; }

    /// <summary>The current message went over <see cref="MaxMessageSize"/>.</summary>
    public bool Oversize { get; set; }

    /// <summary>The current message had a line feed without a carriage return before it.</summary>
    public bool BareLineFeed { get; set; }

    /// <summary>Bytes of message data seen for the current message (also past the limit).</summary>
    public long DataBytes { get; set; }
}
