using BenchmarkDotNet.Attributes;
using ModernAuth.Mail;
using ModernAuth.Mail.Testing;

namespace ModernAuth.Mail.Benchmarks;

/// <summary>
/// A cached token through <see cref="InteractiveBrowserTokenProvider"/> (signed in once through the fake Entra ID's
/// authorize endpoint with a scripted browser) vs the client secret flow's cached token, in one run. Goal: the same zero
/// allocations and within 10% of the client secret row's time: both are the same cache gate.
/// </summary>
[MemoryDiagnoser]
public class InteractiveBrowserBenchmarks
{
    private const string Tenant = "11111111-2222-3333-4444-555555555555";
    private const string ClientId = "6a3f1c52-0e1b-4a7e-9d51-5c8f0b0e7a11";
    private const string PublicClientId = "3c2b1a09-8f7e-4d6c-b5a4-938271605f4e";
    private const string Secret = "benchmark-secret-value";
    private readonly MailTokenRequest _appOnlyRequest = new(MailProtocol.Imap, "shared@contoso.test");
    private readonly MailTokenRequest _delegatedRequest = new(MailProtocol.Imap);
    private FakeEntraId _entra = null!;
    private ClientSecretTokenProvider _secret = null!;
    private InteractiveBrowserTokenProvider _browser = null!;

    [GlobalSetup]
    public void Setup()
    {
        _entra = new FakeEntraId();
        _entra.RegisterApplication(Tenant, ClientId).WithSecret(Secret);
        _entra.RegisterApplication(Tenant, PublicClientId).AsPublicClient();
        _entra.AddUser(Tenant, "adele@contoso.test");
        var scripted = new FakeBrowser(_entra);
        _secret = new ClientSecretTokenProvider(Tenant, ClientId, Secret, new ClientSecretTokenProviderOptions().UseFakeEntraId(_entra));
        _browser = new InteractiveBrowserTokenProvider(PublicClientId, new InteractiveBrowserTokenProviderOptions
        {
            TenantId = Tenant,
            PersistTokenCache = false,
            CustomWebUi = scripted.NavigateAsync,
        }.UseFakeEntraId(_entra));
        _secret.GetTokenAsync(_appOnlyRequest).AsTask().GetAwaiter().GetResult();
        _browser.GetTokenAsync(_delegatedRequest).AsTask().GetAwaiter().GetResult();
        if (scripted.PageCount != 1)
        {
            throw new InvalidOperationException("The browser sign-in did not run once.");
        }
    }

    [GlobalCleanup]
    public void Cleanup() => _entra.Dispose();

    [Benchmark(Baseline = true, Description = "ClientSecretTokenProvider GetTokenAsync (cache hit)")]
    public async ValueTask<string> ClientSecretCacheHit() => (await _secret.GetTokenAsync(_appOnlyRequest).ConfigureAwait(false)).Token;

    [Benchmark(Description = "InteractiveBrowserTokenProvider GetTokenAsync (cache hit)")]
    public async ValueTask<string> InteractiveBrowserCacheHit() => (await _browser.GetTokenAsync(_delegatedRequest).ConfigureAwait(false)).Token;
}
