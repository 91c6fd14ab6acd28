using System.Net;
using Microsoft.IdentityModel.JsonWebTokens;
using ModernAuth.Mail.Testing;
using ModernAuth.Mail.Tests.Support;

namespace ModernAuth.Mail.Tests.Flows;

public sealed class ClientSecretTokenProviderTests : IDisposable
{
    private const string Tenant = "11111111-2222-3333-4444-555555555555";
    private const string ClientId = "6a3f1c52-0e1b-4a7e-9d51-5c8f0b0e7a11";
    private const string Secret = "Sup3r~Secret.Value_for-tests-0123456789";
    private readonly FakeEntraId _entra = new();

    public ClientSecretTokenProviderTests() => _entra.RegisterApplication(Tenant, ClientId).WithSecret(Secret);

    public void Dispose() => _entra.Dispose();

    private ClientSecretTokenProvider CreateProvider(string secret = Secret, string tenant = Tenant, string clientId = ClientId, Action<ClientSecretTokenProviderOptions>? configure = null)
    {
        var options = new ClientSecretTokenProviderOptions().UseFakeEntraId(_entra);
        configure?.Invoke(options);
        return new ClientSecretTokenProvider(tenant, clientId, secret, options);
    }

    [Fact]
    public async Task GetTokenAsync_ValidSecret_ReturnsExchangeAppOnlyToken()
    {
        var provider = CreateProvider();

        var token = await provider.GetTokenAsync(new MailTokenRequest(MailProtocol.Imap, "shared@contoso.test"));

        Assert.True(token.IsJwt);
        Assert.Equal("shared@contoso.test", token.Account);
        var jwt = new JsonWebToken(token.Token);
        Assert.Equal("https://outlook.office365.com", jwt.GetClaim("aud").Value);
        Assert.Equal($"https://sts.windows.net/{Tenant}/", jwt.Issuer);
        Assert.Contains(jwt.Claims, c => c.Type == "roles" && c.Value == "IMAP.AccessAsApp");
        Assert.Equal("https://outlook.office365.com/.default", Assert.Single(_entra.Requests, r => r.IsTokenRequest).Scope);
        Assert.True(provider.IsAppOnly);
    }

    [Fact]
    public async Task GetTokenAsync_SecondCallAndOtherProtocols_ServedWithZeroRequests()
    {
        var provider = CreateProvider();
        var first = await provider.GetTokenAsync(new MailTokenRequest(MailProtocol.Imap, "a@contoso.test"));
        var before = _entra.RequestCount;

        var again = await provider.GetTokenAsync(new MailTokenRequest(MailProtocol.Imap, "a@contoso.test"));
        var smtp = await provider.GetTokenAsync(new MailTokenRequest(MailProtocol.Smtp, "b@contoso.test"));

        Assert.Equal(before, _entra.RequestCount);
        Assert.Equal(first.Token, again.Token);
        Assert.Equal(first.Token, smtp.Token);
        Assert.Equal("b@contoso.test", smtp.Account);
    }

    [Fact]
    public async Task GetTokenAsync_GraphAndExchange_OneTokenPerResourceEachCached()
    {
        var provider = CreateProvider();

        var imap = await provider.GetTokenAsync(new MailTokenRequest(MailProtocol.Imap, "a@contoso.test"));
        var graph = await provider.GetTokenAsync(new MailTokenRequest(MailProtocol.Graph, "a@contoso.test"));
        var before = _entra.RequestCount;
        var graphAgain = await provider.GetTokenAsync(new MailTokenRequest(MailProtocol.Graph, "b@contoso.test"));
        var smtp = await provider.GetTokenAsync(new MailTokenRequest(MailProtocol.Smtp, "b@contoso.test"));

        Assert.Equal(before, _entra.RequestCount);
        Assert.NotEqual(imap.Token, graph.Token);
        Assert.Equal(graph.Token, graphAgain.Token);
        Assert.Equal(imap.Token, smtp.Token);
        Assert.Equal("https://graph.microsoft.com", new JsonWebToken(graph.Token).GetClaim("aud").Value);
        Assert.Equal(new[] { "https://outlook.office365.com/.default", "https://graph.microsoft.com/.default" }, _entra.Requests.Where(r => r.IsTokenRequest).Select(r => r.Scope));
    }

    [Fact]
    public async Task GetTokenAsync_ThousandConcurrentColdCallers_OneTokenRequest()
    {
        var provider = CreateProvider();

        var tokens = await Task.WhenAll(Enumerable.Range(0, 1000).Select(i =>
            Task.Run(() => provider.GetTokenAsync(new MailTokenRequest((MailProtocol)(i % 4), $"user{i}@contoso.test")).AsTask())));

        Assert.Equal(1, _entra.TokenRequestCount);
        Assert.Single(tokens.Select(t => t.Token).Distinct());
    }

