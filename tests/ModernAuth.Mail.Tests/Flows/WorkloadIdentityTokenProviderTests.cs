using Microsoft.IdentityModel.JsonWebTokens;
using ModernAuth.Mail.Testing;

namespace ModernAuth.Mail.Tests.Flows;

/// <summary>
/// Workload identity federation through real MSAL: the federated token comes from a file (as Kubernetes projects it) or a
/// callback and is checked by the fake against the application's federated credentials. Some tests set AZURE_* variables,
/// so the class runs alone (<see cref="ProcessEnvironmentCollection"/>).
/// </summary>
[Collection(ProcessEnvironmentCollection.Name)]
public sealed class WorkloadIdentityTokenProviderTests : IDisposable
{
    private const string Tenant = "0b3c1f7e-7a55-4c1e-9a55-0f0e6f1d2c3b";
    private const string Issuer = "https://oidc.prod-aks.azure.test/0b3c1f7e/cluster-1/";
    private const string Subject = "system:serviceaccount:mail:sender";
    private readonly FakeEntraId _entra = new();
    private readonly EnvironmentScope _environment = new();
    private readonly string _directory = Directory.CreateTempSubdirectory("modernauth-wi-").FullName;
    private readonly string _tokenFile;
    private readonly string _clientId = Guid.NewGuid().ToString();

    public WorkloadIdentityTokenProviderTests()
    {
        _entra.RegisterApplication(Tenant, _clientId).WithFederatedCredential(Issuer, Subject);
        _tokenFile = Path.Combine(_directory, "azure-identity-token");
        File.WriteAllText(_tokenFile, _entra.MintFederatedToken(Issuer, Subject));
    }

