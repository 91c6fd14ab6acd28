using System.Security.Cryptography.X509Certificates;
using System.Text;
using ModernAuth.Mail.Testing.Internal;

namespace ModernAuth.Mail.Testing;

/// <summary>
/// A <see cref="FakeEntraId"/> served over HTTPS on 127.0.0.1 (HTTP/1.1, by the package's own small server: no ASP.NET
/// Core runtime needed), started by <see cref="FakeEntraId.StartHttpsServerAsync"/>. Its certificate is self-signed:
/// clients trust it through <see cref="CreateTrustingHandler"/>.
/// </summary>
public sealed class FakeEntraIdServer : IAsyncDisposable
{
    private readonly FakeEntraId _fake;
    private readonly LoopbackHttpServer _server;
    private readonly X509Certificate2 _serverCertificate;
    private readonly byte[] _certificateBytes;
    private readonly object _gate = new();
    private HttpMessageHandler? _sharedHandler;
    private int _disposed;

    private FakeEntraIdServer(FakeEntraId fake, LoopbackHttpServer server, X509Certificate2 serverCertificate, Uri baseAddress)
    {
        _fake = fake;
        _server = server;
        _serverCertificate = serverCertificate;
        _certificateBytes = serverCertificate.RawData;
        Certificate = CertificateHelper.PublicCopy(serverCertificate);
        BaseAddress = baseAddress;
    }

    /// <summary>The server's address, for example <c>https://127.0.0.1:41234</c>: use it as the authority host.</summary>
    public Uri BaseAddress { get; }

    /// <summary>The server's self-signed certificate (public part only), for 127.0.0.1 and localhost.</summary>
    public X509Certificate2 Certificate { get; }

    /// <summary>
    /// Creates a handler that trusts exactly this server's certificate (and no other), for MSAL's
    /// <c>IMsalHttpClientFactory</c> or <c>MailTokenProviderOptions.Transport</c>. The caller owns and disposes it.
    /// </summary>
    /// <returns>The handler.</returns>
    public HttpMessageHandler CreateTrustingHandler() => LoopbackHttps.CreateTrustingHandler(_certificateBytes);

    /// <summary>Stops the server, ending any request still open (hanging requests are released).</summary>
    /// <returns>A task that completes when the server has stopped.</returns>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _fake.RemoveServer(this);
        await _server.DisposeAsync().ConfigureAwait(false);
        lock (_gate)
        {
            _sharedHandler?.Dispose();
            _sharedHandler = null;
        }

        _serverCertificate.Dispose();
        Certificate.Dispose();
    }

    /// <summary>One trusting handler owned by the server, for options that do not dispose their transport.</summary>
    internal HttpMessageHandler SharedTrustingHandler
    {
        get
        {
            lock (_gate)
            {
                ObjectDisposedException.ThrowIf(_disposed != 0, this);
                return _sharedHandler ??= CreateTrustingHandler();
            }
        }
    }

    internal static Task<FakeEntraIdServer> StartAsync(FakeEntraId fake, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var certificate = LoopbackHttps.CreateCertificate();

        // A request hanging on purpose must not hold up shutdown for long.
        var server = LoopbackHttpServer.Start(certificate, (context, _) => ServeAsync(fake, context), TimeSpan.FromSeconds(5));
        return Task.FromResult(new FakeEntraIdServer(fake, server, certificate, server.BaseAddress));
    }

    private static async Task ServeAsync(FakeEntraId fake, LoopbackHttpContext context)
    {
        var request = context.Request;
        IReadOnlyDictionary<string, string> form = new Dictionary<string, string>();
        var contentType = request.Header("Content-Type");
        if (contentType is null || contentType.StartsWith("application/x-www-form-urlencoded", StringComparison.OrdinalIgnoreCase))
        {
            form = EntraHttpRequest.ParseForm(Encoding.UTF8.GetString(request.Body));
        }

        var clientRequestId = request.Header("client-request-id");
        EntraHttpResponse answer;
        try
        {
            answer = await fake.HandleAsync(new EntraHttpRequest(request.Method, request.Url, form, clientRequestId, request.Headers), context.RequestAborted).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            context.Abort();
            return;
        }
        catch (ObjectDisposedException)
        {
            context.Abort();
            return;
        }

        if (answer.StatusCode == 0)
        {
            context.Abort();
            return;
        }

        var response = context.Response;
        response.StatusCode = answer.StatusCode;
        response.Headers["Cache-Control"] = "no-store, no-cache";
        if (!string.IsNullOrEmpty(clientRequestId))
        {
            response.Headers["client-request-id"] = clientRequestId;
        }

        foreach (var (name, value) in answer.Headers)
        {
            response.Headers[name] = value;
        }

        if (answer.Json is not null)
        {
            response.ContentType = answer.MediaType + "; charset=utf-8";
            await response.WriteAsync(answer.Json, context.RequestAborted).ConfigureAwait(false);
        }
    }
}
