using System.Net;
using System.Net.Http.Headers;
using System.Text;
using BenchmarkDotNet.Attributes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using ModernAuth.Mail.Ews;
using ModernAuth.Mail.Testing;

namespace ModernAuth.Mail.Benchmarks;

/// <summary>
/// One EWS request at a time against a minimal loopback Kestrel endpoint (plain HTTP, so TLS does not hide the
/// handler's own cost) that answers a fixed small GetFolder response: the same HttpClient pipeline with a fixed
/// Authorization header, vs <see cref="EwsAuthenticationHandler"/> with a cached token: delegated; app-only for a request
/// EwsClient wrote (it tells the handler the ExchangeImpersonation header is there); and app-only for the caller's own
/// SOAP, which the handler parses to find the header. Requests per second = 1 s / Mean. Goal: within 3%.
/// </summary>
[MemoryDiagnoser]
public class EwsHandlerBenchmarks
{
    private const string Tenant = "11111111-2222-3333-4444-555555555555";
    private const string ClientId = "6a3f1c52-0e1b-4a7e-9d51-5c8f0b0e7a11";
    private const string Secret = "benchmark-secret-value";
    private const string Mailbox = "shared@contoso.test";

    private const string Response =
        "<?xml version=\"1.0\" encoding=\"utf-8\"?><s:Envelope xmlns:s=\"http://schemas.xmlsoap.org/soap/envelope/\"><s:Header><h:ServerVersionInfo MajorVersion=\"15\" MinorVersion=\"20\" MajorBuildNumber=\"8769\" MinorBuildNumber=\"21\" Version=\"V2018_01_08\" xmlns:h=\"http://schemas.microsoft.com/exchange/services/2006/types\"/></s:Header>" +
        "<s:Body><m:GetFolderResponse xmlns:m=\"http://schemas.microsoft.com/exchange/services/2006/messages\" xmlns:t=\"http://schemas.microsoft.com/exchange/services/2006/types\"><m:ResponseMessages><m:GetFolderResponseMessage ResponseClass=\"Success\"><m:ResponseCode>NoError</m:ResponseCode><m:Folders><t:Folder><t:FolderId Id=\"AAMkAGI2AAEuAAAAAAAAAAA=\" ChangeKey=\"AQAAABYAAAA=\"/><t:DisplayName>Inbox</t:DisplayName><t:TotalCount>12</t:TotalCount><t:ChildFolderCount>0</t:ChildFolderCount><t:UnreadCount>3</t:UnreadCount></t:Folder></m:Folders></m:GetFolderResponseMessage></m:ResponseMessages></m:GetFolderResponse></s:Body></s:Envelope>";

    private const string Request =
        "<?xml version=\"1.0\" encoding=\"utf-8\"?><soap:Envelope xmlns:soap=\"http://schemas.xmlsoap.org/soap/envelope/\" xmlns:m=\"http://schemas.microsoft.com/exchange/services/2006/messages\" xmlns:t=\"http://schemas.microsoft.com/exchange/services/2006/types\"><soap:Header><t:RequestServerVersion Version=\"Exchange2013_SP1\"/><t:ExchangeImpersonation><t:ConnectingSID><t:SmtpAddress>" + Mailbox + "</t:SmtpAddress></t:ConnectingSID></t:ExchangeImpersonation></soap:Header>" +
        "<soap:Body><m:GetFolder><m:FolderShape><t:BaseShape>Default</t:BaseShape></m:FolderShape><m:FolderIds><t:DistinguishedFolderId Id=\"inbox\"><t:Mailbox><t:EmailAddress>" + Mailbox + "</t:EmailAddress></t:Mailbox></t:DistinguishedFolderId></m:FolderIds></m:GetFolder></soap:Body></soap:Envelope>";

    private static readonly byte[] RequestBytes = Encoding.UTF8.GetBytes(Request);
    private static readonly byte[] ResponseBytes = Encoding.UTF8.GetBytes(Response);
    private static readonly MediaTypeHeaderValue TextXml = new("text/xml") { CharSet = "utf-8" };

