using System.Security.Cryptography;
using System.Text;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace ModernAuth.Mail.Tests.Diagnostics;

/// <summary>
/// Mints realistic, really signed (RS256) Entra ID-shaped tokens for the diagnostics tests. Kept small and alone in
/// this file so the fake Entra ID of ModernAuth.Mail.Testing can replace it.
/// </summary>
internal static class TestTokens
{
    public const string TenantId = "3c1d2b4a-5e6f-4a7b-8c9d-0e1f2a3b4c5d";
    public const string OtherTenantId = "9a8b7c6d-5e4f-4321-8765-43210fedcba9";
    public const string ClientId = "6b1f0e7a-2c3d-4e5f-9a8b-7c6d5e4f3a2b";
    public const string OtherClientId = "0f1e2d3c-4b5a-4697-8877-665544332211";
    public const string ServicePrincipalObjectId = "a1b2c3d4-e5f6-4a5b-9c8d-7e6f5a4b3c2d";
    public const string UserObjectId = "11112222-3333-4444-5555-666677778888";
    public const string User = "alice@contoso.com";
    public const string KeyId = "test-key-1";

    /// <summary>"Now" in every test: tokens are issued 10 minutes before it and expire 50 minutes after.</summary>
    public static readonly DateTimeOffset Now = new(2026, 3, 2, 10, 0, 0, TimeSpan.Zero);

    public static readonly RsaSecurityKey SigningKey = NewKey(KeyId);

    /// <summary>Another key with the same key id: what a forged token would be signed with.</summary>
    public static readonly RsaSecurityKey ForgedKey = NewKey(KeyId);

    public static readonly RsaSecurityKey UnpublishedKey = NewKey("unpublished-key");

    public static string Issuer(string tenantId = TenantId) => "https://sts.windows.net/" + tenantId + "/";

    /// <summary>The claims of an Exchange Online v1.0 app-only (client credentials) token.</summary>
    public static Dictionary<string, object> AppOnly(params string[] roles)
    {
        var claims = Common();
        claims["appid"] = ClientId;
        claims["appidacr"] = "1";
        claims["idtyp"] = "app";
        claims["oid"] = ServicePrincipalObjectId;
        claims["sub"] = ServicePrincipalObjectId;
        if (roles.Length > 0)
        {
            claims["roles"] = roles;
        }

        return claims;
    }

    /// <summary>The claims of an Exchange Online v1.0 delegated token.</summary>
    public static Dictionary<string, object> Delegated(string scp, string user = User)
    {
        var claims = Common();
        claims["appid"] = ClientId;
        claims["appidacr"] = "0";
        claims["scp"] = scp;
        claims["upn"] = user;
        claims["unique_name"] = user;
        claims["name"] = "Alice";
        claims["oid"] = UserObjectId;
        claims["sub"] = "x7Yz";
        claims["amr"] = new[] { "pwd", "mfa" };
        return claims;
    }

    public static string Mint(Dictionary<string, object> claims, RsaSecurityKey? key = null)
    {
        var handler = new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false };
        return handler.CreateToken(new SecurityTokenDescriptor
        {
            Claims = claims,
            SigningCredentials = new SigningCredentials(key ?? SigningKey, SecurityAlgorithms.RsaSha256),
        });
    }

    public static string MintAppOnly(params string[] roles) => Mint(AppOnly(roles));

    public static string MintDelegated(string scp, string user = User) => Mint(Delegated(scp, user));

    /// <summary>A hand-built token: any header and payload JSON, any signature text.</summary>
    public static string Raw(string headerJson, string payloadJson, string signature = "c2lnbmF0dXJl") =>
        Base64Url(Encoding.UTF8.GetBytes(headerJson)) + "." + Base64Url(Encoding.UTF8.GetBytes(payloadJson)) + "." + signature;

    public static string Base64Url(byte[] bytes) => Base64UrlEncoder.Encode(bytes);

    /// <summary>The signature part of a token.</summary>
    public static string Signature(string token) => token.Substring(token.LastIndexOf('.') + 1);

    public static string Jwks(params RsaSecurityKey[] keys)
    {
        var sb = new StringBuilder("{\"keys\":[");
        for (var i = 0; i < keys.Length; i++)
        {
            var jwk = JsonWebKeyConverter.ConvertFromRSASecurityKey(keys[i]);
            sb.Append(i == 0 ? string.Empty : ",")
              .Append("{\"kty\":\"RSA\",\"use\":\"sig\",\"kid\":\"").Append(jwk.Kid)
              .Append("\",\"n\":\"").Append(jwk.N).Append("\",\"e\":\"").Append(jwk.E).Append("\"}");
        }

        return sb.Append("]}").ToString();
    }

    private static Dictionary<string, object> Common() => new()
    {
        ["aud"] = "https://outlook.office365.com",
        ["iss"] = Issuer(),
        ["tid"] = TenantId,
        ["ver"] = "1.0",
        ["iat"] = Now.AddMinutes(-10).ToUnixTimeSeconds(),
        ["nbf"] = Now.AddMinutes(-10).ToUnixTimeSeconds(),
        ["exp"] = Now.AddMinutes(50).ToUnixTimeSeconds(),
        ["app_displayname"] = "Contoso Mail Reader",
    };

    private static RsaSecurityKey NewKey(string kid)
    {
        var rsa = RSA.Create(2048);
        return new RsaSecurityKey(rsa.ExportParameters(true)) { KeyId = kid };
    }
}
