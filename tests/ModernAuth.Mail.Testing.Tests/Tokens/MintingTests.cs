using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.Extensions.Time.Testing;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using static ModernAuth.Mail.Testing.Tests.TestSupport;

namespace ModernAuth.Mail.Testing.Tests;

public class MintingTests
{
    [Fact]
    public async Task MintAccessToken_V1Descriptor_ValidatesAgainstJwksWithExchangeClaims()
    {
        using var fake = CreateFake();
        var token = fake.MintAccessToken(new FakeTokenDescriptor
        {
            TenantId = Tenant,
            Audience = "https://outlook.office.com",
            AppId = ClientId,
            Scopes = "IMAP.AccessAsUser.All SMTP.Send",
            Upn = "adele@contoso.com",
            UniqueName = "adele@contoso.com",
            ObjectId = "0b7e1f5c-1111-2222-3333-444444444444",
            Name = "Adele Vance",
        });

        var result = await Validate(fake, token, $"https://sts.windows.net/{Tenant}/", "https://outlook.office.com");

        Assert.True(result.IsValid, result.Exception?.Message);
        var jwt = (JsonWebToken)result.SecurityToken;
        Assert.Equal("1.0", jwt.GetClaim("ver").Value);
        Assert.Equal(ClientId, jwt.GetClaim("appid").Value);
        Assert.Equal("IMAP.AccessAsUser.All SMTP.Send", jwt.GetClaim("scp").Value);
        Assert.Equal("adele@contoso.com", jwt.GetClaim("upn").Value);
        Assert.Equal("adele@contoso.com", jwt.GetClaim("unique_name").Value);
        Assert.Equal("0b7e1f5c-1111-2222-3333-444444444444", jwt.GetClaim("oid").Value);
        Assert.Equal("0b7e1f5c-1111-2222-3333-444444444444", jwt.Subject);
        Assert.Equal(Tenant, jwt.GetClaim("tid").Value);
        Assert.Equal("JWT", jwt.Typ);
        Assert.Equal(fake.KeyId, jwt.Kid);
        Assert.Equal(fake.KeyId, jwt.X5t);
        Assert.False(jwt.TryGetClaim("azp", out _));
    }

    [Fact]
    public async Task MintAccessToken_V2Descriptor_HasV2IssuerAzpAndRoles()
    {
        using var fake = CreateFake();
        var token = fake.MintAccessToken(new FakeTokenDescriptor
        {
            Version = 2,
            TenantId = Tenant,
            Audience = "00000002-0000-0ff1-ce00-000000000000",
            AppId = ClientId,
            Roles = ["IMAP.AccessAsApp"],
            PreferredUsername = "adele@contoso.com",
        });

        var result = await Validate(fake, token, $"https://login.fake-entra.test/{Tenant}/v2.0", "00000002-0000-0ff1-ce00-000000000000");

        Assert.True(result.IsValid, result.Exception?.Message);
        var jwt = (JsonWebToken)result.SecurityToken;
        Assert.Equal("2.0", jwt.GetClaim("ver").Value);
        Assert.Equal(ClientId, jwt.GetClaim("azp").Value);
        Assert.Equal("IMAP.AccessAsApp", jwt.GetClaim("roles").Value);
        Assert.Equal("adele@contoso.com", jwt.GetClaim("preferred_username").Value);
        Assert.False(jwt.TryGetClaim("appid", out _));
    }

    [Fact]
    public async Task MintAccessToken_SigningKeyOverride_FailsSignatureValidation()
    {
        using var fake = CreateFake();
        using var otherKey = RSA.Create(2048);
        var token = fake.MintAccessToken(new FakeTokenDescriptor { TenantId = Tenant, SigningKeyOverride = otherKey });

        var result = await Validate(fake, token, $"https://sts.windows.net/{Tenant}/", "https://outlook.office365.com");

        Assert.False(result.IsValid);
        Assert.IsType<SecurityTokenInvalidSignatureException>(result.Exception);
        Assert.Equal(fake.KeyId, new JsonWebToken(token).Kid);
    }

