namespace ModernAuth.Mail.Testing;

/// <summary>Who a validated token says the caller is: the application, and for delegated tokens the user, with the permissions.</summary>
internal sealed record GraphCaller(bool AppOnly, string AppId, string TenantId, string? User, IReadOnlyList<string> Roles, IReadOnlyList<string> Scopes)
{
    /// <summary>Whether the token grants one of <paramref name="permissions"/> (roles for app-only, scp for delegated).</summary>
    public bool Has(params string[] permissions)
    {
        var granted = AppOnly ? Roles : Scopes;
        return granted.Any(g => permissions.Contains(g, StringComparer.OrdinalIgnoreCase));
    }
}
