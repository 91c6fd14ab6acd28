using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.DependencyInjection;
using ModernAuth.Mail.Extensions;
using ModernAuth.Mail.Shared;
using ModernAuth.Mail.Testing;
using StackExchange.Redis;

namespace ModernAuth.Mail.Benchmarks;

/// <summary>
/// 10 application instances (each its own service provider, providers and Redis connection) x 100 concurrent cold
/// callers, with and without the distributed token cache in a real Redis (eng/test-servers.sh), against a token
/// endpoint that answers after <see cref="LatencyMs"/>. "TokenRequests" counts what the fake Entra ID received in one
/// invocation. Staggered: the instances start one after another (a rolling deploy, a scale-out); simultaneous: all at
/// once (a cold fleet restart), where the instances that find the cache empty elect one of them through the cache's
/// lease (write-then-verify, DistributedTokenCacheOptions.LeaseEnabled, on by default) and the others wait for its token.
/// </summary>
[MemoryDiagnoser]
[Config(typeof(TokenRequestsConfig))]
public class SharedCacheBenchmarks
{
    private const string Tenant = "11111111-2222-3333-4444-555555555555";
    private const string ClientId = "6a3f1c52-0e1b-4a7e-9d51-5c8f0b0e7a11";
    private const string Secret = "benchmark-secret-value";
    private const string EncryptionKey = "q83vEjRWeJq8Dv8AESIzRFVmd4iZqrvM3e7/ABEiM0Q=";
    private FakeEntraId _entra = null!;
    private string _redis = null!;

    [Params(10)]
    public int Instances { get; set; }

    [Params(100)]
    public int CallersPerInstance { get; set; }

    [Params(50)]
    public int LatencyMs { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _redis = FindRedis();
        _entra = new FakeEntraId();
        _entra.RegisterApplication(Tenant, ClientId).WithSecret(Secret);
    }

    [GlobalCleanup]
    public void Cleanup() => _entra.Dispose();

    [Benchmark(Baseline = true, Description = "no shared cache, instances staggered")]
    public Task NoSharedCacheStaggered() => RunAsync(shared: false, staggered: true, nameof(NoSharedCacheStaggered));

    [Benchmark(Description = "Redis token cache, instances staggered")]
    public Task SharedCacheStaggered() => RunAsync(shared: true, staggered: true, nameof(SharedCacheStaggered));

    [Benchmark(Description = "no shared cache, instances simultaneous")]
    public Task NoSharedCacheSimultaneous() => RunAsync(shared: false, staggered: false, nameof(NoSharedCacheSimultaneous));

    [Benchmark(Description = "Redis token cache, instances simultaneous")]
    public Task SharedCacheSimultaneous() => RunAsync(shared: true, staggered: false, nameof(SharedCacheSimultaneous));

    private async Task RunAsync(bool shared, bool staggered, string method)
    {
        var before = _entra.TokenRequestCount;
        var prefix = "modernauth-mail-bench:" + Guid.NewGuid().ToString("N") + ":"; // a cold cache every invocation
        var apps = new List<ServiceProvider>();
        try
        {
            if (staggered)
            {
                for (var i = 0; i < Instances; i++)
                {
                    var app = CreateInstance(shared, prefix);
                    apps.Add(app);
                    await CallersAsync(app).ConfigureAwait(false);
                }
            }
            else
            {
                for (var i = 0; i < Instances; i++)
                {
                    apps.Add(CreateInstance(shared, prefix));
                }

                await Task.WhenAll(apps.Select(CallersAsync)).ConfigureAwait(false);
            }
        }
        finally
        {
            TokenRequestsColumn.Record(nameof(SharedCacheBenchmarks), method, _entra.TokenRequestCount - before);
            foreach (var app in apps)
            {
                await app.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    private Task CallersAsync(ServiceProvider app)
    {
        var provider = app.GetRequiredService<MailTokenProvider>();
        return Task.WhenAll(Enumerable.Range(0, CallersPerInstance).Select(_ =>
            Task.Run(() => provider.GetTokenAsync(new MailTokenRequest(MailProtocol.Imap, "shared@contoso.test")).AsTask())));
    }

    private ServiceProvider CreateInstance(bool shared, string prefix)
    {
        var services = new ServiceCollection();
        var mail = services.AddModernAuthMail().AddClientSecret("shared-inbox", o =>
        {
            o.TenantId = Tenant;
            o.ClientId = ClientId;
            o.ClientSecret = Secret;
            o.ConfigureFlowOptions = f =>
            {
                f.UseFakeEntraId(_entra);
                f.Transport = new LatencyHandler(_entra.CreateHandler(), LatencyMs);
            };
        });
        if (shared)
        {
            services.AddStackExchangeRedisCache(o => o.ConfigurationOptions = new ConfigurationOptions { EndPoints = { _redis }, AbortOnConnectFail = false });
            mail.AddDistributedTokenCache(o =>
            {
                o.EncryptionKey = EncryptionKey;
                o.KeyPrefix = prefix;
            });
        }

        return services.BuildServiceProvider();
    }

    private static string FindRedis()
    {
        var endpoint = Environment.GetEnvironmentVariable("MODERNAUTH_MAIL_REDIS");
        if (string.IsNullOrEmpty(endpoint) && File.Exists(TestServers.Locate()))
        {
            endpoint = TestServers.Load().RedisEndpoint;
        }

        return string.IsNullOrEmpty(endpoint)
            ? throw new InvalidOperationException($"No test Redis: run `{TestServers.StartCommand}` first.")
            : endpoint;
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