    [Fact]
    public async Task MintAccessToken_Unsigned_HasAlgNoneAndFailsValidation()
    {
        using var fake = CreateFake();
        var token = fake.MintAccessToken(new FakeTokenDescriptor { TenantId = Tenant, Sign = false });

        var result = await Validate(fake, token, $"https://sts.windows.net/{Tenant}/", "https://outlook.office365.com");

        Assert.False(result.IsValid);
        Assert.EndsWith(".", token, StringComparison.Ordinal);
        Assert.Equal("none", new JsonWebToken(token).Alg);
    }

    [Fact]
    public async Task MintAccessToken_Expired_FailsLifetimeValidation()
    {
        using var fake = CreateFake();
        var issued = DateTimeOffset.UtcNow.AddHours(-2);
        var token = fake.MintAccessToken(new FakeTokenDescriptor { TenantId = Tenant, IssuedAt = issued, ExpiresAt = issued.AddHours(1) });

        var result = await Validate(fake, token, $"https://sts.windows.net/{Tenant}/", "https://outlook.office365.com");

        Assert.False(result.IsValid);
        Assert.IsType<SecurityTokenExpiredException>(result.Exception);
    }

    [Fact]
    public async Task MintAccessToken_WrongAudience_FailsAudienceValidation()
    {
        using var fake = CreateFake();
        var token = fake.MintAccessToken(new FakeTokenDescriptor { TenantId = Tenant, Audience = "https://graph.microsoft.com" });

        var result = await Validate(fake, token, $"https://sts.windows.net/{Tenant}/", "https://outlook.office365.com");

        Assert.False(result.IsValid);
        Assert.IsType<SecurityTokenInvalidAudienceException>(result.Exception);
    }

    [Fact]
    public void MintAccessToken_FakeClock_SetsIatNbfExpFromIt()
    {
        var start = new DateTimeOffset(2030, 1, 2, 3, 4, 5, TimeSpan.Zero);
        using var fake = CreateFake(new FakeTimeProvider(start), TimeSpan.FromMinutes(90));

        var jwt = Read(fake.MintAccessToken(new FakeTokenDescriptor { TenantId = Tenant }));

        Assert.Equal(start.UtcDateTime, jwt.IssuedAt);
        Assert.Equal(start.UtcDateTime, jwt.ValidFrom);
        Assert.Equal(start.AddMinutes(90).UtcDateTime, jwt.ValidTo);
    }

