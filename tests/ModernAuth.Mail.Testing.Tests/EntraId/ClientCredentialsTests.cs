using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using Microsoft.Identity.Client;
using static ModernAuth.Mail.Testing.Tests.TestSupport;

namespace ModernAuth.Mail.Testing.Tests;

public class ClientCredentialsTests
{
    [Fact]
    public async Task AcquireTokenForClient_ClientSecret_ReturnsExchangeShapedV1Token()
    {
        using var fake = CreateFake();
        var registration = fake.RegisterApplication(Tenant, ClientId).WithSecret(Secret);
        var app = Confidential(fake).WithClientSecret(Secret).Build();

        var result = await app.AcquireTokenForClient([ExchangeAppOnlyScope]).ExecuteAsync();

        var token = Read(result.AccessToken);
        Assert.Equal("https://outlook.office365.com", token.GetClaim("aud").Value);
        Assert.Equal($"https://sts.windows.net/{Tenant}/", token.Issuer);
        Assert.Equal("1.0", token.GetClaim("ver").Value);
        Assert.Equal(Tenant, token.GetClaim("tid").Value);
        Assert.Equal(ClientId, token.GetClaim("appid").Value);
        Assert.Equal("1", token.GetClaim("appidacr").Value);
        Assert.Equal(registration.ObjectId, token.GetClaim("oid").Value);
        Assert.Equal(registration.ObjectId, token.Subject);
        Assert.Equal("app", token.GetClaim("idtyp").Value);
        Assert.Equal(
            ["IMAP.AccessAsApp", "POP.AccessAsApp", "SMTP.SendAsApp", "full_access_as_app"],
            token.Claims.Where(c => c.Type == "roles").Select(c => c.Value));
        Assert.Equal("JWT", token.Typ);
        Assert.Equal("RS256", token.Alg);
        Assert.Equal(fake.KeyId, token.Kid);
        Assert.Equal(fake.KeyId, token.X5t);
        Assert.InRange(result.ExpiresOn - DateTimeOffset.UtcNow, TimeSpan.FromMinutes(55), TimeSpan.FromMinutes(61));
        var request = Assert.Single(fake.Requests);
        Assert.Equal($"/{Tenant}/oauth2/v2.0/token", request.Path);
        Assert.Equal("client_credentials", request.GrantType);
        Assert.Equal(ExchangeAppOnlyScope, request.Scope);
    }

    [Fact]
    public async Task AcquireTokenForClient_SecondCall_IsServedFromMsalCache()
    {
        using var fake = CreateFake();
        fake.RegisterApplication(Tenant, ClientId).WithSecret(Secret);
        var app = Confidential(fake).WithClientSecret(Secret).Build();

        var first = await app.AcquireTokenForClient([ExchangeAppOnlyScope]).ExecuteAsync();
        var second = await app.AcquireTokenForClient([ExchangeAppOnlyScope]).ExecuteAsync();

        Assert.Equal(first.AccessToken, second.AccessToken);
        Assert.Equal(TokenSource.Cache, second.AuthenticationResultMetadata.TokenSource);
        Assert.Equal(1, fake.TokenRequestCount);
    }

