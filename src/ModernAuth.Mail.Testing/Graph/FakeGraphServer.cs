using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
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
    private readonly WebApplication _app;
    private readonly byte[] _certificate;
    private readonly CancellationTokenSource _stopping = new();
    private int _disposed;

    private FakeGraphServer(WebApplication app, X509Certificate2 certificate, Uri baseAddress)
    {
        _app = app;
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

        await _stopping.CancelAsync().ConfigureAwait(false);
        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
        _stopping.Dispose();
        Certificate.Dispose();
    }

    internal static async Task<FakeGraphServer> StartAsync(FakeGraph graph, CancellationToken cancellationToken)
    {
        var certificate = SharedCertificate.Value;
        var app = LoopbackHttps.Build(certificate, TimeSpan.FromSeconds(2), maxRequestBodySize: 64 * 1024 * 1024);
        FakeGraphServer? server = null;
        app.Run(context => server!.ServeAsync(graph, context));
        await app.StartAsync(cancellationToken).ConfigureAwait(false);
        server = new FakeGraphServer(app, certificate, LoopbackHttps.Address(app));
        return server;
    }

    private async Task ServeAsync(FakeGraph graph, HttpContext context)
    {
        using var cancellation = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, _stopping.Token);
        var request = context.Request;
        using var buffer = new MemoryStream();
        await request.Body.CopyToAsync(buffer, cancellation.Token).ConfigureAwait(false);
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var header in request.Headers)
        {
            headers[header.Key] = header.Value.ToString();
        }

        var url = new Uri($"https://{request.Host}{request.PathBase}{request.Path}{request.QueryString}");
        GraphHttpResponse answer;
        try
        {
            answer = await graph.HandleAsync(new GraphHttpRequest(request.Method, url, headers, buffer.ToArray()), cancellation.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
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

        if (answer.ContentType is not null)
        {
            response.ContentType = answer.ContentType;
        }

        if (answer.Body.Length > 0)
        {
            response.ContentLength = answer.Body.Length;
            await response.Body.WriteAsync(answer.Body, cancellation.Token).ConfigureAwait(false);
        }
    }
}
