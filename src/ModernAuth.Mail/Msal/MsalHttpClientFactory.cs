using Microsoft.Identity.Client;

namespace ModernAuth.Mail.Internal;

/// <summary>Gives MSAL one long-lived <see cref="HttpClient"/> over the configured transport, with our timeout.</summary>
internal sealed class MsalHttpClientFactory : IMsalHttpClientFactory
{
    private readonly HttpClient _client;

    public MsalHttpClientFactory(HttpMessageHandler? transport, TimeSpan timeout)
    {
        _client = transport is null
            ? new HttpClient()
            : new HttpClient(transport, disposeHandler: false);
        _client.Timeout = timeout;
    }

    public HttpClient GetHttpClient() => _client;
}
