namespace ModernAuth.Mail.Relay.Internal;

/// <summary>
/// The message data all connections together may hold in memory while receiving (<see cref="RelayOptions.MaxReceiveMemory"/>):
/// the SMTP library buffers a message until its end, so without this 200 connections × 35 MB would be possible.
/// <see cref="ConnectionGuard"/> reserves in blocks as data arrives and gives everything back when the message is
/// stored or the connection ends.
/// </summary>
internal sealed class ReceiveMemoryBudget
{
    private readonly long _limit;
    private long _used;

    public ReceiveMemoryBudget(long limit) => _limit = limit;

    public long Used => Interlocked.Read(ref _used);

    public bool TryReserve(long bytes)
    {
        while (true)
        {
            var used = Interlocked.Read(ref _used);
            if (used + bytes > _limit)
            {
                return false;
            }

            if (Interlocked.CompareExchange(ref _used, used + bytes, used) == used)
            {
                return true;
            }
        }
    }

    public void Release(long bytes) => Interlocked.Add(ref _used, -bytes);
}
