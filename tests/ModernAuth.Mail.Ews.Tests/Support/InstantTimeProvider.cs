using System.Collections.Concurrent;

namespace ModernAuth.Mail.Ews.Tests.Support;

/// <summary>
/// A clock whose timers fire at once while recording how long they were asked to wait, so retry waits are checked
/// exactly without a test ever sleeping. Its time starts at the real time (the fake Entra ID mints tokens on the real
/// clock, and the handler inspects a rejected token on this one) and moves forward by each wait.
/// </summary>
public sealed class InstantTimeProvider : TimeProvider
{
    private readonly ConcurrentQueue<TimeSpan> _waits = new();
    private long _ticks = TimeProvider.System.GetUtcNow().UtcTicks;

    public IReadOnlyList<TimeSpan> Waits => _waits.ToArray();

    public override DateTimeOffset GetUtcNow() => new(Interlocked.Read(ref _ticks), TimeSpan.Zero);

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        if (dueTime != Timeout.InfiniteTimeSpan)
        {
            _waits.Enqueue(dueTime);
            Interlocked.Add(ref _ticks, dueTime.Ticks);
        }

        return TimeProvider.System.CreateTimer(callback, state, dueTime == Timeout.InfiniteTimeSpan ? dueTime : TimeSpan.Zero, Timeout.InfiniteTimeSpan);
    }
}
