namespace ModernAuth.Mail.Testing;

/// <summary>
/// A managed identity assigned to the Azure resource a <see cref="FakeEntraId"/> plays the managed identity endpoint of
/// (IMDS and App Service shapes), created by <see cref="FakeEntraId.AddSystemAssignedIdentity"/> or
/// <see cref="FakeEntraId.AddUserAssignedIdentity"/>. Its tokens are app-only tokens like Entra ID's for a managed
/// identity: <c>idtyp</c> <c>app</c>, <c>appid</c> its client id, <c>oid</c>/<c>sub</c> its object id, <c>xms_mirid</c>
/// its resource id, and the app roles granted to it.
/// </summary>
public sealed class FakeManagedIdentity
{
    private readonly object _gate = new();
    private string[] _appRoles = [.. FakeApplication.DefaultAppRoles];

    internal FakeManagedIdentity(string tenantId, string clientId, string objectId, string resourceId, bool isSystemAssigned)
    {
        TenantId = tenantId;
        ClientId = clientId;
        ObjectId = objectId;
        ResourceId = resourceId;
        IsSystemAssigned = isSystemAssigned;
    }

    /// <summary>The tenant of the identity (the <c>tid</c> of its tokens).</summary>
    public string TenantId { get; }

    /// <summary>The identity's client (application) id: <c>appid</c> in its tokens, what a user-assigned identity is chosen by.</summary>
    public string ClientId { get; }

    /// <summary>The object id of the identity's service principal: <c>oid</c> and <c>sub</c>, what Exchange's <c>New-ServicePrincipal -ObjectId</c> takes.</summary>
    public string ObjectId { get; }

    /// <summary>
    /// The Azure resource id: for a user-assigned identity the identity's own
    /// (<c>.../providers/Microsoft.ManagedIdentity/userAssignedIdentities/{name}</c>), for the system-assigned one the
    /// resource it belongs to (a VM). The <c>xms_mirid</c> claim.
    /// </summary>
    public string ResourceId { get; }

    /// <summary>Whether this is the resource's system-assigned identity.</summary>
    public bool IsSystemAssigned { get; }

    /// <summary>The app roles granted to the identity's service principal. Default <see cref="FakeApplication.DefaultAppRoles"/>.</summary>
    public IReadOnlyList<string> AppRoles
    {
        get
        {
            lock (_gate)
            {
                return _appRoles;
            }
        }
    }

    /// <summary>Replaces the app roles granted to the identity (as <c>New-MgServicePrincipalAppRoleAssignment</c> does for a real one).</summary>
    /// <param name="roles">The roles, for example <c>SMTP.SendAsApp</c>.</param>
    /// <returns>This identity.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="roles"/> is <see langword="null"/>.</exception>
    public FakeManagedIdentity WithAppRoles(params string[] roles)
    {
        ArgumentNullException.ThrowIfNull(roles);
        var copy = roles.ToArray();
        lock (_gate)
        {
            _appRoles = copy;
        }

        return this;
    }

    /// <inheritdoc/>
    public override string ToString() => IsSystemAssigned ? $"system-assigned {ClientId} in {TenantId}" : $"user-assigned {ClientId} in {TenantId}";
}
