namespace ModernAuth.Mail.Testing.Internal;

/// <summary>A fault queued by <see cref="FakeEntraId.FailNext"/> or <see cref="FakeEntraId.HangNext"/>.</summary>
internal sealed class Fault
{
    private Fault(bool hangs, int statusCode, TimeSpan? retryAfter)
    {
        Hangs = hangs;
        StatusCode = statusCode;
        RetryAfter = retryAfter;
    }

    public static Fault Hang { get; } = new(true, 0, null);

    public bool Hangs { get; }

    public int StatusCode { get; }

    public TimeSpan? RetryAfter { get; }

    public static Fault Fail(int statusCode, TimeSpan? retryAfter) => new(false, statusCode, retryAfter);
}
