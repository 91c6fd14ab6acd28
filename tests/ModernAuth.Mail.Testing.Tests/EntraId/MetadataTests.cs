using System.Net;
using System.Text.Json;
using Microsoft.Identity.Client;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using static ModernAuth.Mail.Testing.Tests.TestSupport;

namespace ModernAuth.Mail.Testing.Tests;

public class MetadataTests
{
    [Fact]
    public async Task OpenIdConfigurationV2_KnownTenant_PointsAtRequestHostWithFakeIssuer()
    {
        using var fake = CreateFake();
        fake.RegisterApplication(Tenant, ClientId);
        using var handler = fake.CreateHandler();

        using var response = await GetAsync(handler, $"https://other-host.test:8443/{Tenant}/v2.0/.well-known/openid-configuration");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var root = json.RootElement;
        Assert.Equal($"https://login.fake-entra.test/{Tenant}/v2.0", root.GetProperty("issuer").GetString());
        Assert.Equal($"https://other-host.test:8443/{Tenant}/oauth2/v2.0/token", root.GetProperty("token_endpoint").GetString());
        Assert.Equal($"https://other-host.test:8443/{Tenant}/oauth2/v2.0/devicecode", root.GetProperty("device_authorization_endpoint").GetString());
        Assert.Equal($"https://other-host.test:8443/{Tenant}/discovery/v2.0/keys", root.GetProperty("jwks_uri").GetString());
    }

    [Fact]
    public async Task OpenIdConfigurationV1_KnownTenant_HasStsIssuerAndCommonKeys()
    {
        using var fake = CreateFake();
        fake.AddUser(Tenant, "adele@contoso.com");
        using var handler = fake.CreateHandler();

        using var response = await GetAsync(handler, $"https://login.fake-entra.test/{Tenant}/.well-known/openid-configuration");

        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal($"https://sts.windows.net/{Tenant}/", json.RootElement.GetProperty("issuer").GetString());
        Assert.Equal("https://login.fake-entra.test/common/discovery/keys", json.RootElement.GetProperty("jwks_uri").GetString());
    }

    [Fact]
    public async Task OpenIdConfiguration_Common_HasTenantTemplateIssuer()
    {
        using var fake = CreateFake();
        using var handler = fake.CreateHandler();

        using var response = await GetAsync(handler, "https://login.fake-entra.test/common/v2.0/.well-known/openid-configuration");

        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("https://login.fake-entra.test/{tenantid}/v2.0", json.RootElement.GetProperty("issuer").GetString());
    }

    [Fact]
    public async Task OpenIdConfiguration_UnknownTenant_Answers400Aadsts90002()
    {
        using var fake = CreateFake();
        using var handler = fake.CreateHandler();

        using var response = await GetAsync(handler, "https://login.fake-entra.test/not-a-tenant/v2.0/.well-known/openid-configuration");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("invalid_tenant", json.RootElement.GetProperty("error").GetString());
        Assert.StartsWith("AADSTS90002: Tenant 'not-a-tenant' not found.", json.RootElement.GetProperty("error_description").GetString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/" + Tenant + "/discovery/v2.0/keys")]
    [InlineData("/common/discovery/keys")]
    [InlineData("/" + Tenant + "/discovery/keys")]
    public async Task KeysEndpoint_ServesJwksThatValidatesIssuedTokens(string path)
    {
        using var fake = CreateFake();
        fake.RegisterApplication(Tenant, ClientId).WithSecret(Secret);
        using var handler = fake.CreateHandler();
        var issued = await Confidential(fake).WithClientSecret(Secret).Build().AcquireTokenForClient([ExchangeAppOnlyScope]).ExecuteAsync();

        using var response = await GetAsync(handler, "https://login.fake-entra.test" + path);
        var keys = new JsonWebKeySet(await response.Content.ReadAsStringAsync());
        var result = await new JsonWebTokenHandler().ValidateTokenAsync(issued.AccessToken, new TokenValidationParameters
        {
            IssuerSigningKeys = keys.GetSigningKeys(),
            ValidIssuer = $"https://sts.windows.net/{Tenant}/",
            ValidAudiences = ["https://outlook.office365.com", "https://outlook.office.com"],
        });

        Assert.True(result.IsValid, result.Exception?.Message);
    }

    [Fact]
    public async Task AcquireTokenForClient_InstanceDiscoveryOff_OnlyCallsTokenEndpoint()
    {
        using var fake = CreateFake();
        fake.RegisterApplication(Tenant, ClientId).WithSecret(Secret);

        await Confidential(fake).WithClientSecret(Secret).Build().AcquireTokenForClient([ExchangeAppOnlyScope]).ExecuteAsync();

        Assert.Equal([$"POST /{Tenant}/oauth2/v2.0/token"], fake.Requests.Select(r => $"{r.Method} {r.Path}"));
    }

    [Fact]
    public async Task AcquireTokenForClient_InstanceDiscoveryOn_AnswersDiscoveryFirst()
    {
        using var fake = CreateFake();
        fake.RegisterApplication(Tenant, ClientId).WithSecret(Secret);
        var app = ConfidentialClientApplicationBuilder.Create(ClientId)
            .WithAuthority(Authority(fake.AuthorityHost, Tenant))
            .WithHttpClientFactory(new TestHttpClientFactory(fake.CreateHandler()))
            .WithClientSecret(Secret)
            .Build();

        var result = await app.AcquireTokenForClient([ExchangeAppOnlyScope]).ExecuteAsync();

        Assert.False(string.IsNullOrEmpty(result.AccessToken));
        Assert.Equal(
            ["GET /common/discovery/instance", $"POST /{Tenant}/oauth2/v2.0/token"],
            fake.Requests.Select(r => $"{r.Method} {r.Path}"));
    }
}
