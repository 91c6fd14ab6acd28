namespace ModernAuth.Mail.Relay.Internal;

/// <summary>
/// At most <c>count</c> messages per <c>window</c> for one upstream mailbox (Exchange Online: 30 a minute), as a
/// sliding window of send times. Used by one lane at a time.
/// </summary>
internal sealed class MailboxPacer
{
    private readonly int _count;
    private readonly TimeSpan _window;
    private readonly TimeProvider _timeProvider;
    private readonly Queue<DateTimeOffset> _sent = new();

    public MailboxPacer(int count, TimeSpan window, TimeProvider timeProvider)
    {
        _count = count;
        _window = window;
        _timeProvider = timeProvider;
    }

    /// <summary>How long to wait before the next send may go; zero when it may go now.</summary>
    public TimeSpan Delay()
    {
        if (_count <= 0)
        {
            return TimeSpan.Zero;
        }

        var now = _timeProvider.GetUtcNow();
        while (_sent.Count > 0 && now - _sent.Peek() >= _window)
        {
            _sent.Dequeue();
        }

        return _sent.Count < _count ? TimeSpan.Zero : _sent.Peek() + _window - now;
    }

    public async Task WaitAsync(CancellationToken cancellationToken)
    {
        for (var delay = Delay(); delay > TimeSpan.Zero; delay = Delay())
        {
            await Task.Delay(delay, _timeProvider, cancellationToken).ConfigureAwait(false);
        }
    }

    public void Record()
    {
        if (_count > 0)
        {
            _sent.Enqueue(_timeProvider.GetUtcNow());
        }
    }
}
