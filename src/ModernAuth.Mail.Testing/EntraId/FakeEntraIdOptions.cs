using System.Security.Cryptography;

namespace ModernAuth.Mail.Testing;

/// <summary>Settings of a <see cref="FakeEntraId"/>. Every property has a default that suits most tests.</summary>
public sealed class FakeEntraIdOptions
{
    /// <summary>The host the fake claims to be, used in issuers and metadata. Default <c>https://login.fake-entra.test</c>.</summary>
    /// <remarks>
    /// The in-process handler of <see cref="FakeEntraId.CreateHandler"/> answers for any host, so this host never has to
    /// resolve. MSAL needs an <c>https</c> authority.
    /// </remarks>
    public Uri AuthorityHost { get; set; } = new("https://login.fake-entra.test");

    /// <summary>
    /// The clock that sets the <c>iat</c>, <c>nbf</c> and <c>exp</c> claims, <c>expires_in</c>, and the expiry of device
    /// codes. Default <see cref="TimeProvider.System"/>; inject a fake clock to mint tokens that are expired or not yet valid.
    /// </summary>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    /// <summary>How long issued access tokens live (<c>expires_in</c>, <c>exp</c>). Default 60 minutes, like Entra ID's default.</summary>
    public TimeSpan AccessTokenLifetime { get; set; } = TimeSpan.FromMinutes(60);

    /// <summary>
    /// The RSA key the fake signs tokens with. Default <see langword="null"/>: a fresh 2048-bit key, disposed with the fake.
    /// A key set here is not disposed by the fake. Pass the same key to several fakes (or runs) to keep tokens valid across them.
    /// </summary>
    public RSA? SigningKey { get; set; }

    /// <summary>
    /// The <c>kid</c> (and <c>x5t</c>) of the signing key in token headers and the JWKS. Default <see langword="null"/>: the
    /// first 16 characters of the base64url SHA-256 of the key's modulus, so the same key always has the same id.
    /// </summary>
    public string? KeyId { get; set; }
}
