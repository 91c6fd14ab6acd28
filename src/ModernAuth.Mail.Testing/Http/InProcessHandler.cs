using System.Net;
using System.Net.Http.Headers;
using System.Text;

namespace ModernAuth.Mail.Testing.Internal;

/// <summary>Answers HTTP requests in process, for any host, as the fake's endpoints would: no socket, no TLS.</summary>
internal sealed class InProcessHandler : HttpMessageHandler
{
    private readonly FakeEntraId _fake;

    public InProcessHandler(FakeEntraId fake) => _fake = fake;

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.RequestUri is not { IsAbsoluteUri: true } url)
        {
            throw new InvalidOperationException("The request has no absolute URI.");
        }

        var form = IsForm(request.Content)
            ? EntraHttpRequest.ParseForm(await request.Content!.ReadAsStringAsync(cancellationToken).ConfigureAwait(false))
            : new Dictionary<string, string>();
        var clientRequestId = request.Headers.TryGetValues("client-request-id", out var values) ? values.FirstOrDefault() : null;

        var headers = request.Headers.Select(h => new KeyValuePair<string, string>(h.Key, string.Join(",", h.Value)));
        var answer = await _fake.HandleAsync(new EntraHttpRequest(request.Method.Method, url, form, clientRequestId, headers), cancellationToken).ConfigureAwait(false);
        if (answer.StatusCode == 0)
        {
            // As a socket would report an endpoint that is down.
            throw new HttpRequestException($"Connection refused ({url.Host}:{url.Port})", new System.Net.Sockets.SocketException((int)System.Net.Sockets.SocketError.ConnectionRefused));
        }


        var response = new HttpResponseMessage((HttpStatusCode)answer.StatusCode)
        {
            RequestMessage = request,
            Content = answer.Json is null
                ? new ByteArrayContent([])
                : new StringContent(answer.Json, Encoding.UTF8, answer.MediaType),
        };
        response.Headers.CacheControl = new CacheControlHeaderValue { NoStore = true, NoCache = true };
        if (clientRequestId is not null)
        {
            response.Headers.TryAddWithoutValidation("client-request-id", clientRequestId);
        }

        foreach (var (name, value) in answer.Headers)
        {
            response.Headers.TryAddWithoutValidation(name, value);
        }

        return response;
    }

    internal static bool IsForm(HttpContent? content) =>
        content is not null &&
        (content.Headers.ContentType?.MediaType is null ||
         string.Equals(content.Headers.ContentType.MediaType, "application/x-www-form-urlencoded", StringComparison.OrdinalIgnoreCase));
}
