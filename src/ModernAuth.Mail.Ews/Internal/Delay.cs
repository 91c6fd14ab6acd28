namespace ModernAuth.Mail.Ews.Internal;

internal static class Delay
{
    /// <summary>Waits on <paramref name="timeProvider"/>'s clock so tests can replace time.</summary>
    public static Task WaitAsync(TimeProvider timeProvider, TimeSpan delay, CancellationToken cancellationToken)
    {
        if (delay <= TimeSpan.Zero)
        {
            cancellationToken.ThrowIfCancellationRequested();
            return Task.CompletedTask;
        }

#if NET8_0_OR_GREATER
        return Task.Delay(delay, timeProvider, cancellationToken);
#else
        return timeProvider.Delay(delay, cancellationToken);
#endif
    }
}
