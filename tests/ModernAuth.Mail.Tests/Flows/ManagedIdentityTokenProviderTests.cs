using System.Net;
using System.Net.Sockets;
using Microsoft.IdentityModel.JsonWebTokens;
using ModernAuth.Mail.Testing;

namespace ModernAuth.Mail.Tests.Flows;

/// <summary>
/// The managed identity provider through real MSAL against the fake's IMDS and App Service endpoints. MSAL picks the
/// endpoint from process environment variables, so these tests run alone (<see cref="ProcessEnvironmentCollection"/>)
/// and each one sets (and restores) the variables it needs; with none set, MSAL calls IMDS at 169.254.169.254, which the
/// in-process transport answers. MSAL keeps managed identity tokens in one cache shared by the whole process (keyed by
/// identity and resource), so each test uses identities of its own fake (new ids) or forces a refresh where it needs the
/// endpoint of the system-assigned identity.
/// </summary>
[Collection(ProcessEnvironmentCollection.Name)]
public sealed class ManagedIdentityTokenProviderTests : IDisposable
{
    private const string Tenant = "72f988bf-0000-4000-8000-000000000001";
    private readonly FakeEntraId _entra = new();
    private readonly EnvironmentScope _environment = new();
    private readonly FakeManagedIdentity _system;
    private readonly FakeManagedIdentity _userAssigned;

    public ManagedIdentityTokenProviderTests()
    {
        _system = _entra.AddSystemAssignedIdentity(Tenant);
        _userAssigned = _entra.AddUserAssignedIdentity(Tenant, "mail-sender");
    }

    public void Dispose()
    {
        _environment.Dispose();
        _entra.Dispose();
    }

    private ManagedIdentityTokenProvider CreateProvider(Action<ManagedIdentityTokenProviderOptions>? configure = null)
    {
        var options = new ManagedIdentityTokenProviderOptions { Transport = _entra.CreateHandler() };
        configure?.Invoke(options);
        return new ManagedIdentityTokenProvider(options);
    }

    [Theory]
    [InlineData(MailProtocol.Imap, "https://outlook.office365.com", "IMAP.AccessAsApp")]
    [InlineData(MailProtocol.Pop, "https://outlook.office365.com", "POP.AccessAsApp")]
    [InlineData(MailProtocol.Smtp, "https://outlook.office365.com", "SMTP.SendAsApp")]
    [InlineData(MailProtocol.Ews, "https://outlook.office365.com", "full_access_as_app")]
    [InlineData(MailProtocol.Graph, "https://graph.microsoft.com", "Mail.Send")]
    public async Task GetTokenAsync_UserAssignedOverImds_AppOnlyTokenOfTheIdentityForTheProtocolsResource(MailProtocol protocol, string resource, string role)
    {
        var provider = CreateProvider(o => o.ClientId = _userAssigned.ClientId);

        var token = await provider.GetTokenAsync(new MailTokenRequest(protocol, "shared@contoso.test"));

        var request = Assert.Single(_entra.Requests);
        Assert.True(request.IsManagedIdentityRequest);
        Assert.Equal("/metadata/identity/oauth2/token", request.Path);
        Assert.Equal(resource, request.Resource);
        var jwt = new JsonWebToken(token.Token);
        Assert.Equal(resource, jwt.GetClaim("aud").Value);
        Assert.Equal("app", jwt.GetClaim("idtyp").Value);
        Assert.Equal(_userAssigned.ClientId, jwt.GetClaim("appid").Value);
        Assert.Equal(_userAssigned.ObjectId, jwt.GetClaim("oid").Value);
        Assert.Equal(_userAssigned.ResourceId, jwt.GetClaim("xms_mirid").Value);
        Assert.Equal($"https://sts.windows.net/{Tenant}/", jwt.Issuer);
        Assert.Contains(jwt.Claims, c => c.Type == "roles" && c.Value == role);
        Assert.Equal("shared@contoso.test", token.Account);
        Assert.True(provider.IsAppOnly);
    }

    [Fact]
    public async Task GetTokenAsync_SystemAssignedOverImds_TokenOfTheResourcesOwnIdentity()
    {
        var provider = CreateProvider();

        // Forced: another test of this process may have left a system-assigned token in MSAL's process-wide cache.
        var token = await provider.GetTokenAsync(new MailTokenRequest(MailProtocol.Smtp, "shared@contoso.test", forceRefresh: true));

        var request = Assert.Single(_entra.Requests);
        Assert.Null(request.ClientId);
        var jwt = new JsonWebToken(token.Token);
        Assert.Equal(_system.ClientId, jwt.GetClaim("appid").Value);
        Assert.Equal(_system.ResourceId, jwt.GetClaim("xms_mirid").Value);
        Assert.Equal("system-assigned", provider.Identity);
    }