    private WebApplication _app = null!;
    private FakeEntraId _entra = null!;
    private Uri _endpoint = null!;
    private HttpClient _fixedHeader = null!;
    private HttpClient _handlerAppOnly = null!;
    private HttpClient _handlerDelegated = null!;

    [GlobalSetup]
    public void Setup()
    {
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.WebHost.UseKestrelCore();
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.AddServerHeader = false;
            k.Listen(IPAddress.Loopback, 0);
        });
        _app = builder.Build();
        _app.Run(async context =>
        {
            // Read the request like a server must, then answer the fixed response.
            var buffer = new byte[4096];
            while (await context.Request.Body.ReadAsync(buffer) > 0)
            {
            }

            context.Response.ContentType = "text/xml; charset=utf-8";
            context.Response.ContentLength = ResponseBytes.Length;
            await context.Response.Body.WriteAsync(ResponseBytes);
        });
        _app.StartAsync().GetAwaiter().GetResult();
        var address = _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        _endpoint = new Uri(new Uri(address), "/EWS/Exchange.asmx");

        _entra = new FakeEntraId();
        _entra.RegisterApplication(Tenant, ClientId).WithSecret(Secret);
        var provider = new ClientSecretTokenProvider(Tenant, ClientId, Secret, new ClientSecretTokenProviderOptions().UseFakeEntraId(_entra));
        var token = provider.GetTokenAsync(new MailTokenRequest(MailProtocol.Ews, Mailbox)).AsTask().GetAwaiter().GetResult();

        _fixedHeader = new HttpClient(new SocketsHttpHandler());
        _fixedHeader.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token.Token);
        _fixedHeader.DefaultRequestHeaders.TryAddWithoutValidation("X-AnchorMailbox", Mailbox);

        _handlerAppOnly = new HttpClient(new EwsAuthenticationHandler(provider, Mailbox) { InnerHandler = new SocketsHttpHandler() });
        _handlerDelegated = new HttpClient(new EwsAuthenticationHandler(new FixedTokenProvider(token), Mailbox) { InnerHandler = new SocketsHttpHandler() });

        // Warm every connection and the token cache.
        FixedHeader().GetAwaiter().GetResult();
        HandlerAppOnly().GetAwaiter().GetResult();
        HandlerDelegated().GetAwaiter().GetResult();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _fixedHeader.Dispose();
        _handlerAppOnly.Dispose();
        _handlerDelegated.Dispose();
        _app.StopAsync().GetAwaiter().GetResult();
        _app.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _entra.Dispose();
    }

    [Benchmark(Baseline = true, Description = "HttpClient, fixed Authorization header")]
    public Task<int> FixedHeader() => SendAsync(_fixedHeader);

    [Benchmark(Description = "EwsAuthenticationHandler, cached token, delegated")]
    public Task<int> HandlerDelegated() => SendAsync(_handlerDelegated);

    [Benchmark(Description = "EwsAuthenticationHandler, cached token, app-only, EwsClient request")]
    public Task<int> HandlerAppOnlyFromClient() => SendAsync(_handlerAppOnly, markedByClient: true);

    [Benchmark(Description = "EwsAuthenticationHandler, cached token, app-only, caller's own SOAP")]
    public Task<int> HandlerAppOnly() => SendAsync(_handlerAppOnly);

    /// <summary>
    /// The same three clients measured interleaved (A, B, C, A, B, C, ...) in one process, so that load from other work on
    /// the machine falls on all of them alike; prints the median per request and requests per second.
    /// Run: <c>dotnet run -c Release -- --ews-interleaved [requests]</c>.
    /// </summary>
    public static async Task RunInterleavedAsync(int requests)
    {
        var benchmarks = new EwsHandlerBenchmarks();
        benchmarks.Setup();
        try
        {
            var clients = new (string Name, HttpClient Client, bool Marked)[]
            {
                ("HttpClient, fixed Authorization header", benchmarks._fixedHeader, false),
                ("EwsAuthenticationHandler, cached token, delegated", benchmarks._handlerDelegated, false),
                ("EwsAuthenticationHandler, cached token, app-only, EwsClient request", benchmarks._handlerAppOnly, true),
                ("EwsAuthenticationHandler, cached token, app-only, caller's own SOAP", benchmarks._handlerAppOnly, false),
            };
            var samples = clients.Select(_ => new double[requests]).ToArray();
            for (var i = -1000; i < requests; i++)
            {
                for (var c = 0; c < clients.Length; c++)
                {
                    var started = System.Diagnostics.Stopwatch.GetTimestamp();
                    await benchmarks.SendAsync(clients[c].Client, clients[c].Marked).ConfigureAwait(false);
                    if (i >= 0)
                    {
                        samples[c][i] = System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalMicroseconds;
                    }
                }
            }

            var baseline = Median(samples[0]);
            Console.WriteLine($"| Method | Median | Requests/s | Ratio |");
            Console.WriteLine($"|---|---:|---:|---:|");
            for (var c = 0; c < clients.Length; c++)
            {
                var median = Median(samples[c]);
                Console.WriteLine(System.FormattableString.Invariant($"| {clients[c].Name} | {median:0.00} us | {1_000_000 / median:0} | {median / baseline:0.000} |"));
            }
        }
        finally
        {
            benchmarks.Cleanup();
        }

        static double Median(double[] values)
        {
            var sorted = values.Order().ToArray();
            return sorted[sorted.Length / 2];
        }
    }

    private async Task<int> SendAsync(HttpClient client, bool markedByClient = false)
    {
        // EwsClient's own content type tells the handler which mailbox the impersonation header names.
        using var request = new HttpRequestMessage(HttpMethod.Post, _endpoint)
        {
            Content = markedByClient ? new ModernAuth.Mail.Ews.Internal.EwsSoapContent(RequestBytes, Mailbox) : new ByteArrayContent(RequestBytes),
        };
        request.Content.Headers.ContentType = TextXml;

        using var response = await client.SendAsync(request).ConfigureAwait(false);
        var body = await response.Content.ReadAsByteArrayAsync().ConfigureAwait(false);
        return response.IsSuccessStatusCode ? body.Length : throw new InvalidOperationException("HTTP " + (int)response.StatusCode);
    }

    /// <summary>A delegated provider that always has its token cached, like the device code flow after sign-in.</summary>
    private sealed class FixedTokenProvider : MailTokenProvider
    {
        private readonly MailAccessToken _token;

        public FixedTokenProvider(MailAccessToken token) => _token = token;

        public override ValueTask<MailAccessToken> GetTokenAsync(MailTokenRequest request, CancellationToken cancellationToken = default) => new(_token);
    }
}

