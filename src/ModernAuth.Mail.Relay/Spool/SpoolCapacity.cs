namespace ModernAuth.Mail.Relay.Internal;

/// <summary>
/// Whether the spool may take another message: the disk keeps <see cref="RelayOptions.MinimumFreeDiskSpace"/> free
/// and the queue stays under <see cref="RelayOptions.MaxQueuedMessages"/>. Asked at <c>MAIL FROM</c> (so a client is
/// told <c>452 4.3.1</c> before it sends the data) and again before a message is written.
/// </summary>
internal sealed class SpoolCapacity
{
    private readonly SpoolStore _store;
    private readonly Func<int> _queueDepth;
    private readonly long _minimumFree;
    private readonly int _maxQueued;

    public SpoolCapacity(SpoolStore store, Func<int> queueDepth, RelayOptions options)
    {
        _store = store;
        _queueDepth = queueDepth;
        _minimumFree = options.MinimumFreeDiskSpace;
        _maxQueued = options.MaxQueuedMessages;
    }

    /// <summary>Null when there is room for a message of this size; else why not, for the log.</summary>
    public string? Refusal(long messageSize)
    {
        if (_maxQueued > 0 && _queueDepth() >= _maxQueued)
        {
            return $"the queue holds {_maxQueued} messages (MaxQueuedMessages)";
        }

        if (_minimumFree > 0 && _store.FreeSpace() is { } free && free - messageSize < _minimumFree)
        {
            return $"the spool disk has {free / (1024 * 1024)} MB free, under the floor of {_minimumFree / (1024 * 1024)} MB (MinimumFreeDiskSpace)";
        }

        return null;
    }
}
