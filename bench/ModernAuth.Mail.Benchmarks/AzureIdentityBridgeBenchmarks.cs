using System.Diagnostics;
using System.Globalization;
using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Identity;
using BenchmarkDotNet.Attributes;
using ModernAuth.Mail.AzureIdentity;
using ModernAuth.Mail.Testing;

namespace ModernAuth.Mail.Benchmarks;

/// <summary>
/// A cached token through the Azure.Identity bridge, both ways, beside the client secret flow's cached-token row, in one
/// run against the same in-process fake Entra ID. Goal: the bridge (a real <see cref="ClientSecretCredential"/> as a
/// provider) allocates nothing and is within 10% of <see cref="ClientSecretTokenProvider"/>: both are one gate hit.
/// </summary>
[MemoryDiagnoser]
public class AzureIdentityBridgeBenchmarks
{
    private const string Tenant = "11111111-2222-3333-4444-555555555555";
    private const string ClientId = "6a3f1c52-0e1b-4a7e-9d51-5c8f0b0e7a11";
    private const string Secret = "benchmark-secret-value";
    private readonly MailTokenRequest _request = new(MailProtocol.Imap, "shared@contoso.test");
    private readonly TokenRequestContext _graphContext = new(new[] { "https://graph.microsoft.com/.default" });
    private FakeEntraId _entra = null!;
    private HttpMessageHandler _handler = null!;
    private ClientSecretTokenProvider _clientSecret = null!;
    private TokenCredentialMailTokenProvider _bridge = null!;
    private MailTokenProviderCredential _credential = null!;

    [GlobalSetup]
    public void Setup()
    {
        _entra = new FakeEntraId();
        _entra.RegisterApplication(Tenant, ClientId).WithSecret(Secret);
        _handler = _entra.CreateHandler();
        _clientSecret = new ClientSecretTokenProvider(Tenant, ClientId, Secret, new ClientSecretTokenProviderOptions().UseFakeEntraId(_entra));
        var azure = new ClientSecretCredential(Tenant, ClientId, Secret, new ClientSecretCredentialOptions
        {
            AuthorityHost = _entra.AuthorityHost,
            DisableInstanceDiscovery = true,
            Transport = new HttpClientTransport(_handler),
        });
        _bridge = azure.AsMailTokenProvider();
        _credential = _clientSecret.AsTokenCredential();
        _clientSecret.GetTokenAsync(_request).AsTask().GetAwaiter().GetResult();
        _bridge.GetTokenAsync(_request).AsTask().GetAwaiter().GetResult();
        _credential.GetTokenAsync(_graphContext, default).AsTask().GetAwaiter().GetResult();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _handler.Dispose();
        _entra.Dispose();
    }

    [Benchmark(Baseline = true, Description = "ClientSecretTokenProvider.GetTokenAsync (cached)")]
    public async ValueTask<string> ClientSecretCached() => (await _clientSecret.GetTokenAsync(_request).ConfigureAwait(false)).Token;

    [Benchmark(Description = "ClientSecretCredential.AsMailTokenProvider().GetTokenAsync (cached)")]
    public async ValueTask<string> BridgeCached() => (await _bridge.GetTokenAsync(_request).ConfigureAwait(false)).Token;

    [Benchmark(Description = "provider.AsTokenCredential().GetTokenAsync, Graph scope (cached)")]
    public async ValueTask<string> CredentialCached() => (await _credential.GetTokenAsync(_graphContext, default).ConfigureAwait(false)).Token;

    /// <summary>
    /// The three rows interleaved (round after round, each row timing <paramref name="callsPerRound"/> calls), so load
    /// that comes and goes on a shared machine lands on every row alike: the median time per call of each row, its ratio
    /// to the client secret row, and the bytes allocated per call on the calling thread.
    /// </summary>
    public static async Task RunInterleavedAsync(int rounds, int callsPerRound, TextWriter output)
    {
        var bench = new AzureIdentityBridgeBenchmarks();
        bench.Setup();
        try
        {
            await InterleavedRows.RunAsync(
                [
                    ("ClientSecretTokenProvider.GetTokenAsync (cached)", bench.ClientSecretCached),
                    ("ClientSecretCredential.AsMailTokenProvider().GetTokenAsync (cached)", bench.BridgeCached),
                    ("provider.AsTokenCredential().GetTokenAsync, Graph scope (cached)", bench.CredentialCached),
                ],
                rounds,
                callsPerRound,
                output).ConfigureAwait(false);
        }
        finally
        {
            bench.Cleanup();
        }
    }
}
