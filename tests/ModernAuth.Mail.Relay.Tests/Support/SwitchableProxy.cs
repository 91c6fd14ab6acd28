using System.Net;
using System.Net.Sockets;

namespace ModernAuth.Mail.Relay.Tests.Support;

/// <summary>
/// A tiny TCP proxy in front of Postfix that a test opens and closes: while closed it accepts and drops every
/// connection at once, like an upstream that is down, without stopping Postfix for the other tests.
/// </summary>
public sealed class SwitchableProxy : LoopbackServer
{
    private readonly IPEndPoint _target;
    private volatile bool _open;

    public SwitchableProxy(string host, int port)
    {
        _target = new IPEndPoint(IPAddress.Parse(host), port);
    }

    public int Refused;

    public void Open() => _open = true;

    public void Close() => _open = false;

    protected override async Task HandleAsync(TcpClient client)
    {
        if (!_open)
        {
            Interlocked.Increment(ref Refused);
            client.Client.LingerState = new LingerOption(true, 0);
            client.Dispose();
            return;
        }

        using (client)
        using (var upstream = new TcpClient())
        {
            try
            {
                await upstream.ConnectAsync(_target, Stop.Token);
                var a = client.GetStream().CopyToAsync(upstream.GetStream(), Stop.Token);
                var b = upstream.GetStream().CopyToAsync(client.GetStream(), Stop.Token);
                await Task.WhenAny(a, b);
            }
            catch (Exception ex) when (ex is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
            {
            }
        }
    }
}
