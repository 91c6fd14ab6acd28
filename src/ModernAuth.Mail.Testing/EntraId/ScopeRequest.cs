namespace ModernAuth.Mail.Testing.Internal;

/// <summary>A <c>scope</c> parameter split into OpenID Connect scopes and the permissions of one resource.</summary>
internal sealed class ScopeRequest
{
    /// <summary>Where a scope with no resource prefix goes, as with Entra ID (a bare <c>IMAP.AccessAsUser.All</c> is a Graph scope).</summary>
    public const string GraphResource = "https://graph.microsoft.com";

    private static readonly HashSet<string> s_openIdScopes = new(StringComparer.OrdinalIgnoreCase) { "openid", "profile", "offline_access", "email" };

    private ScopeRequest(string raw, IReadOnlyList<string> openIdScopes, IReadOnlyList<(string Resource, string Permission)> permissions)
    {
        Raw = raw;
        OpenIdScopes = openIdScopes;
        Permissions = permissions;
    }

    public string Raw { get; }

    /// <summary>openid, profile, offline_access, email.</summary>
    public IReadOnlyList<string> OpenIdScopes { get; }

    /// <summary>Each resource scope as resource (no trailing slash) and permission name.</summary>
    public IReadOnlyList<(string Resource, string Permission)> Permissions { get; }

    public bool WantsRefreshToken => OpenIdScopes.Contains("offline_access", StringComparer.OrdinalIgnoreCase);

    /// <summary>The distinct resources asked for.</summary>
    public IReadOnlyList<string> Resources => Permissions.Select(p => p.Resource).Distinct(StringComparer.OrdinalIgnoreCase).ToArray();

    public static ScopeRequest Parse(string raw)
    {
        var openId = new List<string>();
        var permissions = new List<(string, string)>();
        foreach (var scope in raw.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (s_openIdScopes.Contains(scope))
            {
                openId.Add(scope);
                continue;
            }

            var slash = scope.LastIndexOf('/');
            if (slash < 0)
            {
                permissions.Add((GraphResource, scope));
            }
            else
            {
                permissions.Add((scope[..slash].TrimEnd('/'), scope[(slash + 1)..]));
            }
        }

        return new ScopeRequest(raw, openId, permissions);
    }
}