    [Fact]
    public void MintAccessToken_ExtraClaims_AddAndReplace()
    {
        using var fake = CreateFake();
        var descriptor = new FakeTokenDescriptor { TenantId = Tenant, Upn = "adele@contoso.com" };
        descriptor.ExtraClaims["email"] = "adele@contoso.com";
        descriptor.ExtraClaims["scope"] = "mail";
        descriptor.ExtraClaims["amr"] = new[] { "pwd", "mfa" };
        descriptor.ExtraClaims["tid"] = "another-tenant";

        var token = fake.MintAccessToken(descriptor);

        using var payload = JsonDocument.Parse(Base64UrlEncoder.DecodeBytes(token.Split('.')[1]));
        var root = payload.RootElement;
        Assert.Equal("adele@contoso.com", root.GetProperty("email").GetString());
        Assert.Equal("mail", root.GetProperty("scope").GetString());
        Assert.Equal(["pwd", "mfa"], root.GetProperty("amr").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal("another-tenant", root.GetProperty("tid").GetString());
        Assert.Single(root.EnumerateObject(), p => p.Name == "tid");
        Assert.Equal(JsonValueKind.Number, root.GetProperty("exp").ValueKind);
    }

    [Fact]
    public void MintAccessToken_NoTenant_Throws()
    {
        using var fake = CreateFake();

        Assert.Throws<ArgumentException>(() => fake.MintAccessToken(new FakeTokenDescriptor()));
        Assert.Throws<ArgumentException>(() => fake.MintAccessToken(new FakeTokenDescriptor { TenantId = Tenant, Version = 3 }));
    }

    [Fact]
    public void MintOpaqueToken_LooksLikePersonalAccountToken()
    {
        using var fake = CreateFake();

        var token = fake.MintOpaqueToken();
        var other = fake.MintOpaqueToken();

        Assert.StartsWith("EwB", token, StringComparison.Ordinal);
        Assert.InRange(token.Length, 900, 1200);
        Assert.DoesNotContain('.', token);
        Assert.NotEqual(token, other);
        Assert.False(new JsonWebTokenHandler().CanReadToken(token));
    }

    [Fact]
    public void ExportSigningPublicKeyPem_MatchesJwksKey()
    {
        using var fake = CreateFake();

        var pem = fake.ExportSigningPublicKeyPem();

        Assert.StartsWith("-----BEGIN PUBLIC KEY-----", pem, StringComparison.Ordinal);
        using var imported = RSA.Create();
        imported.ImportFromPem(pem);
        var jwk = new JsonWebKeySet(fake.GetJwksJson()).Keys.Single();
        Assert.Equal(Base64UrlEncoder.Encode(imported.ExportParameters(false).Modulus), jwk.N);
        Assert.Equal(fake.KeyId, jwk.Kid);
        Assert.Equal("sig", jwk.Use);
        Assert.Equal("RSA", jwk.Kty);
    }

    [Fact]
    public void KeyId_Default_IsDerivedFromModulusAndStable()
    {
        using var first = CreateFake();
        using var second = CreateFake();
        using var fresh = new FakeEntraId();

        Assert.Equal(16, first.KeyId.Length);
        Assert.Equal(first.KeyId, second.KeyId);
        Assert.NotEqual(first.KeyId, fresh.KeyId);
    }

    [Fact]
    public void KeyId_Option_IsUsedInHeaderAndJwks()
    {
        using var fake = new FakeEntraId(new FakeEntraIdOptions { SigningKey = SharedSigningKey, KeyId = "my-key" });

        var jwt = Read(fake.MintAccessToken(new FakeTokenDescriptor { TenantId = Tenant }));

        Assert.Equal("my-key", jwt.Kid);
        Assert.Equal("my-key", new JsonWebKeySet(fake.GetJwksJson()).Keys.Single().Kid);
    }

    [Fact]
    public void Dispose_SharedSigningKey_IsNotDisposed()
    {
        using var key = RSA.Create(2048);
        var fake = new FakeEntraId(new FakeEntraIdOptions { SigningKey = key });

        fake.Dispose();

        Assert.NotEmpty(key.ExportParameters(false).Modulus!);
    }

    [Theory]
    [InlineData("relative/path")]
    [InlineData("ftp://login.example")]
    public void Constructor_BadAuthorityHost_Throws(string host)
    {
        Assert.Throws<ArgumentException>(() => new FakeEntraId(new FakeEntraIdOptions { AuthorityHost = new Uri(host, UriKind.RelativeOrAbsolute) }));
    }

    [Fact]
    public void Constructor_NonPositiveLifetime_Throws()
    {
        Assert.Throws<ArgumentException>(() => new FakeEntraId(new FakeEntraIdOptions { AccessTokenLifetime = TimeSpan.Zero }));
    }

    private static Task<TokenValidationResult> Validate(FakeEntraId fake, string token, string issuer, string audience) =>
        new JsonWebTokenHandler().ValidateTokenAsync(token, new TokenValidationParameters
        {
            IssuerSigningKeys = new JsonWebKeySet(fake.GetJwksJson()).GetSigningKeys(),
            ValidIssuer = issuer,
            ValidAudience = audience,
            ValidateLifetime = true,
            ClockSkew = TimeSpan.Zero,
        });
}
