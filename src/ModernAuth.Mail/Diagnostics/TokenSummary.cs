namespace ModernAuth.Mail.Diagnostics;

/// <summary>
/// What <see cref="TokenInspector"/> read from a token, without having validated it. It never holds the token or
/// its signature: only the claims that explain a failure and a short fingerprint.
/// </summary>
public sealed class TokenSummary
{
    /// <summary>The kind of token.</summary>
    public TokenKind Kind { get; init; }

    /// <summary>The token's length in characters (after a <c>Bearer </c> prefix and surrounding white space were removed).</summary>
    public int Length { get; init; }

    /// <summary>The first 8 hex digits of the token's SHA-256: identifies the token without revealing it. Empty for no input.</summary>
    public string Fingerprint { get; init; } = string.Empty;

    /// <summary>The <c>ver</c> claim: <c>1.0</c> (Exchange Online's tokens) or <c>2.0</c>.</summary>
    public string? Version { get; init; }

    /// <summary>The header's <c>alg</c>, for example <c>RS256</c>.</summary>
    public string? Algorithm { get; init; }

    /// <summary>The header's <c>kid</c>: which of the issuer's published keys signed the token.</summary>
    public string? KeyId { get; init; }

    /// <summary>The audience (<c>aud</c>); several audiences are joined with <c>", "</c>.</summary>
    public string? Audience { get; init; }

    /// <summary>The issuer (<c>iss</c>).</summary>
    public string? Issuer { get; init; }

    /// <summary>The tenant id (<c>tid</c>).</summary>
    public string? TenantId { get; init; }

    /// <summary>The client (application) id: <c>appid</c> in v1.0 tokens, <c>azp</c> in v2.0 tokens.</summary>
    public string? AppId { get; init; }

    /// <summary>The application's display name (<c>app_displayname</c>), when present.</summary>
    public string? AppDisplayName { get; init; }

    /// <summary>The signed-in user: <c>upn</c>, else <c>preferred_username</c>, else <c>unique_name</c>. None for app-only tokens.</summary>
    public string? User { get; init; }

    /// <summary>
    /// The object id (<c>oid</c>): the user's in a delegated token, the Enterprise Application's (service principal's)
    /// in an app-only token.
    /// </summary>
    public string? ObjectId { get; init; }

    /// <summary>The delegated scopes (<c>scp</c>). Empty when there are none.</summary>
    public IReadOnlyList<string> Scopes { get; init; } = Array.Empty<string>();

    /// <summary>The application roles (<c>roles</c>). Empty when there are none.</summary>
    public IReadOnlyList<string> Roles { get; init; } = Array.Empty<string>();

    /// <summary>
    /// <see langword="true"/> for an app-only (client credentials) token, <see langword="false"/> for a delegated
    /// one, <see langword="null"/> when it cannot be told (opaque or malformed tokens).
    /// </summary>
    public bool? IsAppOnly { get; init; }

    /// <summary>When the token expires (<c>exp</c>).</summary>
    public DateTimeOffset? ExpiresOn { get; init; }

    /// <summary>When the token becomes valid (<c>nbf</c>).</summary>
    public DateTimeOffset? NotBefore { get; init; }

    /// <summary>When the token was issued (<c>iat</c>).</summary>
    public DateTimeOffset? IssuedAt { get; init; }

    /// <inheritdoc/>
    public override string ToString() =>
        $"TokenSummary {{ Kind = {Kind}, Version = {Version ?? "-"}, Audience = {Audience ?? "-"}, TenantId = {TenantId ?? "-"}, AppId = {AppId ?? "-"}, Fingerprint = {Fingerprint} }}";
}
