namespace ModernAuth.Mail.Testing;

/// <summary>
/// A request the fake received, as recorded in <see cref="FakeEntraId.Requests"/>. It never holds a secret: client
/// secrets, client assertions, refresh tokens and device codes are not recorded.
/// </summary>
public sealed class FakeEntraRequest
{
    internal FakeEntraRequest(DateTimeOffset receivedAt, string method, string path, string? grantType, string? clientId, string? scope, string? resource = null, string? assertionFingerprint = null)
    {
        Resource = resource;
        AssertionFingerprint = assertionFingerprint;
        ReceivedAt = receivedAt;
        Method = method;
        Path = path;
        GrantType = grantType;
        ClientId = clientId;
        Scope = scope;
    }

    /// <summary>When the request arrived, by the fake's <see cref="FakeEntraIdOptions.TimeProvider"/>.</summary>
    public DateTimeOffset ReceivedAt { get; }

    /// <summary>The HTTP method, for example <c>POST</c>.</summary>
    public string Method { get; }

    /// <summary>The path, without query, for example <c>/contoso/oauth2/v2.0/token</c>.</summary>
    public string Path { get; }

    /// <summary>The <c>grant_type</c> form field, if any, for example <c>client_credentials</c>.</summary>
    public string? GrantType { get; }

    /// <summary>The <c>client_id</c> form field, if any.</summary>
    public string? ClientId { get; }

    /// <summary>The <c>scope</c> form field, if any, as sent (space separated).</summary>
    public string? Scope { get; }

    /// <summary>The <c>resource</c> query parameter of a managed identity request, if any, for example <c>https://outlook.office365.com</c>.</summary>
    public string? Resource { get; }

    /// <summary>
    /// A fingerprint of the <c>client_assertion</c> sent, if any (certificate assertion or federated token): the first 16
    /// lowercase hex digits of the SHA-256 of its UTF-8 text. The assertion itself is never recorded.
    /// </summary>
    public string? AssertionFingerprint { get; }

    /// <summary>The fingerprint <see cref="AssertionFingerprint"/> would show for <paramref name="assertion"/>.</summary>
    /// <param name="assertion">The assertion's text.</param>
    /// <returns>16 lowercase hex digits.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="assertion"/> is <see langword="null"/>.</exception>
    public static string Fingerprint(string assertion)
    {
        ArgumentNullException.ThrowIfNull(assertion);
        return Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(assertion)), 0, 8).ToLowerInvariant();
    }

    /// <summary>Whether this was a GET to a managed identity endpoint (IMDS' <c>/metadata/identity/oauth2/token</c> or App Service's <c>/msi/token</c>).</summary>
    public bool IsManagedIdentityRequest =>
        string.Equals(Method, "GET", StringComparison.OrdinalIgnoreCase) && Internal.ManagedIdentityService.IsManagedIdentityPath(Path);

    /// <summary>Whether this was a POST to a token endpoint (<c>/{tenant}/oauth2/v2.0/token</c>).</summary>
    public bool IsTokenRequest =>
        string.Equals(Method, "POST", StringComparison.OrdinalIgnoreCase) &&
        Path.EndsWith("/oauth2/v2.0/token", StringComparison.OrdinalIgnoreCase);

    /// <inheritdoc/>
    public override string ToString()
    {
        var text = $"{Method} {Path}";
        if (GrantType is not null)
        {
            text += $" grant_type={GrantType}";
        }

        if (ClientId is not null)
        {
            text += $" client_id={ClientId}";
        }

        if (Resource is not null)
        {
            text += $" resource={Resource}";
        }

        return Scope is null ? text : text + $" scope={Scope}";
    }
}
