using Microsoft.Extensions.Time.Testing;
using Microsoft.Identity.Client;
using static ModernAuth.Mail.Testing.Tests.TestSupport;

namespace ModernAuth.Mail.Testing.Tests;

public class DeviceCodeTests
{
    [Fact]
    public async Task AcquireTokenWithDeviceCode_Approve_ReturnsExchangeUserTokens()
    {
        using var fake = CreateFake();
        fake.RegisterApplication(Tenant, ClientId).AsPublicClient();
        var user = fake.AddUser(Tenant, "adele@contoso.com", "Adele Vance");
        FakeDeviceCode? issued = null;
        fake.DeviceCodeIssued += (_, code) => issued = code;
        DeviceCodeResult? shown = null;
        var app = Public(fake).Build();

        var result = await app.AcquireTokenWithDeviceCode([ImapDelegatedScope], code =>
        {
            shown = code;
            return Task.CompletedTask;
        }).ExecuteAsync();

        Assert.NotNull(shown);
        Assert.NotNull(issued);
        Assert.Equal(issued.UserCode, shown.UserCode);
        Assert.Equal("https://microsoft.com/devicelogin", shown.VerificationUrl);
        Assert.Contains(shown.UserCode, shown.Message, StringComparison.Ordinal);
        Assert.Equal(0, shown.Interval);
        Assert.Equal("adele@contoso.com", result.Account.Username);
        Assert.Equal(Tenant, result.TenantId);
        Assert.Equal($"{user.ObjectId}.{Tenant}", result.Account.HomeAccountId.Identifier);
        Assert.Contains(ImapDelegatedScope, result.Scopes);

        var access = Read(result.AccessToken);
        Assert.Equal("https://outlook.office.com", access.GetClaim("aud").Value);
        Assert.Equal("IMAP.AccessAsUser.All", access.GetClaim("scp").Value);
        Assert.Equal("adele@contoso.com", access.GetClaim("upn").Value);
        Assert.Equal("adele@contoso.com", access.GetClaim("unique_name").Value);
        Assert.Equal(user.ObjectId, access.GetClaim("oid").Value);
        Assert.Equal("Adele Vance", access.GetClaim("name").Value);
        Assert.Equal($"https://sts.windows.net/{Tenant}/", access.Issuer);
        Assert.Equal("1.0", access.GetClaim("ver").Value);
        Assert.Equal("0", access.GetClaim("appidacr").Value);

        var id = Read(result.IdToken);
        Assert.Equal(ClientId, id.GetClaim("aud").Value);
        Assert.Equal("2.0", id.GetClaim("ver").Value);
        Assert.Equal(user.ObjectId, id.GetClaim("oid").Value);
        Assert.Equal(Tenant, id.GetClaim("tid").Value);
        Assert.Equal("adele@contoso.com", id.GetClaim("preferred_username").Value);
        Assert.Equal($"{fake.AuthorityHost.GetLeftPart(UriPartial.Authority)}/{Tenant}/v2.0", id.Issuer);

        // One devicecode request, one authorization_pending poll (the default), one successful poll.
        Assert.Equal(["/oauth2/v2.0/devicecode", "/oauth2/v2.0/token", "/oauth2/v2.0/token"], fake.Requests.Select(r => r.Path[(Tenant.Length + 1)..]));
        Assert.Equal(2, fake.TokenRequestCount);
    }

    [Fact]
    public async Task AcquireTokenSilent_AfterDeviceCode_MakesNoRequest()
    {
        using var fake = CreateFake();
        fake.RegisterApplication(Tenant, ClientId).AsPublicClient();
        fake.AddUser(Tenant, "adele@contoso.com");
        var app = Public(fake).Build();
        var first = await DeviceCodeAsync(app);
        var requestsBefore = fake.RequestCount;
        var tokenRequestsBefore = fake.TokenRequestCount;

        var account = (await app.GetAccountsAsync()).First();
        var silent = await app.AcquireTokenSilent([ImapDelegatedScope], account).ExecuteAsync();

        Assert.Equal(first.AccessToken, silent.AccessToken);
        Assert.Equal(TokenSource.Cache, silent.AuthenticationResultMetadata.TokenSource);
        Assert.Equal(requestsBefore, fake.RequestCount);
        Assert.Equal(tokenRequestsBefore, fake.TokenRequestCount);
    }

