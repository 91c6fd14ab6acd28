namespace ModernAuth.Mail.Testing;

/// <summary>A device code the fake issued, passed to <see cref="FakeEntraId.DeviceCodeIssued"/>.</summary>
public sealed class FakeDeviceCode
{
    internal FakeDeviceCode(string tenantId, string clientId, string userCode, string scope, DateTimeOffset expiresOn)
    {
        TenantId = tenantId;
        ClientId = clientId;
        UserCode = userCode;
        Scope = scope;
        ExpiresOn = expiresOn;
    }

    /// <summary>The tenant of the request path, for example <c>organizations</c> or a tenant id.</summary>
    public string TenantId { get; }

    /// <summary>The client id that asked for the code.</summary>
    public string ClientId { get; }

    /// <summary>The code a user would type at the verification page.</summary>
    public string UserCode { get; }

    /// <summary>The scopes asked for, as sent (space separated).</summary>
    public string Scope { get; }

    /// <summary>When the code expires, by the fake's clock.</summary>
    public DateTimeOffset ExpiresOn { get; }

    /// <inheritdoc/>
    public override string ToString() => $"{UserCode} for {ClientId} in {TenantId}";
}
