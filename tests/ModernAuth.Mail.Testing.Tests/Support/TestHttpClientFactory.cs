using Microsoft.Identity.Client;

namespace ModernAuth.Mail.Testing.Tests;

/// <summary>Gives MSAL one HttpClient over the handler under test, as the core flows do with <c>Transport</c>.</summary>
internal sealed class TestHttpClientFactory : IMsalHttpClientFactory
{
    private readonly HttpClient _client;

    public TestHttpClientFactory(HttpMessageHandler handler) => _client = new HttpClient(handler, disposeHandler: false);

    public HttpClient GetHttpClient() => _client;
}
