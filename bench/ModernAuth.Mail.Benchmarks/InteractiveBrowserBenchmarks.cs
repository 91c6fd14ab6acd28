using BenchmarkDotNet.Attributes;
using ModernAuth.Mail;
using ModernAuth.Mail.Testing;

namespace ModernAuth.Mail.Benchmarks;

/// <summary>
/// A cached token through <see cref="InteractiveBrowserTokenProvider"/> (signed in once through the fake Entra ID's
/// authorize endpoint with a scripted browser) vs the client secret flow's cached token, in one run. Goal: the same zero
/// allocations and within 10% of the client secret row's time: both are the same cache gate. The device code row is the
/// other delegated provider (signed in once in setup through the fake's device code endpoint): a delegated hit and an
/// app-only hit must cost the same.
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
    private DeviceCodeTokenProvider _deviceCode = null!;

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
        _deviceCode = new DeviceCodeTokenProvider(PublicClientId, new DeviceCodeTokenProviderOptions
        {
            TenantId = Tenant,
            PersistTokenCache = false,
            DeviceCodeCallback = (_, _) => Task.CompletedTask,
        }.UseFakeEntraId(_entra));
        _secret.GetTokenAsync(_appOnlyRequest).AsTask().GetAwaiter().GetResult();
        _browser.GetTokenAsync(_delegatedRequest).AsTask().GetAwaiter().GetResult();
        _deviceCode.GetTokenAsync(_delegatedRequest).AsTask().GetAwaiter().GetResult();
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

    [Benchmark(Description = "DeviceCodeTokenProvider GetTokenAsync (cache hit)")]
    public async ValueTask<string> DeviceCodeCacheHit() => (await _deviceCode.GetTokenAsync(_delegatedRequest).ConfigureAwait(false)).Token;

    /// <summary>
    /// The cached-token row of every flow, interleaved in one process (<see cref="InterleavedRows"/>): the client secret
    /// (the baseline), the interactive browser, the device code, a managed identity, a workload identity and a real
    /// Azure.Identity <c>ClientSecretCredential</c> through the bridge.
    /// </summary>
    public static async Task RunFlowsInterleavedAsync(int rounds, int callsPerRound, TextWriter output)
    {
        var delegated = new InteractiveBrowserBenchmarks();
        var identities = new AzureIdentityCachedTokenBenchmarks();
        var bridge = new AzureIdentityBridgeBenchmarks();
        delegated.Setup();
        identities.Setup();
        bridge.Setup();
        try
        {
            await InterleavedRows.RunAsync(
                [
                    ("ClientSecretTokenProvider (cache hit)", delegated.ClientSecretCacheHit),
                    ("InteractiveBrowserTokenProvider (cache hit)", delegated.InteractiveBrowserCacheHit),
                    ("DeviceCodeTokenProvider (cache hit)", delegated.DeviceCodeCacheHit),
                    ("ManagedIdentityTokenProvider (cache hit)", identities.ManagedIdentityCacheHit),
                    ("WorkloadIdentityTokenProvider (cache hit)", identities.WorkloadIdentityCacheHit),
                    ("ClientSecretCredential.AsMailTokenProvider() (cache hit)", bridge.BridgeCached),
                ],
                rounds,
                callsPerRound,
                output).ConfigureAwait(false);
        }
        finally
        {
            bridge.Cleanup();
            identities.Cleanup();
            delegated.Cleanup();
        }
    }
}
