using BenchmarkDotNet.Attributes;
using ModernAuth.Mail;
using ModernAuth.Mail.Testing;

namespace ModernAuth.Mail.Benchmarks;

/// <summary>
/// A cached token through the managed identity and workload identity providers beside the client secret provider's
/// cached row, all warmed up against the same in-process fake Entra ID (its IMDS endpoint for the managed identity, a
/// federated token file for the workload identity). Goal: the same zero allocations, within 10% of the client secret's time.
/// </summary>
[MemoryDiagnoser]
public class AzureIdentityCachedTokenBenchmarks
{
    private const string Tenant = "11111111-2222-3333-4444-555555555555";
    private const string ClientId = "6a3f1c52-0e1b-4a7e-9d51-5c8f0b0e7a11";
    private const string WorkloadClientId = "5e4d3c2b-1a09-4f8e-9d7c-6b5a49382716";
    private const string Secret = "benchmark-secret-value";
    private const string Issuer = "https://oidc.benchmark.test/";
    private const string Subject = "system:serviceaccount:mail:bench";
    private readonly MailTokenRequest _request = new(MailProtocol.Imap, "shared@contoso.test");
    private FakeEntraId _entra = null!;
    private string _tokenFile = null!;
    private ClientSecretTokenProvider _secret = null!;
    private ManagedIdentityTokenProvider _managed = null!;
    private WorkloadIdentityTokenProvider _workload = null!;

    [GlobalSetup]
    public void Setup()
    {
        _entra = new FakeEntraId();
        _entra.RegisterApplication(Tenant, ClientId).WithSecret(Secret);
        _entra.RegisterApplication(Tenant, WorkloadClientId).WithFederatedCredential(Issuer, Subject);
        var identity = _entra.AddUserAssignedIdentity(Tenant, "bench");
        _tokenFile = Path.GetTempFileName();
        File.WriteAllText(_tokenFile, _entra.MintFederatedToken(Issuer, Subject));

        _secret = new ClientSecretTokenProvider(Tenant, ClientId, Secret, new ClientSecretTokenProviderOptions().UseFakeEntraId(_entra));
        _managed = new ManagedIdentityTokenProvider(new ManagedIdentityTokenProviderOptions { ClientId = identity.ClientId, Transport = _entra.CreateHandler() });
        _workload = new WorkloadIdentityTokenProvider(new WorkloadIdentityTokenProviderOptions { TenantId = Tenant, ClientId = WorkloadClientId, TokenFilePath = _tokenFile }.UseFakeEntraId(_entra));
        foreach (var provider in new MailTokenProvider[] { _secret, _managed, _workload })
        {
            provider.GetTokenAsync(_request).AsTask().GetAwaiter().GetResult();
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _entra.Dispose();
        File.Delete(_tokenFile);
    }

    [Benchmark(Baseline = true, Description = "ClientSecretTokenProvider GetTokenAsync (cache hit)")]
    public async ValueTask<string> ClientSecretCacheHit() => (await _secret.GetTokenAsync(_request).ConfigureAwait(false)).Token;

    [Benchmark(Description = "ManagedIdentityTokenProvider GetTokenAsync (cache hit)")]
    public async ValueTask<string> ManagedIdentityCacheHit() => (await _managed.GetTokenAsync(_request).ConfigureAwait(false)).Token;

    [Benchmark(Description = "WorkloadIdentityTokenProvider GetTokenAsync (cache hit)")]
    public async ValueTask<string> WorkloadIdentityCacheHit() => (await _workload.GetTokenAsync(_request).ConfigureAwait(false)).Token;
}
