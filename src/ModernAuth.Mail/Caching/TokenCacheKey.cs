namespace ModernAuth.Mail.Caching;

/// <summary>What makes two requests share a token: the set of scopes and the account.</summary>
internal readonly struct TokenCacheKey : IEquatable<TokenCacheKey>
{
    public TokenCacheKey(int scopeSet, string? account)
    {
        ScopeSet = scopeSet;
        Account = account;
    }

    /// <summary>Identifies the scopes: app-only flows use one set for every protocol, delegated flows one per protocol.</summary>
    public int ScopeSet { get; }

    /// <summary>The account for delegated flows (case-insensitive); <see langword="null"/> for app-only flows and "the signed-in user".</summary>
    public string? Account { get; }

    public bool Equals(TokenCacheKey other) =>
        ScopeSet == other.ScopeSet && string.Equals(Account, other.Account, StringComparison.OrdinalIgnoreCase);

    public override bool Equals(object? obj) => obj is TokenCacheKey other && Equals(other);

    public override int GetHashCode() =>
        (ScopeSet * 397) ^ (Account is null ? 0 : StringComparer.OrdinalIgnoreCase.GetHashCode(Account));
}
