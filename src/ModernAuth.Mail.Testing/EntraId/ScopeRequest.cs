namespace ModernAuth.Mail.Testing.Internal;

/// <summary>A <c>scope</c> parameter split into OpenID Connect scopes and the permissions of one resource.</summary>
internal sealed class ScopeRequest
{
    /// <summary>Where a scope with no resource prefix goes, as with Entra ID (a bare <c>IMAP.AccessAsUser.All</c> is a Graph scope).</summary>
    public const string GraphResource = "https://graph.microsoft.com";

    /// <summary>Microsoft Graph's application id: the audience Entra ID gives a token asked for with bare scopes.</summary>
    public const string GraphAppId = "00000003-0000-0000-c000-000000000000";

    private static readonly HashSet<string> s_openIdScopes = new(StringComparer.OrdinalIgnoreCase) { "openid", "profile", "offline_access", "email" };

    private ScopeRequest(string raw, IReadOnlyList<string> openIdScopes, IReadOnlyList<(string Resource, string Permission)> permissions, bool allBare)
    {
        AllBare = allBare;
        Raw = raw;
        OpenIdScopes = openIdScopes;
        Permissions = permissions;
    }

    public string Raw { get; }

    /// <summary>Whether every resource scope came without a resource prefix (Graph by default).</summary>
    public bool AllBare { get; }

    /// <summary>
    /// The <c>aud</c> of the token: the resource as the scopes named it, or Graph's application id when they named none
    /// (Entra ID does the same: <c>Mail.Send</c> gives <c>00000003-...</c>, <c>https://graph.microsoft.com/Mail.Send</c> the URL).
    /// </summary>
    public string Audience(string resource) => AllBare && string.Equals(resource, GraphResource, StringComparison.OrdinalIgnoreCase) ? GraphAppId : resource;

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
        var allBare = true;
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
                allBare = false;
                permissions.Add((scope[..slash].TrimEnd('/'), scope[(slash + 1)..]));
            }
        }

        return new ScopeRequest(raw, openId, permissions, allBare && permissions.Count > 0);
    }
}