    [Fact]
    public async Task AcquireTokenForClient_WrongSecret_ThrowsAadsts7000215WithoutEchoingSecret()
    {
        using var fake = CreateFake();
        fake.RegisterApplication(Tenant, ClientId).WithSecret(Secret);
        const string wrong = "wrong-secret-Q~do-not-echo";
        var app = Confidential(fake).WithClientSecret(wrong).Build();

        var error = await Assert.ThrowsAsync<MsalServiceException>(() => app.AcquireTokenForClient([ExchangeAppOnlyScope]).ExecuteAsync());

        Assert.Equal("invalid_client", error.ErrorCode);
        Assert.Equal(401, error.StatusCode);
        Assert.Contains("AADSTS7000215", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(wrong, error.ResponseBody, StringComparison.Ordinal);
        Assert.DoesNotContain(Secret, error.ResponseBody, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AcquireTokenForClient_Certificate_ReturnsTokenWithAppIdAcr2()
    {
        using var fake = CreateFake();
        fake.RegisterApplication(Tenant, ClientId).WithCertificate(ClientCertificate);
        var app = Confidential(fake).WithCertificate(ClientCertificate).Build();

        var result = await app.AcquireTokenForClient([ExchangeAppOnlyScope]).ExecuteAsync();

        Assert.Equal("2", Read(result.AccessToken).GetClaim("appidacr").Value);
    }

    [Fact]
    public async Task AcquireTokenForClient_UnregisteredCertificate_ThrowsAadsts700027()
    {
        using var fake = CreateFake();
        fake.RegisterApplication(Tenant, ClientId).WithCertificate(ClientCertificate);
        var app = Confidential(fake).WithCertificate(OtherCertificate).Build();

        var error = await Assert.ThrowsAsync<MsalServiceException>(() => app.AcquireTokenForClient([ExchangeAppOnlyScope]).ExecuteAsync());

        Assert.Equal("invalid_client", error.ErrorCode);
        Assert.Contains("AADSTS700027", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AcquireTokenForClient_SubjectNameIssuerWithX5c_ReturnsToken()
    {
        using var fake = CreateFake();
        fake.RegisterApplication(Tenant, ClientId).WithSubjectNameIssuer("CN=mail-app.contoso.com, O=Contoso", "CN=Contoso Test Issuing CA, O=Contoso");
        var app = Confidential(fake).WithCertificate(IssuedCertificate, sendX5C: true).Build();

        var result = await app.AcquireTokenForClient([ExchangeAppOnlyScope]).ExecuteAsync();

        Assert.Equal("2", Read(result.AccessToken).GetClaim("appidacr").Value);
    }

    [Fact]
    public async Task AcquireTokenForClient_SubjectNameIssuerWithoutX5c_ThrowsAadsts700027()
    {
        using var fake = CreateFake();
        fake.RegisterApplication(Tenant, ClientId).WithSubjectNameIssuer(IssuedCertificate.Subject, IssuedCertificate.Issuer);
        var app = Confidential(fake).WithCertificate(IssuedCertificate, sendX5C: false).Build();

        var error = await Assert.ThrowsAsync<MsalServiceException>(() => app.AcquireTokenForClient([ExchangeAppOnlyScope]).ExecuteAsync());

        Assert.Contains("AADSTS700027", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AcquireTokenForClient_SubjectNameIssuerWithOtherIssuer_ThrowsAadsts700027()
    {
        using var fake = CreateFake();
        fake.RegisterApplication(Tenant, ClientId).WithSubjectNameIssuer(IssuedCertificate.Subject, "CN=Some Other CA");
        var app = Confidential(fake).WithCertificate(IssuedCertificate, sendX5C: true).Build();

        var error = await Assert.ThrowsAsync<MsalServiceException>(() => app.AcquireTokenForClient([ExchangeAppOnlyScope]).ExecuteAsync());

        Assert.Contains("AADSTS700027", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AcquireTokenForClient_Rs256AssertionWithX5t_ReturnsToken()
    {
        using var fake = CreateFake();
        fake.RegisterApplication(Tenant, ClientId).WithCertificate(ClientCertificate);
        var assertion = Assertion(ClientCertificate, TokenEndpoint(fake), DateTimeOffset.UtcNow.AddMinutes(10));
        var app = Confidential(fake).WithClientAssertion((AssertionRequestOptions _) => Task.FromResult(assertion)).Build();

        var result = await app.AcquireTokenForClient([ExchangeAppOnlyScope]).ExecuteAsync();

        Assert.False(string.IsNullOrEmpty(result.AccessToken));
    }

    [Fact]
    public async Task AcquireTokenForClient_ExpiredAssertion_ThrowsAadsts700024()
    {
        using var fake = CreateFake();
        fake.RegisterApplication(Tenant, ClientId).WithCertificate(ClientCertificate);
        var assertion = Assertion(ClientCertificate, TokenEndpoint(fake), DateTimeOffset.UtcNow.AddMinutes(-1));
        var app = Confidential(fake).WithClientAssertion((AssertionRequestOptions _) => Task.FromResult(assertion)).Build();

        var error = await Assert.ThrowsAsync<MsalServiceException>(() => app.AcquireTokenForClient([ExchangeAppOnlyScope]).ExecuteAsync());

        Assert.Equal("invalid_client", error.ErrorCode);
        Assert.Contains("AADSTS700024", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AcquireTokenForClient_AssertionForOtherAudience_ThrowsAadsts700027()
    {
        using var fake = CreateFake();
        fake.RegisterApplication(Tenant, ClientId).WithCertificate(ClientCertificate);
        var assertion = Assertion(ClientCertificate, "https://login.microsoftonline.com/other/oauth2/v2.0/token", DateTimeOffset.UtcNow.AddMinutes(10));
        var app = Confidential(fake).WithClientAssertion((AssertionRequestOptions _) => Task.FromResult(assertion)).Build();

        var error = await Assert.ThrowsAsync<MsalServiceException>(() => app.AcquireTokenForClient([ExchangeAppOnlyScope]).ExecuteAsync());

        Assert.Contains("AADSTS700027", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AcquireTokenForClient_AssertionSignedWithOtherKey_ThrowsAadsts700027()
    {
        using var fake = CreateFake();
        fake.RegisterApplication(Tenant, ClientId).WithCertificate(ClientCertificate);
        // Names the registered certificate but is signed with another key.
        var assertion = Assertion(ClientCertificate, TokenEndpoint(fake), DateTimeOffset.UtcNow.AddMinutes(10), signer: OtherCertificate);
        var app = Confidential(fake).WithClientAssertion((AssertionRequestOptions _) => Task.FromResult(assertion)).Build();

        var error = await Assert.ThrowsAsync<MsalServiceException>(() => app.AcquireTokenForClient([ExchangeAppOnlyScope]).ExecuteAsync());

        Assert.Contains("AADSTS700027: Client assertion failed signature validation.", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AcquireTokenForClient_UnknownTenant_ThrowsAadsts90002()
    {
        using var fake = CreateFake();
        fake.RegisterApplication(Tenant, ClientId).WithSecret(Secret);
        var app = Confidential(fake, tenant: "99999999-0000-0000-0000-000000000000").WithClientSecret(Secret).Build();

        var error = await Assert.ThrowsAsync<MsalServiceException>(() => app.AcquireTokenForClient([ExchangeAppOnlyScope]).ExecuteAsync());

        Assert.Equal(400, error.StatusCode);
        Assert.Contains("AADSTS90002", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AcquireTokenForClient_UnknownApplication_ThrowsAadsts700016()
    {
        using var fake = CreateFake();
        fake.RegisterApplication(Tenant, ClientId).WithSecret(Secret);
        var app = Confidential(fake, clientId: "00000000-1111-2222-3333-444444444444").WithClientSecret(Secret).Build();

        var error = await Assert.ThrowsAsync<MsalServiceException>(() => app.AcquireTokenForClient([ExchangeAppOnlyScope]).ExecuteAsync());

        Assert.Equal("unauthorized_client", error.ErrorCode);
        Assert.Contains("AADSTS700016", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AcquireTokenForClient_ScopesOfTwoResources_ThrowsAadsts28000()
    {
        using var fake = CreateFake();
        fake.RegisterApplication(Tenant, ClientId).WithSecret(Secret);
        var app = Confidential(fake).WithClientSecret(Secret).Build();

        var error = await Assert.ThrowsAsync<MsalServiceException>(
            () => app.AcquireTokenForClient([ExchangeAppOnlyScope, "https://graph.microsoft.com/.default"]).ExecuteAsync());

        Assert.Equal("invalid_scope", error.ErrorCode);
        Assert.Contains("AADSTS28000", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AcquireTokenForClient_ScopeWithoutDefault_ThrowsAadsts1002012()
    {
        using var fake = CreateFake();
        fake.RegisterApplication(Tenant, ClientId).WithSecret(Secret);
        var app = Confidential(fake).WithClientSecret(Secret).Build();

        var error = await Assert.ThrowsAsync<MsalServiceException>(
            () => app.AcquireTokenForClient(["https://outlook.office365.com/IMAP.AccessAsApp"]).ExecuteAsync());

        Assert.Contains("AADSTS1002012", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AcquireTokenForClient_NoAppRoles_TokenHasNoRolesClaim()
    {
        using var fake = CreateFake();
        fake.RegisterApplication(Tenant, ClientId).WithSecret(Secret).WithAppRoles();
        var app = Confidential(fake).WithClientSecret(Secret).Build();

        var result = await app.AcquireTokenForClient([ExchangeAppOnlyScope]).ExecuteAsync();

        Assert.False(Read(result.AccessToken).TryGetClaim("roles", out _));
    }

    [Fact]
    public async Task AcquireTokenForClient_DoubleSlashDefaultScope_AudienceHasNoTrailingSlash()
    {
        using var fake = CreateFake();
        fake.RegisterApplication(Tenant, ClientId).WithSecret(Secret).WithAppRoles("SMTP.SendAsApp");
        var app = Confidential(fake).WithClientSecret(Secret).Build();

        var result = await app.AcquireTokenForClient(["https://outlook.office365.com//.default"]).ExecuteAsync();

        var token = Read(result.AccessToken);
        Assert.Equal("https://outlook.office365.com", token.GetClaim("aud").Value);
        Assert.Equal("SMTP.SendAsApp", Assert.Single(token.Claims, c => c.Type == "roles").Value);
    }

    [Fact]
    public async Task AcquireTokenForClient_CustomLifetime_SetsExpiresIn()
    {
        using var fake = CreateFake(lifetime: TimeSpan.FromMinutes(75));
        fake.RegisterApplication(Tenant, ClientId).WithSecret(Secret);
        var app = Confidential(fake).WithClientSecret(Secret).Build();

        var result = await app.AcquireTokenForClient([ExchangeAppOnlyScope]).ExecuteAsync();

        Assert.InRange(result.ExpiresOn - DateTimeOffset.UtcNow, TimeSpan.FromMinutes(74), TimeSpan.FromMinutes(76));
        var token = Read(result.AccessToken);
        Assert.Equal(TimeSpan.FromMinutes(75), token.ValidTo - token.IssuedAt);
    }

    [Fact]
    public async Task TokenEndpoint_MissingScope_AnswersAadsts900144InEntraShape()
    {
        using var fake = CreateFake();
        fake.RegisterApplication(Tenant, ClientId).WithSecret(Secret);
        using var handler = fake.CreateHandler();
        using var client = new HttpClient(handler);
        using var request = new HttpRequestMessage(HttpMethod.Post, TokenEndpoint(fake))
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["grant_type"] = "client_credentials",
                ["client_id"] = ClientId,
                ["client_secret"] = Secret,
            }),
        };
        request.Headers.Add("client-request-id", "0d7a5d8e-0000-4000-8000-000000000001");

        using var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var root = body.RootElement;
        Assert.Equal("invalid_request", root.GetProperty("error").GetString());
        Assert.Equal(900144, Assert.Single(root.GetProperty("error_codes").EnumerateArray()).GetInt32());
        var description = root.GetProperty("error_description").GetString()!;
        var lines = description.Split("\r\n");
        Assert.Equal("AADSTS900144: The request body must contain the following parameter: 'scope'.", lines[0]);
        Assert.Equal("Trace ID: " + root.GetProperty("trace_id").GetString(), lines[1]);
        Assert.Equal("Correlation ID: 0d7a5d8e-0000-4000-8000-000000000001", lines[2]);
        Assert.Equal("Timestamp: " + root.GetProperty("timestamp").GetString(), lines[3]);
        Assert.Equal("0d7a5d8e-0000-4000-8000-000000000001", root.GetProperty("correlation_id").GetString());
        Assert.Equal("https://login.microsoftonline.com/error?code=900144", root.GetProperty("error_uri").GetString());
        Assert.Matches(@"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ$", root.GetProperty("timestamp").GetString());
    }

    [Fact]
    public async Task TokenEndpoint_ClientCredentialsWithoutCredential_AnswersAadsts7000218()
    {
        using var fake = CreateFake();
        fake.RegisterApplication(Tenant, ClientId).WithSecret(Secret);
        using var handler = fake.CreateHandler();

        using var response = await PostFormAsync(handler, TokenEndpoint(fake), ("grant_type", "client_credentials"), ("client_id", ClientId), ("scope", ExchangeAppOnlyScope));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Contains("AADSTS7000218", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    private static string TokenEndpoint(FakeEntraId fake) => $"{Authority(fake.AuthorityHost, Tenant)}/oauth2/v2.0/token";

    /// <summary>An RS256 assertion with an x5t (SHA-1) header, as older MSAL versions and other clients send.</summary>
    private static string Assertion(X509Certificate2 named, string audience, DateTimeOffset expires, X509Certificate2? signer = null)
    {
        var header = JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["alg"] = "RS256",
            ["typ"] = "JWT",
            ["x5t"] = B64(named.GetCertHash()),
        });
        var payload = JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["aud"] = audience,
            ["iss"] = ClientId,
            ["sub"] = ClientId,
            ["jti"] = Guid.NewGuid().ToString(),
            ["nbf"] = expires.AddMinutes(-10).ToUnixTimeSeconds(),
            ["exp"] = expires.ToUnixTimeSeconds(),
        });
        var input = B64(Encoding.UTF8.GetBytes(header)) + "." + B64(Encoding.UTF8.GetBytes(payload));
        using var key = (signer ?? named).GetRSAPrivateKey()!;
        var signature = key.SignData(Encoding.ASCII.GetBytes(input), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        return input + "." + B64(signature);
    }

    private static string B64(byte[] data) => Microsoft.IdentityModel.Tokens.Base64UrlEncoder.Encode(data);
}
