namespace ModernAuth.Mail.Testing;

/// <summary>A user of a tenant of a <see cref="FakeEntraId"/>, created by <see cref="FakeEntraId.AddUser"/>.</summary>
public sealed class FakeUser
{
    internal FakeUser(string tenantId, string userName, string displayName, string objectId, string homeTenantId)
    {
        TenantId = tenantId;
        UserName = userName;
        DisplayName = displayName;
        ObjectId = objectId;
        HomeTenantId = homeTenantId;
    }

    /// <summary>The tenant the user was added to, as given to <see cref="FakeEntraId.AddUser"/> (for example <c>consumers</c>).</summary>
    public string TenantId { get; }

    /// <summary>
    /// The tenant id that tokens carry in <c>tid</c>: the same as <see cref="TenantId"/>, except for personal accounts
    /// (tenant <c>consumers</c>), whose tokens carry <see cref="FakeEntraId.ConsumersTenantId"/>.
    /// </summary>
    public string HomeTenantId { get; }

    /// <summary>The sign-in name: <c>upn</c>, <c>unique_name</c> and <c>preferred_username</c> in tokens.</summary>
    public string UserName { get; }

    /// <summary>The display name: <c>name</c> in tokens. Default: the part of <see cref="UserName"/> before <c>@</c>.</summary>
    public string DisplayName { get; }

    /// <summary>The user's object id (<c>oid</c>), a generated GUID.</summary>
    public string ObjectId { get; }

    /// <summary>Whether this is a personal Microsoft account (tenant <c>consumers</c>): its access tokens are opaque, not JWTs.</summary>
    public bool IsPersonalAccount => string.Equals(TenantId, FakeEntraId.ConsumersTenant, StringComparison.OrdinalIgnoreCase);

    /// <inheritdoc/>
    public override string ToString() => $"{UserName} ({ObjectId}) in {TenantId}";
}
