using System.Security.Cryptography.X509Certificates;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using ModernAuth.Mail.Testing.Internal;

namespace ModernAuth.Mail.Testing;

/// <summary>
/// A <see cref="FakeEntraId"/> served by Kestrel over HTTPS on 127.0.0.1, started by
/// <see cref="FakeEntraId.StartHttpsServerAsync"/>. Its certificate is self-signed: clients trust it through
/// <see cref="CreateTrustingHandler"/>. Kestrel's own logging is off.
/// </summary>
public sealed class FakeEntraIdServer : IAsyncDisposable
{
    private readonly FakeEntraId _fake;
    private readonly WebApplication _app;
    private readonly X509Certificate2 _serverCertificate;
    private readonly byte[] _certificateBytes;
    private readonly object _gate = new();
    private HttpMessageHandler? _sharedHandler;
    private int _disposed;

    private FakeEntraIdServer(FakeEntraId fake, WebApplication app, X509Certificate2 serverCertificate, Uri baseAddress)
    {
        _fake = fake;
        _app = app;
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
        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
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

    internal static async Task<FakeEntraIdServer> StartAsync(FakeEntraId fake, CancellationToken cancellationToken)
    {
        var certificate = LoopbackHttps.CreateCertificate();

        // A request hanging on purpose must not hold up shutdown for long.
        var app = LoopbackHttps.Build(certificate, TimeSpan.FromSeconds(5));
        var stopping = app.Lifetime.ApplicationStopping;
        app.Run(context => ServeAsync(fake, context, stopping));

        try
        {
            await app.StartAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await app.DisposeAsync().ConfigureAwait(false);
            certificate.Dispose();
            throw;
        }

        return new FakeEntraIdServer(fake, app, certificate, LoopbackHttps.Address(app));
    }

    private static async Task ServeAsync(FakeEntraId fake, HttpContext context, CancellationToken stopping)
    {
        var request = context.Request;
        var url = new Uri($"{request.Scheme}://{request.Host}{request.PathBase}{request.Path}{request.QueryString}");
        IReadOnlyDictionary<string, string> form = new Dictionary<string, string>();
        if (request.ContentType is null || request.ContentType.StartsWith("application/x-www-form-urlencoded", StringComparison.OrdinalIgnoreCase))
        {
            using var reader = new StreamReader(request.Body, Encoding.UTF8);
            var body = await reader.ReadToEndAsync(context.RequestAborted).ConfigureAwait(false);
            form = EntraHttpRequest.ParseForm(body);
        }

        string? clientRequestId = request.Headers["client-request-id"];
        using var cancellation = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, stopping);
        EntraHttpResponse answer;
        try
        {
            var headers = request.Headers.Select(h => new KeyValuePair<string, string>(h.Key, h.Value.ToString()));
            answer = await fake.HandleAsync(new EntraHttpRequest(request.Method, url, form, clientRequestId, headers), cancellation.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
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
        response.Headers.CacheControl = "no-store, no-cache";
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
            response.ContentType = "application/json; charset=utf-8";
            await response.WriteAsync(answer.Json, Encoding.UTF8, context.RequestAborted).ConfigureAwait(false);
        }
    }
}