    [Fact]
    public async Task GetTokenAsync_SecondProviderOfTheSameIdentity_ServedFromMsalsProcessWideCache()
    {
        var first = CreateProvider(o => o.ClientId = _userAssigned.ClientId);
        var second = CreateProvider(o => o.ClientId = _userAssigned.ClientId);

        var one = await first.GetTokenAsync(new MailTokenRequest(MailProtocol.Imap));
        var two = await second.GetTokenAsync(new MailTokenRequest(MailProtocol.Imap));

        Assert.Equal(1, _entra.ManagedIdentityRequestCount);
        Assert.Equal(one.Token, two.Token);
    }

    [Fact]
    public async Task GetTokenAsync_SecondCallOtherMailboxAndExchangeProtocols_ServedFromCacheWithOneRequest()
    {
        var provider = CreateProvider(o => o.ClientId = _userAssigned.ClientId);
        var first = await provider.GetTokenAsync(new MailTokenRequest(MailProtocol.Imap, "a@contoso.test"));

        var again = await provider.GetTokenAsync(new MailTokenRequest(MailProtocol.Imap, "a@contoso.test"));
        var smtp = await provider.GetTokenAsync(new MailTokenRequest(MailProtocol.Smtp, "b@contoso.test"));
        var ews = await provider.GetTokenAsync(new MailTokenRequest(MailProtocol.Ews, "c@contoso.test"));

        Assert.Equal(1, _entra.ManagedIdentityRequestCount);
        Assert.Equal(first.Token, again.Token);
        Assert.Equal(first.Token, smtp.Token);
        Assert.Equal(first.Token, ews.Token);
        Assert.Equal("b@contoso.test", smtp.Account);
    }

    [Fact]
    public async Task GetTokenAsync_ConcurrentColdCallers_OneEndpointRequest()
    {
        var provider = CreateProvider(o => o.ResourceId = _userAssigned.ResourceId);

        var tokens = await Task.WhenAll(Enumerable.Range(0, 200).Select(i =>
            Task.Run(() => provider.GetTokenAsync(new MailTokenRequest(MailProtocol.Smtp, $"user{i}@contoso.test")).AsTask())));

        Assert.Equal(1, _entra.ManagedIdentityRequestCount);
        Assert.Single(tokens.Select(t => t.Token).Distinct());
    }

    [Fact]
    public async Task GetTokenAsync_ForceRefresh_BypassesMsalsCacheToo()
    {
        var provider = CreateProvider(o => o.ClientId = _userAssigned.ClientId);
        var first = await provider.GetTokenAsync(new MailTokenRequest(MailProtocol.Smtp));

        var second = await provider.GetTokenAsync(new MailTokenRequest(MailProtocol.Smtp, forceRefresh: true));

        Assert.Equal(2, _entra.ManagedIdentityRequestCount);
        Assert.NotEqual(first.Token, second.Token);
    }

    [Fact]
    public async Task GetTokenAsync_UserAssignedByClientId_TokenOfThatIdentity()
    {
        var provider = CreateProvider(o => o.ClientId = _userAssigned.ClientId);

        var token = await provider.GetTokenAsync(new MailTokenRequest(MailProtocol.Smtp));

        var jwt = new JsonWebToken(token.Token);
        Assert.Equal(_userAssigned.ClientId, jwt.GetClaim("appid").Value);
        Assert.Equal(_userAssigned.ResourceId, jwt.GetClaim("xms_mirid").Value);
        Assert.Equal(_userAssigned.ClientId, provider.Identity);
    }

    [Fact]
    public async Task GetTokenAsync_UserAssignedByResourceId_TokenOfThatIdentity()
    {
        var provider = CreateProvider(o => o.ResourceId = _userAssigned.ResourceId);

        var token = await provider.GetTokenAsync(new MailTokenRequest(MailProtocol.Graph));

        Assert.Equal(_userAssigned.ObjectId, new JsonWebToken(token.Token).GetClaim("oid").Value);
    }

