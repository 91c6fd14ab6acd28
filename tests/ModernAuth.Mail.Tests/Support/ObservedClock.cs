using Microsoft.Extensions.Time.Testing;

namespace ModernAuth.Mail.Tests.Support;

/// <summary>
/// A <see cref="FakeTimeProvider"/> that counts the timers created through it. Continuations of a fake-clock
/// <c>Task.Delay</c> run on the thread pool, so a test advances the clock, then waits for the code under test to park in
/// its next delay (a new timer) or finish, before looking at what it did.
/// </summary>
public sealed class ObservedClock : TimeProvider
{
    private int _timersCreated;

    public ObservedClock(DateTimeOffset start) => Fake = new FakeTimeProvider(start);

    public FakeTimeProvider Fake { get; }

    public int TimersCreated => Volatile.Read(ref _timersCreated);

    public override long TimestampFrequency => Fake.TimestampFrequency;

    public override DateTimeOffset GetUtcNow() => Fake.GetUtcNow();

    public override long GetTimestamp() => Fake.GetTimestamp();

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = Fake.CreateTimer(callback, state, dueTime, period);
        Interlocked.Increment(ref _timersCreated);
        return timer;
    }

    /// <summary>Advances the clock, then waits (up to 10 real seconds) until a new timer was created or <paramref name="run"/> finished.</summary>
    public async Task StepAsync(TimeSpan by, Task run)
    {
        var before = TimersCreated;
        Fake.Advance(by);
        await UntilAsync(() => TimersCreated > before || run.IsCompleted);
    }

    /// <summary>Waits, yielding, until <paramref name="condition"/> holds; fails after 10 real seconds.</summary>
    public static async Task UntilAsync(Func<bool> condition)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (!condition())
        {
            timeout.Token.ThrowIfCancellationRequested();
            await Task.Yield();
        }
    }
}