    [Fact]
    public async Task GetTokenAsync_ForceRefresh_MakesNewTokenRequest()
    {
        var provider = CreateProvider();
        await provider.GetTokenAsync(new MailTokenRequest(MailProtocol.Smtp));

        await provider.GetTokenAsync(new MailTokenRequest(MailProtocol.Smtp, forceRefresh: true));

        Assert.Equal(2, _entra.TokenRequestCount);
    }

    [Fact]
    public async Task GetTokenAsync_InsideRefreshMargin_RefreshesOnceInBackground()
    {
        // One clock for the token service and the provider, so new tokens are born fresh on the same timeline.
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(DateTimeOffset.UtcNow);
        using var entra = new FakeEntraId(new FakeEntraIdOptions { TimeProvider = time });
        entra.RegisterApplication(Tenant, ClientId).WithSecret(Secret);
        var provider = new ClientSecretTokenProvider(Tenant, ClientId, Secret, new ClientSecretTokenProviderOptions { TimeProvider = time }.UseFakeEntraId(entra));
        var first = await provider.GetTokenAsync(new MailTokenRequest(MailProtocol.Imap));

        time.SetUtcNow(first.ExpiresOn - TimeSpan.FromMinutes(3));
        var inMargin = provider.GetTokenAsync(new MailTokenRequest(MailProtocol.Imap));
        Assert.True(inMargin.IsCompletedSuccessfully); // served at once while the refresh runs in the background
        Assert.Equal(first.Token, inMargin.Result.Token);
        var during = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => provider.GetTokenAsync(new MailTokenRequest(MailProtocol.Imap)).AsTask()));

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        MailAccessToken refreshed;
        do
        {
            await Task.Delay(5, timeout.Token);
            refreshed = await provider.GetTokenAsync(new MailTokenRequest(MailProtocol.Imap), timeout.Token);
        }
        while (refreshed.Token == first.Token);

        Assert.All(during, t => Assert.Contains(t.Token, new[] { first.Token, refreshed.Token }));
        Assert.Equal(2, entra.TokenRequestCount);
    }

    [Fact]
    public async Task GetTokenAsync_WrongSecret_InvalidClientSecretWithRemedyAndNoSecretInMessage()
    {
        var provider = CreateProvider(secret: "wrong-secret-value-0000");

        var error = await Assert.ThrowsAsync<MailAuthenticationException>(() => provider.GetTokenAsync(new MailTokenRequest(MailProtocol.Imap)).AsTask());

        Assert.Equal(MailErrorCodes.InvalidClientSecret, error.ErrorCode);
        Assert.Contains("Certificates & secrets", error.Remedy, StringComparison.Ordinal);
        Assert.Contains(ClientId, error.Remedy, StringComparison.Ordinal);
        Assert.Contains("AADSTS7000215", error.Message, StringComparison.Ordinal);
        Assert.False(error.IsRetryable);
        Assert.DoesNotContain("wrong-secret-value-0000", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetTokenAsync_UnknownTenant_TenantNotFound()
    {
        var provider = CreateProvider(tenant: "99999999-0000-0000-0000-000000000000");

        var error = await Assert.ThrowsAsync<MailAuthenticationException>(() => provider.GetTokenAsync(new MailTokenRequest(MailProtocol.Imap)).AsTask());

        Assert.Equal(MailErrorCodes.TenantNotFound, error.ErrorCode);
        Assert.Contains("99999999-0000-0000-0000-000000000000", error.Remedy, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetTokenAsync_UnknownApplication_ApplicationNotFound()
    {
        var provider = CreateProvider(clientId: "00000000-1111-2222-3333-444444444444");

        var error = await Assert.ThrowsAsync<MailAuthenticationException>(() => provider.GetTokenAsync(new MailTokenRequest(MailProtocol.Imap)).AsTask());

        Assert.Equal(MailErrorCodes.ApplicationNotFound, error.ErrorCode);
    }

    [Fact]
    public async Task GetTokenAsync_TokenServiceFailsWith500_RetryableUnavailable()
    {
        var provider = CreateProvider();
        _entra.FailNext(10, HttpStatusCode.InternalServerError);

        var error = await Assert.ThrowsAsync<MailAuthenticationException>(() => provider.GetTokenAsync(new MailTokenRequest(MailProtocol.Imap)).AsTask());

        Assert.Equal(MailErrorCodes.TokenServiceUnavailable, error.ErrorCode);
        Assert.True(error.IsRetryable);
    }

    [Fact]
    public async Task GetTokenAsync_TokenServiceHangs_TimesOutWithRetryableError()
    {
        var provider = CreateProvider(configure: o => o.NetworkTimeout = TimeSpan.FromMilliseconds(500));
        _entra.HangNext(10);

        var error = await Assert.ThrowsAsync<MailAuthenticationException>(() => provider.GetTokenAsync(new MailTokenRequest(MailProtocol.Imap)).AsTask());

        Assert.Equal(MailErrorCodes.TokenServiceTimeout, error.ErrorCode);
        Assert.True(error.IsRetryable);
    }

    [Fact]
    public async Task GetTokenAsync_CancelledWhileTokenServiceHangs_ThrowsOperationCanceled()
    {
        var provider = CreateProvider();
        _entra.HangNext(10);
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => provider.GetTokenAsync(new MailTokenRequest(MailProtocol.Imap), cts.Token).AsTask());
    }

    [Fact]
    public async Task GetTokenAsync_OnlyCallerCancelsWhileTokenServiceHangs_RequestAbandonedNextCallAsksAgain()
    {
        var provider = CreateProvider(configure: o => o.NetworkTimeout = TimeSpan.FromMinutes(5));
        _entra.HangNext();
        var arrived = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _entra.RequestReceived += (_, r) => arrived.TrySetResult();
        using var cts = new CancellationTokenSource();
        var first = provider.GetTokenAsync(new MailTokenRequest(MailProtocol.Imap), cts.Token).AsTask();
        await arrived.Task.WaitAsync(TimeSpan.FromSeconds(30));

        cts.Cancel(); // synchronous: the caller resumes inline, which once left the shared acquisition running
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => first);

        // Were the hung acquisition still running, this call would join it and wait for the 5-minute timeout.
        var next = await provider.GetTokenAsync(new MailTokenRequest(MailProtocol.Imap)).AsTask().WaitAsync(TimeSpan.FromSeconds(30));

        Assert.False(string.IsNullOrEmpty(next.Token));
        Assert.Equal(2, _entra.TokenRequestCount);
    }

    [Fact]
    public async Task GetTokenAsync_Logging_NeverLogsSecretOrToken()
    {
        var logs = new CapturingLoggerProvider();
        using var factory = logs.CreateFactory();
        var provider = CreateProvider(configure: o => o.LoggerFactory = factory);
        var token = await provider.GetTokenAsync(new MailTokenRequest(MailProtocol.Imap, "a@contoso.test"));
        await Assert.ThrowsAsync<MailAuthenticationException>(() =>
            CreateProvider(secret: "another-wrong-secret-42", configure: o => o.LoggerFactory = factory).GetTokenAsync(new MailTokenRequest(MailProtocol.Imap)).AsTask());

        Assert.NotEmpty(logs.Lines);
        Assert.Contains(token.Fingerprint, logs.AllText, StringComparison.Ordinal);
        Assert.DoesNotContain(Secret, logs.AllText, StringComparison.Ordinal);
        Assert.DoesNotContain("another-wrong-secret-42", logs.AllText, StringComparison.Ordinal);
        Assert.DoesNotContain(token.Token, logs.AllText, StringComparison.Ordinal);
        Assert.DoesNotContain(token.Token.Split('.')[2], logs.AllText, StringComparison.Ordinal);
        Assert.DoesNotContain(Secret, provider.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("common")]
    [InlineData("organizations")]
    [InlineData("")]
    public void Constructor_TenantUnfitForAppOnly_ThrowsArgumentExceptionSayingWhatToDo(string tenant)
    {
        var error = Assert.Throws<ArgumentException>(() => new ClientSecretTokenProvider(tenant, ClientId, Secret));

        Assert.Contains("tenant", error.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void Constructor_PersonalAccountsCloud_ThrowsBecauseNoAppOnlyAccessExists()
    {
        var error = Assert.Throws<ArgumentException>(() => new ClientSecretTokenProvider(Tenant, ClientId, Secret, new ClientSecretTokenProviderOptions { Cloud = MailCloud.PersonalAccounts }));

        Assert.Contains("DeviceCodeTokenProvider", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetTokenAsync_OverHttpsLoopbackServer_Works()
    {
        await using var server = await _entra.StartHttpsServerAsync();
        var provider = new ClientSecretTokenProvider(Tenant, ClientId, Secret, new ClientSecretTokenProviderOptions().UseFakeEntraId(server));

        var token = await provider.GetTokenAsync(new MailTokenRequest(MailProtocol.Ews, "a@contoso.test"));

        Assert.True(token.IsJwt);
        Assert.Equal(1, _entra.TokenRequestCount);
    }
}