    [Fact]
    public async Task AcquireTokenWithDeviceCode_ThreePendingPolls_PollsFourTimes()
    {
        using var fake = CreateFake();
        fake.RegisterApplication(Tenant, ClientId).AsPublicClient();
        fake.AddUser(Tenant, "adele@contoso.com");
        fake.DeviceCodePendingPolls = 3;

        await DeviceCodeAsync(Public(fake).Build());

        Assert.Equal(4, fake.TokenRequestCount);
    }

    [Fact]
    public async Task AcquireTokenWithDeviceCode_Decline_ThrowsAuthorizationDeclined()
    {
        using var fake = CreateFake();
        fake.RegisterApplication(Tenant, ClientId).AsPublicClient();
        fake.AddUser(Tenant, "adele@contoso.com");
        fake.DeviceCodeOutcome = FakeDeviceCodeOutcome.Decline;

        var error = await Assert.ThrowsAnyAsync<MsalServiceException>(() => DeviceCodeAsync(Public(fake).Build()));

        Assert.Equal("authorization_declined", error.ErrorCode);
        Assert.Equal(2, fake.TokenRequestCount);
    }

    [Fact]
    public async Task AcquireTokenWithDeviceCode_Expire_ThrowsExpiredTokenAadsts70019()
    {
        using var fake = CreateFake();
        fake.RegisterApplication(Tenant, ClientId).AsPublicClient();
        fake.AddUser(Tenant, "adele@contoso.com");
        fake.DeviceCodeOutcome = FakeDeviceCodeOutcome.Expire;

        var error = await Assert.ThrowsAnyAsync<MsalServiceException>(() => DeviceCodeAsync(Public(fake).Build()));

        Assert.Equal("expired_token", error.ErrorCode);
        Assert.Contains("AADSTS70019", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AcquireTokenWithDeviceCode_ClockPassesExpiry_ThrowsExpiredToken()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        using var fake = CreateFake(time);
        fake.RegisterApplication(Tenant, ClientId).AsPublicClient();
        fake.AddUser(Tenant, "adele@contoso.com");
        fake.DeviceCodeIssued += (_, code) => time.SetUtcNow(code.ExpiresOn);

        var error = await Assert.ThrowsAnyAsync<MsalServiceException>(() => DeviceCodeAsync(Public(fake).Build()));

        Assert.Equal("expired_token", error.ErrorCode);
        Assert.Equal(1, fake.TokenRequestCount);
    }

    [Fact]
    public async Task AcquireTokenWithDeviceCode_DeviceCodeUserSet_SignsInThatUser()
    {
        using var fake = CreateFake();
        fake.RegisterApplication(Tenant, ClientId).AsPublicClient();
        fake.AddUser(Tenant, "adele@contoso.com");
        fake.DeviceCodeUser = fake.AddUser(Tenant, "shared-scanner@contoso.com");

        var result = await DeviceCodeAsync(Public(fake).Build());

        Assert.Equal("shared-scanner@contoso.com", result.Account.Username);
    }

    [Fact]
    public async Task AcquireTokenWithDeviceCode_AppWithoutPublicClientFlows_ThrowsAadsts7000218()
    {
        using var fake = CreateFake();
        fake.RegisterApplication(Tenant, ClientId).WithSecret(Secret);
        fake.AddUser(Tenant, "adele@contoso.com");

        var error = await Assert.ThrowsAnyAsync<MsalServiceException>(() => DeviceCodeAsync(Public(fake).Build()));

        Assert.Equal("invalid_client", error.ErrorCode);
        Assert.Contains("AADSTS7000218", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AcquireTokenWithDeviceCode_ScopeNotConsented_ThrowsAadsts65001()
    {
        using var fake = CreateFake();
        fake.RegisterApplication(Tenant, ClientId).AsPublicClient().WithDelegatedScopes("SMTP.Send");
        fake.AddUser(Tenant, "adele@contoso.com");

        var error = await Assert.ThrowsAnyAsync<MsalServiceException>(() => DeviceCodeAsync(Public(fake).Build()));

        Assert.Equal("invalid_grant", error.ErrorCode);
        Assert.Contains("AADSTS65001", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AcquireTokenWithDeviceCode_ScopesOfTwoResources_ThrowsAadsts28000()
    {
        using var fake = CreateFake();
        fake.RegisterApplication(Tenant, ClientId).AsPublicClient();
        fake.AddUser(Tenant, "adele@contoso.com");
        var app = Public(fake).Build();

        var error = await Assert.ThrowsAnyAsync<MsalServiceException>(
            () => app.AcquireTokenWithDeviceCode([ImapDelegatedScope, "https://outlook.office365.com/EWS.AccessAsUser.All"], _ => Task.CompletedTask).ExecuteAsync());

        Assert.Contains("AADSTS28000", error.Message, StringComparison.Ordinal);
        Assert.Equal(0, fake.TokenRequestCount);
    }

    [Fact]
    public async Task AcquireTokenWithDeviceCode_BareScope_GoesToGraphByItsApplicationId()
    {
        using var fake = CreateFake();
        fake.RegisterApplication(Tenant, ClientId).AsPublicClient();
        fake.AddUser(Tenant, "adele@contoso.com");

        var result = await DeviceCodeAsync(Public(fake).Build(), "IMAP.AccessAsUser.All");

        Assert.Equal("00000003-0000-0000-c000-000000000000", Read(result.AccessToken).GetClaim("aud").Value);
    }

    [Fact]
    public async Task AcquireTokenWithDeviceCode_PersonalAccount_ReturnsOpaqueTokenAndMsaTenant()
    {
        using var fake = CreateFake();
        fake.RegisterApplication(Tenant, ClientId).AsPublicClient();
        var user = fake.AddUser(FakeEntraId.ConsumersTenant, "someone@outlook.com");
        var app = Public(fake, tenant: FakeEntraId.ConsumersTenant).Build();

        var result = await DeviceCodeAsync(app);

        Assert.StartsWith("EwB", result.AccessToken, StringComparison.Ordinal);
        Assert.DoesNotContain('.', result.AccessToken);
        Assert.Equal(FakeEntraId.ConsumersTenantId, result.TenantId);
        Assert.Equal($"{user.ObjectId}.{FakeEntraId.ConsumersTenantId}", result.Account.HomeAccountId.Identifier);
        Assert.True(user.IsPersonalAccount);

        var before = fake.RequestCount;
        var silent = await app.AcquireTokenSilent([ImapDelegatedScope], (await app.GetAccountsAsync()).First()).ExecuteAsync();
        Assert.Equal(result.AccessToken, silent.AccessToken);
        Assert.Equal(before, fake.RequestCount);
    }

    [Fact]
    public async Task AcquireTokenSilent_ForceRefresh_UsesRefreshTokenGrant()
    {
        using var fake = CreateFake();
        fake.RegisterApplication(Tenant, ClientId).AsPublicClient();
        fake.AddUser(Tenant, "adele@contoso.com");
        var app = Public(fake).Build();
        var first = await DeviceCodeAsync(app);
        fake.ResetCounters();

        var refreshed = await app.AcquireTokenSilent([ImapDelegatedScope], first.Account).WithForceRefresh(true).ExecuteAsync();

        Assert.NotEqual(first.AccessToken, refreshed.AccessToken);
        Assert.Equal(TokenSource.IdentityProvider, refreshed.AuthenticationResultMetadata.TokenSource);
        var request = Assert.Single(fake.Requests);
        Assert.Equal("refresh_token", request.GrantType);
        Assert.Equal(first.Account.HomeAccountId, refreshed.Account.HomeAccountId);
    }

    [Fact]
    public async Task AcquireTokenSilent_OtherResourceWithRefreshToken_GetsTokenForThatResource()
    {
        using var fake = CreateFake();
        fake.RegisterApplication(Tenant, ClientId).AsPublicClient();
        fake.AddUser(Tenant, "adele@contoso.com");
        var app = Public(fake).Build();
        var first = await DeviceCodeAsync(app);

        var ews = await app.AcquireTokenSilent(["https://outlook.office365.com/EWS.AccessAsUser.All"], first.Account).ExecuteAsync();

        var token = Read(ews.AccessToken);
        Assert.Equal("https://outlook.office365.com", token.GetClaim("aud").Value);
        Assert.Equal("EWS.AccessAsUser.All", token.GetClaim("scp").Value);
        Assert.Equal("refresh_token", fake.Requests[^1].GrantType);
    }

    [Fact]
    public async Task AcquireTokenSilent_ForceRefreshAfterRejectRefreshTokens_ThrowsUiRequiredAadsts700082()
    {
        using var fake = CreateFake();
        fake.RegisterApplication(Tenant, ClientId).AsPublicClient();
        fake.AddUser(Tenant, "adele@contoso.com");
        var app = Public(fake).Build();
        var first = await DeviceCodeAsync(app);
        fake.RejectRefreshTokens();

        var error = await Assert.ThrowsAsync<MsalUiRequiredException>(
            () => app.AcquireTokenSilent([ImapDelegatedScope], first.Account).WithForceRefresh(true).ExecuteAsync());

        Assert.Equal("invalid_grant", error.ErrorCode);
        Assert.Contains("AADSTS700082", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AcquireTokenSilent_ForceRefreshAfterRevokeAll_ThrowsUiRequiredAadsts50173()
    {
        using var fake = CreateFake();
        fake.RegisterApplication(Tenant, ClientId).AsPublicClient();
        fake.AddUser(Tenant, "adele@contoso.com");
        var app = Public(fake).Build();
        var first = await DeviceCodeAsync(app);
        fake.RevokeAll();

        var error = await Assert.ThrowsAsync<MsalUiRequiredException>(
            () => app.AcquireTokenSilent([ImapDelegatedScope], first.Account).WithForceRefresh(true).ExecuteAsync());

        Assert.Contains("AADSTS50173", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AcquireTokenSilent_RevokeAllThenSignInAgain_NewRefreshTokenWorks()
    {
        using var fake = CreateFake();
        fake.RegisterApplication(Tenant, ClientId).AsPublicClient();
        fake.AddUser(Tenant, "adele@contoso.com");
        var app = Public(fake).Build();
        await DeviceCodeAsync(app);
        fake.RevokeAll();
        var again = await DeviceCodeAsync(app);

        var refreshed = await app.AcquireTokenSilent([ImapDelegatedScope], again.Account).WithForceRefresh(true).ExecuteAsync();

        Assert.Equal(TokenSource.IdentityProvider, refreshed.AuthenticationResultMetadata.TokenSource);
    }

    [Fact]
    public async Task TokenEndpoint_UnknownRefreshToken_AnswersInvalidGrant()
    {
        using var fake = CreateFake();
        fake.RegisterApplication(Tenant, ClientId).AsPublicClient();
        using var handler = fake.CreateHandler();

        using var response = await PostFormAsync(
            handler,
            $"{Authority(fake.AuthorityHost, Tenant)}/oauth2/v2.0/token",
            ("grant_type", "refresh_token"),
            ("client_id", ClientId),
            ("refresh_token", "1.AnOtIssuedByTheFake"),
            ("scope", ImapDelegatedScope + " offline_access"));

        var body = await response.Content.ReadAsStringAsync();
        Assert.Equal(400, (int)response.StatusCode);
        Assert.Contains("\"error\":\"invalid_grant\"", body, StringComparison.Ordinal);
        Assert.DoesNotContain("1.AnOtIssuedByTheFake", body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AcquireTokenWithDeviceCode_OrganizationsAuthority_SignsInUserOfAppTenant()
    {
        using var fake = CreateFake();
        fake.RegisterApplication(Tenant, ClientId).AsPublicClient();
        fake.AddUser(Tenant, "adele@contoso.com");

        var result = await DeviceCodeAsync(Public(fake, tenant: "organizations").Build());

        Assert.Equal(Tenant, result.TenantId);
        Assert.Equal($"/organizations/oauth2/v2.0/devicecode", fake.Requests[0].Path);
    }

    [Theory]
    [InlineData("not-a-tenant", ClientId, ImapDelegatedScope, "AADSTS90002")]
    [InlineData(Tenant, "unknown-client", ImapDelegatedScope, "AADSTS700016")]
    [InlineData(Tenant, ClientId, "https://outlook.office.com/", "AADSTS70011")]
    public async Task DeviceCodeEndpoint_BadRequest_AnswersAadstsError(string tenant, string clientId, string scope, string expected)
    {
        using var fake = CreateFake();
        fake.RegisterApplication(Tenant, ClientId).AsPublicClient();
        using var handler = fake.CreateHandler();

        using var response = await PostFormAsync(handler, $"{Authority(fake.AuthorityHost, tenant)}/oauth2/v2.0/devicecode", ("client_id", clientId), ("scope", scope));

        Assert.Equal(400, (int)response.StatusCode);
        Assert.Contains(expected, await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public void DeviceCodePendingPolls_Negative_Throws()
    {
        using var fake = CreateFake();

        Assert.Throws<ArgumentOutOfRangeException>(() => fake.DeviceCodePendingPolls = -1);
    }
}