    [Fact]
    public async Task GetTokenAsync_AppServiceEnvironmentOverHttps_UsesIdentityEndpointAndHeader()
    {
        await using var server = await _entra.StartHttpsServerAsync();
        _environment.Set("IDENTITY_ENDPOINT", new Uri(server.BaseAddress, "/msi/token").ToString());
        _environment.Set("IDENTITY_HEADER", _entra.ManagedIdentityHeader);
        var provider = CreateProvider(o =>
        {
            o.UseFakeEntraId(server); // the transport that trusts the server's certificate
            o.ClientId = _userAssigned.ClientId;
        });

        var token = await provider.GetTokenAsync(new MailTokenRequest(MailProtocol.Imap, "shared@contoso.test"));
        var cached = await provider.GetTokenAsync(new MailTokenRequest(MailProtocol.Pop, "shared@contoso.test"));

        var request = Assert.Single(_entra.Requests);
        Assert.Equal("/msi/token", request.Path);
        Assert.Equal(_userAssigned.ClientId, new JsonWebToken(token.Token).GetClaim("appid").Value);
        Assert.Equal(token.Token, cached.Token);
    }

    [Fact]
    public async Task GetTokenAsync_AppServiceWithWrongHeader_FailsWithoutToken()
    {
        _environment.Set("IDENTITY_ENDPOINT", "http://127.0.0.1:41741/msi/token");
        _environment.Set("IDENTITY_HEADER", "not-the-secret");
        var provider = CreateProvider(o => o.ClientId = _userAssigned.ClientId);

        var error = await Assert.ThrowsAsync<MailAuthenticationException>(() => provider.GetTokenAsync(new MailTokenRequest(MailProtocol.Smtp)).AsTask());

        Assert.Equal("/msi/token", Assert.Single(_entra.Requests).Path);
        Assert.DoesNotContain("not-the-secret", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetTokenAsync_ImdsDown_ManagedIdentityUnavailableSayingWhichFlowToUseElsewhere()
    {
        _entra.ManagedIdentityEndpointDown = true;
        var provider = CreateProvider(o => o.ClientId = _userAssigned.ClientId);

        var error = await Assert.ThrowsAsync<MailAuthenticationException>(() => provider.GetTokenAsync(new MailTokenRequest(MailProtocol.Imap)).AsTask());

        Assert.Equal(MailErrorCodes.ManagedIdentityUnavailable, error.ErrorCode);
        Assert.False(error.IsRetryable);
        Assert.Contains("IMDS", error.Message, StringComparison.Ordinal);
        Assert.Contains("WorkloadIdentity", error.Remedy, StringComparison.Ordinal);
        Assert.Contains("ClientCertificate", error.Remedy, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetTokenAsync_AppServiceEndpointRefusesConnections_ManagedIdentityUnavailable()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop(); // nothing listens there now: a real connection refusal, no fake in the path
        _environment.Set("IDENTITY_ENDPOINT", $"http://127.0.0.1:{port}/msi/token");
        _environment.Set("IDENTITY_HEADER", "header");
        var provider = new ManagedIdentityTokenProvider(new ManagedIdentityTokenProviderOptions { ClientId = Guid.NewGuid().ToString() });

        var error = await Assert.ThrowsAsync<MailAuthenticationException>(() => provider.GetTokenAsync(new MailTokenRequest(MailProtocol.Smtp)).AsTask());

        Assert.Equal(MailErrorCodes.ManagedIdentityUnavailable, error.ErrorCode);
        Assert.Contains("IDENTITY_ENDPOINT", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetTokenAsync_UserAssignedIdentityNotAssignedOverImds_NotAssignedWithRemedy()
    {
        var unknown = Guid.NewGuid().ToString();
        var provider = CreateProvider(o => o.ClientId = unknown);

        var error = await Assert.ThrowsAsync<MailAuthenticationException>(() => provider.GetTokenAsync(new MailTokenRequest(MailProtocol.Imap)).AsTask());

        Assert.Equal(MailErrorCodes.ManagedIdentityNotAssigned, error.ErrorCode);
        Assert.False(error.IsRetryable);
        Assert.Contains(unknown, error.Message, StringComparison.Ordinal);
        Assert.Contains("Identity not found", error.InnerException!.Message, StringComparison.Ordinal);
        Assert.Contains("ManagedIdentityClientId", error.Remedy, StringComparison.Ordinal);
        Assert.Equal(1, _entra.ManagedIdentityRequestCount); // a 400 is not retried
    }

    [Fact]
    public async Task GetTokenAsync_NoSystemAssignedIdentityOnAppService_NotAssigned()
    {
        using var entra = new FakeEntraId();
        _environment.Set("IDENTITY_ENDPOINT", "http://127.0.0.1:41741/msi/token");
        _environment.Set("IDENTITY_HEADER", entra.ManagedIdentityHeader);
        var provider = new ManagedIdentityTokenProvider(new ManagedIdentityTokenProviderOptions { Transport = entra.CreateHandler() });

        var error = await Assert.ThrowsAsync<MailAuthenticationException>(() => provider.GetTokenAsync(new MailTokenRequest(MailProtocol.Smtp, forceRefresh: true)).AsTask());

        Assert.Equal(MailErrorCodes.ManagedIdentityNotAssigned, error.ErrorCode);
        Assert.Contains("App Service", error.Message, StringComparison.Ordinal);
        Assert.Contains("system-assigned", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetTokenAsync_ResourceUnknownToTheTenant_InvalidScopeNamingTheResource()
    {
        var cloud = MailCloud.Global with { ExchangeResource = new Uri("https://outlook.contoso.test") };
        var provider = CreateProvider(o =>
        {
            o.Cloud = cloud;
            o.ClientId = _userAssigned.ClientId;
        });

        var error = await Assert.ThrowsAsync<MailAuthenticationException>(() => provider.GetTokenAsync(new MailTokenRequest(MailProtocol.Imap)).AsTask());

        Assert.Equal(MailErrorCodes.InvalidScope, error.ErrorCode);
        Assert.Contains("AADSTS500011", error.Message, StringComparison.Ordinal);
        Assert.Contains("Cloud", error.Remedy, StringComparison.Ordinal);
        Assert.Equal("https://outlook.contoso.test", Assert.Single(_entra.Requests).Resource);
    }

    [Fact]
    public async Task GetTokenAsync_AlreadyCancelled_ThrowsOperationCanceledUnwrapped_WithoutCallingTheEndpoint()
    {
        var provider = CreateProvider();
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => provider.GetTokenAsync(new MailTokenRequest(MailProtocol.Imap), cancelled.Token).AsTask());
        Assert.Equal(0, _entra.RequestCount);
    }

    [Fact]
    public async Task GetTokenAsync_LoggingSuccessAndFailures_NeverLogsTokenOrHeaderSecret()
    {
        var logs = new CapturingLoggerProvider();
        using var factory = logs.CreateFactory();
        _environment.Set("IDENTITY_ENDPOINT", "http://127.0.0.1:41741/msi/token");
        _environment.Set("IDENTITY_HEADER", _entra.ManagedIdentityHeader);
        var provider = CreateProvider(o =>
        {
            o.LoggerFactory = factory;
            o.ClientId = _userAssigned.ClientId;
        });
        var token = await provider.GetTokenAsync(new MailTokenRequest(MailProtocol.Imap, "a@contoso.test"));
        var failing = CreateProvider(o =>
        {
            o.LoggerFactory = factory;
            o.ClientId = Guid.NewGuid().ToString();
        });
        var error = await Assert.ThrowsAsync<MailAuthenticationException>(() => failing.GetTokenAsync(new MailTokenRequest(MailProtocol.Imap)).AsTask());

        Assert.NotEmpty(logs.Lines);
        Assert.Contains(token.Fingerprint, logs.AllText, StringComparison.Ordinal);
        Assert.Contains(MailErrorCodes.ManagedIdentityNotAssigned, logs.AllText, StringComparison.Ordinal);
        Assert.DoesNotContain(token.Token.Split('.')[2], logs.AllText, StringComparison.Ordinal);
        Assert.DoesNotContain(_entra.ManagedIdentityHeader, logs.AllText, StringComparison.Ordinal);
        Assert.DoesNotContain(_entra.ManagedIdentityHeader, error.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(token.Token, provider.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Constructor_ClientIdAndResourceIdBoth_ThrowsSayingGiveOne()
    {
        var error = Assert.Throws<ArgumentException>(() => new ManagedIdentityTokenProvider(new ManagedIdentityTokenProviderOptions
        {
            ClientId = _userAssigned.ClientId,
            ResourceId = _userAssigned.ResourceId,
        }));

        Assert.Contains("not both", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Constructor_PersonalAccountsCloud_ThrowsNoAppOnly()
    {
        var error = Assert.Throws<ArgumentException>(() => new ManagedIdentityTokenProvider(new ManagedIdentityTokenProviderOptions { Cloud = MailCloud.PersonalAccounts }));

        Assert.Contains("app-only", error.Message, StringComparison.Ordinal);
    }
}