    public void Dispose()
    {
        _environment.Dispose();
        _entra.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    private WorkloadIdentityTokenProvider CreateProvider(Action<WorkloadIdentityTokenProviderOptions>? configure = null)
    {
        var options = new WorkloadIdentityTokenProviderOptions { TenantId = Tenant, ClientId = _clientId, TokenFilePath = _tokenFile }.UseFakeEntraId(_entra);
        configure?.Invoke(options);
        return new WorkloadIdentityTokenProvider(options);
    }

    [Theory]
    [InlineData(MailProtocol.Imap, "https://outlook.office365.com")]
    [InlineData(MailProtocol.Pop, "https://outlook.office365.com")]
    [InlineData(MailProtocol.Smtp, "https://outlook.office365.com")]
    [InlineData(MailProtocol.Ews, "https://outlook.office365.com")]
    [InlineData(MailProtocol.Graph, "https://graph.microsoft.com")]
    public async Task GetTokenAsync_TokenFile_AppOnlyTokenForTheProtocol(MailProtocol protocol, string audience)
    {
        var provider = CreateProvider();

        var token = await provider.GetTokenAsync(new MailTokenRequest(protocol, "shared@contoso.test"));

        var request = Assert.Single(_entra.Requests, r => r.IsTokenRequest);
        Assert.Equal("client_credentials", request.GrantType);
        Assert.Equal(FakeEntraRequest.Fingerprint(File.ReadAllText(_tokenFile)), request.AssertionFingerprint);
        var jwt = new JsonWebToken(token.Token);
        Assert.Equal(audience, jwt.GetClaim("aud").Value);
        Assert.Equal(_clientId, jwt.GetClaim("appid").Value);
        Assert.Equal("app", jwt.GetClaim("idtyp").Value);
        Assert.True(provider.IsAppOnly);
    }

    [Fact]
    public async Task GetTokenAsync_SecondCallAndOtherMailbox_ServedFromCacheWithOneRequest()
    {
        var provider = CreateProvider();
        var first = await provider.GetTokenAsync(new MailTokenRequest(MailProtocol.Imap, "a@contoso.test"));

        var again = await provider.GetTokenAsync(new MailTokenRequest(MailProtocol.Smtp, "b@contoso.test"));

        Assert.Equal(1, _entra.TokenRequestCount);
        Assert.Equal(first.Token, again.Token);
    }

    [Fact]
    public async Task GetTokenAsync_FileRotated_NextAcquisitionPresentsTheNewToken()
    {
        var provider = CreateProvider();
        await provider.GetTokenAsync(new MailTokenRequest(MailProtocol.Imap));
        var rotated = _entra.MintFederatedToken(Issuer, Subject);
        File.WriteAllText(_tokenFile, rotated); // as the kubelet does when it rotates the projected token

        await provider.GetTokenAsync(new MailTokenRequest(MailProtocol.Imap, forceRefresh: true));

        var requests = _entra.Requests.Where(r => r.IsTokenRequest).ToArray();
        Assert.Equal(2, requests.Length);
        Assert.NotEqual(requests[0].AssertionFingerprint, requests[1].AssertionFingerprint);
        Assert.Equal(FakeEntraRequest.Fingerprint(rotated), requests[1].AssertionFingerprint);
    }

    [Fact]
    public async Task GetTokenAsync_Callback_CalledPerAcquisitionWithTheCancellationToken()
    {
        var calls = 0;
        var tokens = new System.Collections.Concurrent.ConcurrentBag<CancellationToken>();
        var provider = CreateProvider(o =>
        {
            o.TokenFilePath = null;
            o.TokenCallback = ct =>
            {
                tokens.Add(ct);
                Interlocked.Increment(ref calls);
                return Task.FromResult(_entra.MintFederatedToken(Issuer, Subject));
            };
        });

        await provider.GetTokenAsync(new MailTokenRequest(MailProtocol.Smtp));
        await provider.GetTokenAsync(new MailTokenRequest(MailProtocol.Smtp));
        await provider.GetTokenAsync(new MailTokenRequest(MailProtocol.Graph));

        Assert.Equal(2, calls); // once per resource; the cached token needs no new assertion
        Assert.Equal(2, _entra.TokenRequestCount);
        Assert.All(tokens, ct => Assert.True(ct.CanBeCanceled)); // the acquisition's token, not CancellationToken.None
    }

    [Fact]
    public async Task Constructor_Environment_ReadsAzureVariablesAsTheWebhookSetsThem()
    {
        _environment.Set("AZURE_TENANT_ID", Tenant);
        _environment.Set("AZURE_CLIENT_ID", _clientId);
        _environment.Set("AZURE_FEDERATED_TOKEN_FILE", _tokenFile);

        var provider = new WorkloadIdentityTokenProvider(new WorkloadIdentityTokenProviderOptions().UseFakeEntraId(_entra));
        var token = await provider.GetTokenAsync(new MailTokenRequest(MailProtocol.Imap));

        Assert.Equal(Tenant, provider.TenantId);
        Assert.Equal(_clientId, provider.ClientId);
        Assert.Equal(_clientId, new JsonWebToken(token.Token).GetClaim("appid").Value);
    }

    [Fact]
    public void Constructor_NothingConfigured_ThrowsNamingTheEnvironmentVariables()
    {
        var error = Assert.Throws<ArgumentException>(() => new WorkloadIdentityTokenProvider(new WorkloadIdentityTokenProviderOptions { TenantId = Tenant }));

        Assert.Contains("AZURE_CLIENT_ID", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetTokenAsync_IssuerNotTrusted_FederatedCredentialMismatchAadsts700211()
    {
        File.WriteAllText(_tokenFile, _entra.MintFederatedToken("https://token.actions.githubusercontent.com", Subject));
        var provider = CreateProvider();

        var error = await Assert.ThrowsAsync<MailAuthenticationException>(() => provider.GetTokenAsync(new MailTokenRequest(MailProtocol.Imap)).AsTask());

        Assert.Equal(MailErrorCodes.FederatedCredentialMismatch, error.ErrorCode);
        Assert.Contains("AADSTS700211", error.Message, StringComparison.Ordinal);
        Assert.Contains("token.actions.githubusercontent.com", error.ServerResponse, StringComparison.Ordinal);
        Assert.Contains("issuer", error.Remedy, StringComparison.Ordinal);
        Assert.Contains("ManagedIdentity", error.Remedy, StringComparison.Ordinal);
        Assert.False(error.IsRetryable);
    }

    [Fact]
    public async Task GetTokenAsync_SubjectDiffersInCase_FederatedCredentialMismatchAadsts700213()
    {
        File.WriteAllText(_tokenFile, _entra.MintFederatedToken(Issuer, "system:serviceaccount:Mail:sender"));
        var provider = CreateProvider();

        var error = await Assert.ThrowsAsync<MailAuthenticationException>(() => provider.GetTokenAsync(new MailTokenRequest(MailProtocol.Imap)).AsTask());

        Assert.Equal(MailErrorCodes.FederatedCredentialMismatch, error.ErrorCode);
        Assert.Contains("AADSTS700213", error.Message, StringComparison.Ordinal);
        Assert.Contains("case-sensitively", error.Remedy, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetTokenAsync_WrongAudience_FederatedCredentialMismatchAadsts70021()
    {
        File.WriteAllText(_tokenFile, _entra.MintFederatedToken(Issuer, Subject, audience: "api://something-else"));
        var provider = CreateProvider();

        var error = await Assert.ThrowsAsync<MailAuthenticationException>(() => provider.GetTokenAsync(new MailTokenRequest(MailProtocol.Imap)).AsTask());

        Assert.Equal(MailErrorCodes.FederatedCredentialMismatch, error.ErrorCode);
        Assert.Contains("AADSTS70021", error.Message, StringComparison.Ordinal);
        Assert.Contains("api://AzureADTokenExchange", error.Remedy, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetTokenAsync_ExpiredToken_FederatedTokenExpiredNotACertificateError()
    {
        File.WriteAllText(_tokenFile, _entra.MintFederatedToken(Issuer, Subject, lifetime: TimeSpan.FromMinutes(-5)));
        var provider = CreateProvider();

        var error = await Assert.ThrowsAsync<MailAuthenticationException>(() => provider.GetTokenAsync(new MailTokenRequest(MailProtocol.Imap)).AsTask());

        Assert.Equal(MailErrorCodes.FederatedTokenExpired, error.ErrorCode);
        Assert.Contains("AADSTS700024", error.Message, StringComparison.Ordinal);
        Assert.Contains(_tokenFile, error.Message, StringComparison.Ordinal);
        Assert.Contains("rotated", error.Remedy, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetTokenAsync_TokenFileMissing_FederatedTokenUnavailableWithoutTokenRequest()
    {
        File.Delete(_tokenFile);
        var provider = CreateProvider();

        var error = await Assert.ThrowsAsync<MailAuthenticationException>(() => provider.GetTokenAsync(new MailTokenRequest(MailProtocol.Imap)).AsTask());

        Assert.Equal(MailErrorCodes.FederatedTokenUnavailable, error.ErrorCode);
        Assert.Contains(_tokenFile, error.Message, StringComparison.Ordinal);
        Assert.Contains("azure.workload.identity/use", error.Remedy, StringComparison.Ordinal);
        Assert.Equal(0, _entra.TokenRequestCount);
    }

    [Fact]
    public async Task GetTokenAsync_CallbackThrows_FederatedTokenUnavailableWithInnerException()
    {
        var provider = CreateProvider(o =>
        {
            o.TokenFilePath = null;
            o.TokenCallback = _ => throw new InvalidOperationException("OIDC endpoint said no");
        });

        var error = await Assert.ThrowsAsync<MailAuthenticationException>(() => provider.GetTokenAsync(new MailTokenRequest(MailProtocol.Imap)).AsTask());

        Assert.Equal(MailErrorCodes.FederatedTokenUnavailable, error.ErrorCode);
        Assert.IsType<InvalidOperationException>(error.InnerException);
        Assert.Contains("id-token: write", error.Remedy, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetTokenAsync_CancelledWhileCallbackWaits_ThrowsOperationCanceledUnwrapped()
    {
        var provider = CreateProvider(o =>
        {
            o.TokenFilePath = null;
            o.TokenCallback = async ct =>
            {
                await Task.Delay(Timeout.Infinite, ct);
                return "never";
            };
        });
        using var cancellation = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => provider.GetTokenAsync(new MailTokenRequest(MailProtocol.Imap), cancellation.Token).AsTask());
    }

    [Fact]
    public async Task GetTokenAsync_LoggingSuccessAndFailure_NeverLogsFederatedTokenOrAccessToken()
    {
        var logs = new CapturingLoggerProvider();
        using var factory = logs.CreateFactory();
        var federated = File.ReadAllText(_tokenFile);
        var provider = CreateProvider(o => o.LoggerFactory = factory);
        var token = await provider.GetTokenAsync(new MailTokenRequest(MailProtocol.Imap));
        var expired = _entra.MintFederatedToken(Issuer, Subject, lifetime: TimeSpan.FromMinutes(-5));
        File.WriteAllText(_tokenFile, expired);
        var error = await Assert.ThrowsAsync<MailAuthenticationException>(() => provider.GetTokenAsync(new MailTokenRequest(MailProtocol.Imap, forceRefresh: true)).AsTask());

        Assert.Contains(token.Fingerprint, logs.AllText, StringComparison.Ordinal);
        foreach (var secret in new[] { federated, expired, token.Token })
        {
            Assert.DoesNotContain(secret.Split('.')[2], logs.AllText, StringComparison.Ordinal);
            Assert.DoesNotContain(secret.Split('.')[2], error.ToString(), StringComparison.Ordinal);
            Assert.DoesNotContain(secret.Split('.')[2], provider.ToString(), StringComparison.Ordinal);
        }
    }
}