/// <summary>
/// What the app-only row of <see cref="EwsHandlerBenchmarks"/> pays on top of the delegated one when a request comes from
/// the caller's own SOAP code: a forward-only System.Xml scan of the envelope's header for ExchangeImpersonation
/// (EwsClient's own requests skip it: the client tells the handler it wrote the header).
/// </summary>
[MemoryDiagnoser]
public class EwsHandlerImpersonationScanBenchmarks
{
    private static readonly byte[] Body = Encoding.UTF8.GetBytes(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?><soap:Envelope xmlns:soap=\"http://schemas.xmlsoap.org/soap/envelope/\" xmlns:m=\"http://schemas.microsoft.com/exchange/services/2006/messages\" xmlns:t=\"http://schemas.microsoft.com/exchange/services/2006/types\"><soap:Header><t:RequestServerVersion Version=\"Exchange2013_SP1\"/><t:ExchangeImpersonation><t:ConnectingSID><t:SmtpAddress>shared@contoso.test</t:SmtpAddress></t:ConnectingSID></t:ExchangeImpersonation></soap:Header>" +
        "<soap:Body><m:GetFolder><m:FolderShape><t:BaseShape>Default</t:BaseShape></m:FolderShape><m:FolderIds><t:DistinguishedFolderId Id=\"inbox\"/></m:FolderIds></m:GetFolder></soap:Body></soap:Envelope>");

    [Benchmark(Description = "find ExchangeImpersonation in a request body")]
    public object Scan() => ModernAuth.Mail.Ews.Internal.ImpersonationHeader.Find(Body, out var mailbox) == default ? Body : mailbox!;
}
