using System.IO.Pipelines;
using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using SmtpServer.IO;

namespace ModernAuth.Mail.Relay.Internal;

/// <summary>The connection as the SMTP library reads and writes it, through a <see cref="GuardedStream"/>; upgradable with STARTTLS.</summary>
internal sealed class RelayPipe : ISecurableDuplexPipe
{
    private readonly Stream _network;
    private readonly ConnectionGuard _guard;
    private readonly Action _onDispose;
    private Stream _stream;
    private SslStream? _ssl;
    private int _disposed;

    public RelayPipe(Stream network, ConnectionGuard guard, Action onDispose)
    {
        _network = network;
        _guard = guard;
        _onDispose = onDispose;
        _stream = new GuardedStream(network, guard);
        Input = PipeReader.Create(_stream);
        Output = PipeWriter.Create(_stream);
    }

    public PipeReader Input { get; private set; }

    public PipeWriter Output { get; private set; }

    public bool IsSecure => _ssl is not null;

    public SslProtocols SslProtocol => _ssl?.SslProtocol ?? SslProtocols.None;

    public async Task UpgradeAsync(X509Certificate certificate, SslProtocols protocols, CancellationToken cancellationToken = default)
    {
        var ssl = new SslStream(_network, leaveInnerStreamOpen: true);

        // The handshake reads the socket directly, not through the guard: it gets the idle timeout of its own, or a
        // client that says STARTTLS (or connects to the implicit-TLS port) and then nothing keeps its slot for the
        // whole session timeout.
        using var idle = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        idle.CancelAfter(_guard.IdleTimeout);
        try
        {
            await ssl.AuthenticateAsServerAsync(
                new SslServerAuthenticationOptions
                {
                    ServerCertificate = certificate,
                    ClientCertificateRequired = false,
                    EnabledSslProtocols = protocols,
                    CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
                },
                idle.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            await ssl.DisposeAsync().ConfigureAwait(false);
            throw new IOException("The client did not complete the TLS handshake within the idle timeout.");
        }
        catch
        {
            await ssl.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        // Whatever the client sent before the handshake is dropped with the old reader (no STARTTLS command injection).
        _ssl = ssl;
        _stream = new GuardedStream(ssl, _guard);
        Input = PipeReader.Create(_stream);
        Output = PipeWriter.Create(_stream);
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        try
        {
            _ssl?.Dispose();
            _network.Dispose();
        }
        finally
        {
            _guard.ReleaseMessage();
            _onDispose();
        }
    }
}
