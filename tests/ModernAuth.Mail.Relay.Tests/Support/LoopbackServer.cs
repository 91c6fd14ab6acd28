using System.Net;
using System.Net.Sockets;

namespace ModernAuth.Mail.Relay.Tests.Support;

/// <summary>A TCP listener on a free loopback port that hands each connection to <see cref="HandleAsync"/> until disposed.</summary>
public abstract class LoopbackServer : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly Task _loop;
    private int _connections;

    protected LoopbackServer()
    {
        _listener.Start();
        _loop = Task.Run(AcceptLoopAsync);
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    /// <summary>Connections accepted so far.</summary>
    public int Connections => Volatile.Read(ref _connections);

    protected CancellationTokenSource Stop { get; } = new();

    public async ValueTask DisposeAsync()
    {
        await Stop.CancelAsync();
        _listener.Stop();
        try
        {
            await _loop;
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }

        Stop.Dispose();
        GC.SuppressFinalize(this);
    }

    /// <summary>Serves one connection; runs on its own task and owns the client.</summary>
    protected abstract Task HandleAsync(TcpClient client);

    private async Task AcceptLoopAsync()
    {
        while (!Stop.IsCancellationRequested)
        {
            var client = await _listener.AcceptTcpClientAsync(Stop.Token);
            Interlocked.Increment(ref _connections);
            _ = Task.Run(() => HandleAsync(client));
        }
    }
}
