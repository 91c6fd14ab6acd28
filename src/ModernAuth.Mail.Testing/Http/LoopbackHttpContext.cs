namespace ModernAuth.Mail.Testing.Internal;

/// <summary>A request of <see cref="LoopbackHttpServer"/> and the response its handler fills in.</summary>
internal sealed class LoopbackHttpContext
{
    public LoopbackHttpContext(LoopbackHttpRequest request, CancellationToken requestAborted)
    {
        Request = request;
        RequestAborted = requestAborted;
    }

    public LoopbackHttpRequest Request { get; }

    public LoopbackHttpResponse Response { get; } = new();

    /// <summary>Cancelled when the client closes the connection or the server stops.</summary>
    public CancellationToken RequestAborted { get; }

    /// <summary>Whether <see cref="Abort"/> was called: the connection is closed and no response is written.</summary>
    public bool Aborted { get; private set; }

    /// <summary>Closes the connection without an answer, as a server that gave up on the request does.</summary>
    public void Abort() => Aborted = true;
}
