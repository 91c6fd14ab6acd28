using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Logging;
using SmtpServer;
using SmtpServer.IO;
using SmtpServer.Net;

namespace ModernAuth.Mail.Relay.Internal;

/// <summary>
/// Accepts connections for the SMTP library: records the real bound port (port 0 in tests), refuses clients over the
/// connection limit with <c>421 4.3.2</c> and over their address's share (<see cref="ClientConnectionLimiter"/>) with
/// <c>421 4.7.0</c>, refuses at once clients that could never relay (no allowed network and no relay accounts to log
/// in with) with <c>554 5.7.1</c>, and hands the rest a <see cref="RelayPipe"/>. A slot is given back when the pipe is
/// disposed, which the library does as soon as the session ends: the peer hung up, the TLS handshake failed, or the
/// connection went idle.
/// </summary>
internal sealed class RelayEndpointListenerFactory : IEndpointListenerFactory
{
    private readonly RelayOptions _options;
    private readonly RelayPolicy _policy;
    private readonly ILogger _logger;
    private readonly ClientConnectionLimiter _perClient;
    private readonly ReceiveMemoryBudget _memory;
    private readonly List<IPEndPoint> _bound = new();
    private int _connections;

    public RelayEndpointListenerFactory(RelayOptions options, RelayPolicy policy, ILogger logger, TimeProvider timeProvider, ReceiveMemoryBudget memory)
    {
        _options = options;
        _policy = policy;
        _logger = logger;
        _memory = memory;
        _perClient = new ClientConnectionLimiter(options.MaxConnectionsPerClient, options.MaxConnectionRatePerClient, timeProvider);
    }

    public IReadOnlyList<IPEndPoint> Bound
    {
        get
        {
            lock (_bound)
            {
                return _bound.ToArray();
            }
        }
    }

    public int Connections => Volatile.Read(ref _connections);

    /// <summary>The first listen address that could not be bound, if any.</summary>
    public System.Net.Sockets.SocketException? BindError { get; private set; }

    public IEndpointListener CreateListener(IEndpointDefinition endpointDefinition)
    {
        var listener = new TcpListener(endpointDefinition.Endpoint);
        try
        {
            listener.Start(backlog: 512);
        }
        catch (System.Net.Sockets.SocketException ex)
        {
            lock (_bound)
            {
                BindError ??= new System.Net.Sockets.SocketException(ex.ErrorCode, $"Could not listen on {endpointDefinition.Endpoint}: {ex.Message}");
            }

            throw;
        }

        lock (_bound)
        {
            _bound.Add((IPEndPoint)listener.LocalEndpoint);
        }

        return new Listener(this, listener);
    }

    private sealed class Listener : IEndpointListener
    {
        private readonly RelayEndpointListenerFactory _owner;
        private readonly TcpListener _listener;

        public Listener(RelayEndpointListenerFactory owner, TcpListener listener)
        {
            _owner = owner;
            _listener = listener;
        }

        public async Task<ISecurableDuplexPipe> GetPipeAsync(ISessionContext context, CancellationToken cancellationToken)
        {
            while (true)
            {
                var socket = await _listener.AcceptSocketAsync(cancellationToken).ConfigureAwait(false);
                if (TryAdmit(socket, context) is { } pipe)
                {
                    return pipe;
                }
            }
        }

        private RelayPipe? TryAdmit(Socket socket, ISessionContext context)
        {
            var owner = _owner;
            var options = owner._options;
            IPEndPoint remote;
            try
            {
                socket.NoDelay = true;
                remote = (IPEndPoint)socket.RemoteEndPoint!;
            }
            catch (SocketException)
            {
                socket.Dispose(); // gone before it was accepted
                return null;
            }

            var key = ClientConnectionLimiter.KeyOf(remote.Address);
            if (!owner._perClient.TryAcquire(key, out var refusal))
            {
                Log.ConnectionRefused(owner._logger, remote.ToString(), "too many connections from this address");
                _ = RefuseAsync(socket, refusal!);
                return null;
            }

            var released = 0;
            void Release()
            {
                if (Interlocked.Exchange(ref released, 1) == 0)
                {
                    Interlocked.Decrement(ref owner._connections);
                    owner._perClient.Release(key);
                }
            }

            if (Interlocked.Increment(ref owner._connections) > options.MaxConnections)
            {
                Release();
                Log.ConnectionRefused(owner._logger, remote.ToString(), "too many connections");
                _ = RefuseAsync(socket, "421 4.3.2 Too many connections: try again later.");
                return null;
            }

            if (!owner._policy.HasAccounts && owner._policy.FindNetwork(remote.Address) is null)
            {
                Release();
                Log.ConnectionRefused(owner._logger, remote.ToString(), "the address is in no allowed network and there are no relay accounts");
                _ = RefuseAsync(socket, "554 5.7.1 This client may not use this relay.");
                return null;
            }

            try
            {
                var guard = new ConnectionGuard(options.MaxMessageSize, 64 * 1024, options.IdleTimeout, owner._memory);
                context.Properties[EndpointListener.LocalEndPointKey] = _listener.LocalEndpoint;
                context.Properties[EndpointListener.RemoteEndPointKey] = remote;
                context.Properties[RelaySession.PropertyKey] = new RelaySession(remote, guard);
                return new RelayPipe(new NetworkStream(socket, ownsSocket: true), guard, Release);
            }
            catch
            {
                Release();
                socket.Dispose();
                throw;
            }
        }

        public void Dispose() => _listener.Stop();

        private static async Task RefuseAsync(Socket socket, string reply)
        {
            try
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
                await socket.SendAsync(Encoding.ASCII.GetBytes(reply + "\r\n"), SocketFlags.None, timeout.Token).ConfigureAwait(false);
                socket.Shutdown(SocketShutdown.Both);
            }
            catch (Exception ex) when (ex is SocketException or OperationCanceledException or ObjectDisposedException)
            {
            }
            finally
            {
                socket.Dispose();
            }
        }
    }
}
