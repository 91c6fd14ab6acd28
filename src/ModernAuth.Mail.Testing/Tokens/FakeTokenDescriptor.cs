using System.Security.Cryptography;

namespace ModernAuth.Mail.Testing;

/// <summary>
/// What <see cref="FakeEntraId.MintAccessToken"/> puts in a token. Only <see cref="TenantId"/> is required; every other
/// claim has a default or is left out when <see langword="null"/>. Use it to craft tokens that are wrong on purpose
/// (another audience, expired, no roles, a bad signature).
/// </summary>
public sealed class FakeTokenDescriptor
{
    /// <summary>The token version: 1 (<c>ver</c> <c>1.0</c>, what Exchange Online gets) or 2 (<c>ver</c> <c>2.0</c>). Default 1.</summary>
    public int Version { get; set; } = 1;

    /// <summary>The tenant id (<c>tid</c>). Required.</summary>
    public string? TenantId { get; set; }

    /// <summary>The audience (<c>aud</c>). Default <c>https://outlook.office365.com</c>.</summary>
    public string? Audience { get; set; } = "https://outlook.office365.com";

    /// <summary>
    /// The issuer (<c>iss</c>). Default by version: v1 <c>https://sts.windows.net/{tid}/</c>, v2
    /// <c>{AuthorityHost}/{tid}/v2.0</c>.
    /// </summary>
    public string? Issuer { get; set; }

    /// <summary>The client application id: <c>appid</c> in v1 tokens, <c>azp</c> in v2 tokens. Left out when <see langword="null"/>.</summary>
    public string? AppId { get; set; }

    /// <summary>Delegated scopes (<c>scp</c>), space separated, without resource prefix, for example <c>IMAP.AccessAsUser.All SMTP.Send</c>.</summary>
    public string? Scopes { get; set; }

    /// <summary>App roles (<c>roles</c>, a JSON array), for example <c>IMAP.AccessAsApp</c>.</summary>
    public IReadOnlyList<string>? Roles { get; set; }

    /// <summary>The user principal name (<c>upn</c>).</summary>
    public string? Upn { get; set; }

    /// <summary>The <c>unique_name</c> claim of v1 tokens.</summary>
    public string? UniqueName { get; set; }

    /// <summary>The <c>preferred_username</c> claim of v2 tokens.</summary>
    public string? PreferredUsername { get; set; }

    /// <summary>The object id of the user or service principal (<c>oid</c>).</summary>
    public string? ObjectId { get; set; }

    /// <summary>The subject (<c>sub</c>). Default: <see cref="ObjectId"/> when set.</summary>
    public string? Subject { get; set; }

    /// <summary>The display name (<c>name</c>).</summary>
    public string? Name { get; set; }

    /// <summary>When the token was issued (<c>iat</c>). Default: now by the fake's clock.</summary>
    public DateTimeOffset? IssuedAt { get; set; }

    /// <summary>When the token becomes valid (<c>nbf</c>). Default: <see cref="IssuedAt"/>.</summary>
    public DateTimeOffset? NotBefore { get; set; }

    /// <summary>When the token expires (<c>exp</c>). Default: <see cref="IssuedAt"/> plus <see cref="FakeEntraIdOptions.AccessTokenLifetime"/>.</summary>
    public DateTimeOffset? ExpiresAt { get; set; }

    /// <summary>
    /// More claims, written after the others (a claim named here replaces one set above). Values are written as JSON:
    /// strings, numbers, booleans, arrays, or <see langword="null"/>.
    /// </summary>
    public IDictionary<string, object?> ExtraClaims { get; } = new Dictionary<string, object?>(StringComparer.Ordinal);

    /// <summary>Whether to sign the token. Default <see langword="true"/>; <see langword="false"/> gives an unsigned token (<c>alg</c> <c>none</c>, empty signature).</summary>
    public bool Sign { get; set; } = true;

    /// <summary>
    /// Signs with this key instead of the fake's, keeping the fake's <c>kid</c>: the token then fails signature validation
    /// against the fake's keys. Default <see langword="null"/>.
    /// </summary>
    public RSA? SigningKeyOverride { get; set; }

    /// <summary>The <c>kid</c> and <c>x5t</c> header values. Default: the fake's <see cref="FakeEntraId.KeyId"/>.</summary>
    public string? KeyId { get; set; }
}
