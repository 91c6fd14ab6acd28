using System.Security.Cryptography.X509Certificates;
using ModernAuth.Mail.Testing.Internal;

namespace ModernAuth.Mail.Testing;

/// <summary>
/// The fake Graph (<see cref="FakeGraph"/>) over HTTPS on 127.0.0.1 and a free port, with a self-signed certificate
/// that <see cref="CreateTrustingHandler"/> trusts. Give <see cref="ServiceRoot"/> to <c>GraphServiceClient</c> as its
/// base URL (or set <c>MailCloud.Graph</c> to <see cref="BaseAddress"/>). Started by <see cref="FakeGraph.StartHttpsServerAsync"/>.
/// </summary>
public sealed class FakeGraphServer : IAsyncDisposable
{
    // One key pair for every server of the process: RSA key generation is the slowest part of starting one.
    private static readonly Lazy<X509Certificate2> SharedCertificate = new(LoopbackHttps.CreateCertificate);
    private readonly LoopbackHttpServer _server;
    private readonly byte[] _certificate;
    private int _disposed;

    private FakeGraphServer(LoopbackHttpServer server, X509Certificate2 certificate, Uri baseAddress)
    {
        _server = server;
        _certificate = certificate.RawData;
        Certificate = CertificateHelper.PublicCopy(certificate);
        BaseAddress = baseAddress;
    }

    /// <summary>The server's address, for example <c>https://127.0.0.1:45123</c>: what <c>MailCloud.Graph</c> names.</summary>
    public Uri BaseAddress { get; }

    /// <summary>The Graph service root with its API version, for example <c>https://127.0.0.1:45123/v1.0</c>.</summary>
    public Uri ServiceRoot => new(BaseAddress, "/v1.0");

    /// <summary>The server's self-signed certificate (public part).</summary>
    public X509Certificate2 Certificate { get; }

    /// <summary>A handler that trusts this server's certificate and nothing else; use it as the Graph client's transport.</summary>
    /// <returns>A new handler; the caller disposes it.</returns>
    public HttpMessageHandler CreateTrustingHandler() => LoopbackHttps.CreateTrustingHandler(_certificate);

    /// <summary>Stops the server.</summary>
    /// <returns>A task that completes when it has stopped.</returns>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _server.DisposeAsync().ConfigureAwait(false);
        Certificate.Dispose();
    }

    internal static Task<FakeGraphServer> StartAsync(FakeGraph graph, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var certificate = SharedCertificate.Value;
        var server = LoopbackHttpServer.Start(certificate, (context, _) => ServeAsync(graph, context), TimeSpan.FromSeconds(2), maxRequestBodySize: 64 * 1024 * 1024);
        return Task.FromResult(new FakeGraphServer(server, certificate, server.BaseAddress));
    }

    private static async Task ServeAsync(FakeGraph graph, LoopbackHttpContext context)
    {
        var request = context.Request;
        GraphHttpResponse answer;
        try
        {
            answer = await graph.HandleAsync(new GraphHttpRequest(request.Method, request.Url, request.Headers, request.Body), context.RequestAborted).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            context.Abort();
            return;
        }

        var response = context.Response;
        response.StatusCode = answer.StatusCode;
        foreach (var (name, value) in answer.Headers)
        {
            response.Headers[name] = value;
        }

        response.ContentType = answer.ContentType;
        await response.WriteAsync(answer.Body, context.RequestAborted).ConfigureAwait(false);
    }
}
