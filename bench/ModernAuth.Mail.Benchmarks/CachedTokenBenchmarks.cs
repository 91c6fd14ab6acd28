using BenchmarkDotNet.Attributes;
using Microsoft.Identity.Client;
using ModernAuth.Mail;
using ModernAuth.Mail.Testing;

namespace ModernAuth.Mail.Benchmarks;

/// <summary>
/// A cached token through our provider vs raw MSAL's own cache hit (<c>AcquireTokenForClient</c>), both against
/// the same in-process fake Entra ID, in one run. Goal: ours at least 20x faster, with zero allocations.
/// </summary>
[MemoryDiagnoser]
public class CachedTokenBenchmarks
{
    private const string Tenant = "11111111-2222-3333-4444-555555555555";
    private const string ClientId = "6a3f1c52-0e1b-4a7e-9d51-5c8f0b0e7a11";
    private const string Secret = "benchmark-secret-value";
    private static readonly string[] Scopes = { "https://outlook.office365.com/.default" };
    private readonly MailTokenRequest _request = new(MailProtocol.Imap, "shared@contoso.test");
    private FakeEntraId _entra = null!;
    private ClientSecretTokenProvider _provider = null!;
    private IConfidentialClientApplication _msal = null!;

    [GlobalSetup]
    public void Setup()
    {
        _entra = new FakeEntraId();
        _entra.RegisterApplication(Tenant, ClientId).WithSecret(Secret);
        _provider = new ClientSecretTokenProvider(Tenant, ClientId, Secret, new ClientSecretTokenProviderOptions().UseFakeEntraId(_entra));
        _msal = ConfidentialClientApplicationBuilder.Create(ClientId)
            .WithAuthority($"{_entra.AuthorityHost.GetLeftPart(UriPartial.Authority)}/{Tenant}", validateAuthority: false)
            .WithInstanceDiscovery(false)
            .WithClientSecret(Secret)
            .WithHttpClientFactory(new HandlerFactory(_entra.CreateHandler()))
            .Build();
        _provider.GetTokenAsync(_request).AsTask().GetAwaiter().GetResult();
        _msal.AcquireTokenForClient(Scopes).ExecuteAsync().GetAwaiter().GetResult();
    }

    [GlobalCleanup]
    public void Cleanup() => _entra.Dispose();

    [Benchmark(Baseline = true, Description = "raw MSAL AcquireTokenForClient (cache hit)")]
    public async Task<string> RawMsalCacheHit() => (await _msal.AcquireTokenForClient(Scopes).ExecuteAsync().ConfigureAwait(false)).AccessToken;

    [Benchmark(Description = "ModernAuth.Mail GetTokenAsync (cache hit)")]
    public async ValueTask<string> ProviderCacheHit() => (await _provider.GetTokenAsync(_request).ConfigureAwait(false)).Token;

    private sealed class HandlerFactory : IMsalHttpClientFactory
    {
        private readonly HttpClient _client;

        public HandlerFactory(HttpMessageHandler handler) => _client = new HttpClient(handler, disposeHandler: false);

        public HttpClient GetHttpClient() => _client;
    }
}

/// <summary>
/// 1,000 concurrent cold callers (a fresh provider or MSAL application per invocation): time taken, and the number of
/// token requests the fake Entra ID saw, reported in the "TokenRequests" column. The token endpoint answers after
/// <see cref="LatencyMs"/> (a real Entra ID round trip is tens of milliseconds); with an instant in-process answer the
/// first request completes before most callers even start, which hides what happens over a real network.
/// </summary>
[MemoryDiagnoser]
[Config(typeof(TokenRequestsConfig))]
public class ColdCallersBenchmarks
{
    private const string Tenant = "11111111-2222-3333-4444-555555555555";
    private const string ClientId = "6a3f1c52-0e1b-4a7e-9d51-5c8f0b0e7a11";
    private const string Secret = "benchmark-secret-value";
    private static readonly string[] Scopes = { "https://outlook.office365.com/.default" };
    private FakeEntraId _entra = null!;

    [Params(1000)]
    public int Callers { get; set; }

    [Params(50)]
    public int LatencyMs { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _entra = new FakeEntraId();
        _entra.RegisterApplication(Tenant, ClientId).WithSecret(Secret);
    }

    [GlobalCleanup]
    public void Cleanup() => _entra.Dispose();

    [IterationSetup]
    public void ResetCounters() => _entra.ResetCounters();

    [Benchmark(Baseline = true, Description = "raw MSAL, 1,000 concurrent cold callers")]
    public async Task RawMsalColdCallers()
    {
        var msal = ConfidentialClientApplicationBuilder.Create(ClientId)
            .WithAuthority($"{_entra.AuthorityHost.GetLeftPart(UriPartial.Authority)}/{Tenant}", validateAuthority: false)
            .WithInstanceDiscovery(false)
            .WithClientSecret(Secret)
            .WithHttpClientFactory(new SingleClientFactory(new LatencyHandler(_entra.CreateHandler(), LatencyMs)))
            .Build();
        await Task.WhenAll(Enumerable.Range(0, Callers).Select(_ => Task.Run(() => msal.AcquireTokenForClient(Scopes).ExecuteAsync()))).ConfigureAwait(false);
        TokenRequestsColumn.Record(nameof(ColdCallersBenchmarks), nameof(RawMsalColdCallers), _entra.TokenRequestCount);
    }

    [Benchmark(Description = "ModernAuth.Mail, 1,000 concurrent cold callers")]
    public async Task ProviderColdCallers()
    {
        var options = new ClientSecretTokenProviderOptions().UseFakeEntraId(_entra);
        options.Transport = new LatencyHandler(_entra.CreateHandler(), LatencyMs);
        var provider = new ClientSecretTokenProvider(Tenant, ClientId, Secret, options);
        await Task.WhenAll(Enumerable.Range(0, Callers).Select(_ => Task.Run(() => provider.GetTokenAsync(new MailTokenRequest(MailProtocol.Imap)).AsTask()))).ConfigureAwait(false);
        TokenRequestsColumn.Record(nameof(ColdCallersBenchmarks), nameof(ProviderColdCallers), _entra.TokenRequestCount);
    }

    private sealed class SingleClientFactory : IMsalHttpClientFactory
    {
        private readonly HttpClient _client;

        public SingleClientFactory(HttpMessageHandler handler) => _client = new HttpClient(handler, disposeHandler: false);

        public HttpClient GetHttpClient() => _client;
    }

    /// <summary>Answers after a fixed delay, like a token service across a network.</summary>
    private sealed class LatencyHandler : DelegatingHandler
    {
        private readonly int _latencyMs;

        public LatencyHandler(HttpMessageHandler inner, int latencyMs)
            : base(inner) => _latencyMs = latencyMs;

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            await Task.Delay(_latencyMs, cancellationToken).ConfigureAwait(false);
            return await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        }
    }
}
