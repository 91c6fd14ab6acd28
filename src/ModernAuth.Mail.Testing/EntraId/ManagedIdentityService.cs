using System.Globalization;

namespace ModernAuth.Mail.Testing.Internal;

/// <summary>
/// The managed identity endpoints of an Azure resource, in the shapes MSAL calls: IMDS
/// (<c>GET /metadata/identity/oauth2/token?api-version=2018-02-01&amp;resource=...</c>, header <c>Metadata: true</c>,
/// user-assigned by <c>client_id</c>, <c>msi_res_id</c>/<c>mi_res_id</c> or <c>object_id</c>) and App Service / Functions
/// (<c>GET {IDENTITY_ENDPOINT}?api-version=2019-08-01&amp;resource=...</c>, header <c>X-IDENTITY-HEADER</c>, user-assigned by
/// <c>client_id</c>, <c>mi_res_id</c> or <c>principal_id</c>/<c>object_id</c>). Answers and errors follow each endpoint's JSON.
/// </summary>
internal sealed class ManagedIdentityService
{
    public const string ImdsPath = "/metadata/identity/oauth2/token";
    public const string AppServicePath = "/msi/token";

    private readonly FakeEntraId _fake;
    private readonly object _gate = new();
    private readonly List<FakeManagedIdentity> _identities = [];

    public ManagedIdentityService(FakeEntraId fake) => _fake = fake;

    /// <summary>The value App Service puts in <c>IDENTITY_HEADER</c> and expects back in <c>X-IDENTITY-HEADER</c>.</summary>
    public string Secret { get; } = Guid.NewGuid().ToString("N");

    public bool IsDown { get; set; }

    public static bool IsManagedIdentityPath(string path)
    {
        var trimmed = path.TrimEnd('/');
        return string.Equals(trimmed, ImdsPath, StringComparison.OrdinalIgnoreCase) || string.Equals(trimmed, AppServicePath, StringComparison.OrdinalIgnoreCase);
    }

    public FakeManagedIdentity Add(string tenantId, string? name)
    {
        lock (_gate)
        {
            var system = name is null;
            if (system && _identities.Exists(i => i.IsSystemAssigned))
            {
                throw new InvalidOperationException("The resource already has its system-assigned identity.");
            }

            var subscription = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/mail-rg/providers/";
            var resourceId = system
                ? subscription + "Microsoft.Compute/virtualMachines/mail-vm"
                : subscription + "Microsoft.ManagedIdentity/userAssignedIdentities/" + name;
            var identity = new FakeManagedIdentity(tenantId, Guid.NewGuid().ToString(), Guid.NewGuid().ToString(), resourceId, system);
            _identities.Add(identity);
            return identity;
        }
    }

    public EntraHttpResponse Handle(EntraHttpRequest request)
    {
        if (IsDown)
        {
            return EntraHttpResponse.Unreachable;
        }

        var imds = string.Equals(request.Url.AbsolutePath.TrimEnd('/'), ImdsPath, StringComparison.OrdinalIgnoreCase);
        if (!string.Equals(request.Method, "GET", StringComparison.OrdinalIgnoreCase))
        {
            return imds ? ImdsError(405, "invalid_request", "Method not allowed") : AppServiceError(405, "Method not allowed");
        }

        if (imds && !string.Equals(request.Header("Metadata"), "true", StringComparison.OrdinalIgnoreCase))
        {
            return ImdsError(400, "invalid_request", "Required metadata header not specified");
        }

        if (!imds && !string.Equals(request.Header("X-IDENTITY-HEADER"), Secret, StringComparison.Ordinal))
        {
            return AppServiceError(401, "The X-IDENTITY-HEADER is missing or does not match IDENTITY_HEADER.");
        }

        var expectedVersion = imds ? "2018-02-01" : "2019-08-01";
        if (request.Query("api-version") is not { } version || !string.Equals(version, expectedVersion, StringComparison.Ordinal))
        {
            return imds ? ImdsError(400, "invalid_request", "Required query variable 'api-version' is missing or not supported") : AppServiceError(400, "api-version is missing or not supported.");
        }

        if (request.Query("resource") is not { } resource)
        {
            return imds ? ImdsError(400, "invalid_request", "Required query variable 'resource' is missing") : AppServiceError(400, "resource is missing.");
        }

        var identity = Find(request);
        if (identity is null)
        {
            // What each endpoint really answers when the identity is not assigned to the resource.
            return imds ? ImdsError(400, "invalid_request", "Identity not found") : AppServiceError(400, "Unable to load the proper Managed Identity.");
        }

        if (!IsKnownResource(resource))
        {
            var text = string.Create(CultureInfo.InvariantCulture,
                $"AADSTS500011: The resource principal named {resource} was not found in the tenant named {identity.TenantId}. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You might have sent your authentication request to the wrong tenant.\r\nTrace ID: {Guid.NewGuid()}\r\nCorrelation ID: {Guid.NewGuid()}\r\nTimestamp: {TokenService.Timestamp(_fake.Now)}");
            return imds ? ImdsError(400, "invalid_resource", text) : AppServiceError(400, text);
        }

        var now = _fake.Now;
        var expires = now + _fake.AccessTokenLifetime;
        var roles = identity.AppRoles.Where(r => TokenService.RoleAppliesTo(r, resource.TrimEnd('/'))).Select(TokenService.PermissionName).ToArray();
        var descriptor = new FakeTokenDescriptor
        {
            Version = 1,
            TenantId = identity.TenantId,
            Audience = resource,
            AppId = identity.ClientId,
            ObjectId = identity.ObjectId,
            Subject = identity.ObjectId,
            Roles = roles.Length > 0 ? roles : null,
            IssuedAt = now,
            ExpiresAt = expires,
        };
        descriptor.ExtraClaims["appidacr"] = "2";
        descriptor.ExtraClaims["idp"] = _fake.V1Issuer(identity.TenantId);
        descriptor.ExtraClaims["idtyp"] = "app";
        descriptor.ExtraClaims["uti"] = TokenService.NewUti();
        descriptor.ExtraClaims["xms_mirid"] = identity.ResourceId;
        var token = _fake.MintAccessToken(descriptor);
        var seconds = ((long)_fake.AccessTokenLifetime.TotalSeconds).ToString(CultureInfo.InvariantCulture);
        var expiresOn = expires.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);

        // IMDS writes every value as a string; App Service gives fewer fields.
        List<KeyValuePair<string, object?>> body = imds
            ? [new("access_token", token), new("client_id", identity.ClientId), new("expires_in", seconds), new("expires_on", expiresOn), new("ext_expires_in", seconds),
               new("not_before", now.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture)), new("resource", resource), new("token_type", "Bearer")]
            : [new("access_token", token), new("expires_on", expiresOn), new("resource", resource), new("token_type", "Bearer"), new("client_id", identity.ClientId)];
        return new EntraHttpResponse(200, JsonValueWriter.ToJson(body));
    }

    private FakeManagedIdentity? Find(EntraHttpRequest request)
    {
        var clientId = request.Query("client_id");
        var resourceId = request.Query("msi_res_id") ?? request.Query("mi_res_id");
        var objectId = request.Query("object_id") ?? request.Query("principal_id");
        lock (_gate)
        {
            if (clientId is not null)
            {
                return _identities.Find(i => string.Equals(i.ClientId, clientId, StringComparison.OrdinalIgnoreCase));
            }

            if (resourceId is not null)
            {
                return _identities.Find(i => !i.IsSystemAssigned && string.Equals(i.ResourceId, resourceId, StringComparison.OrdinalIgnoreCase));
            }

            if (objectId is not null)
            {
                return _identities.Find(i => string.Equals(i.ObjectId, objectId, StringComparison.OrdinalIgnoreCase));
            }

            return _identities.Find(i => i.IsSystemAssigned);
        }
    }

    private static bool IsKnownResource(string resource)
    {
        var trimmed = resource.TrimEnd('/');
        static bool Same(string a, Uri b) => string.Equals(a, b.GetLeftPart(UriPartial.Authority), StringComparison.OrdinalIgnoreCase);
        return MailCloud.WellKnown.Any(c => Same(trimmed, c.ExchangeResource) || Same(trimmed, c.GraphResource) || Same(trimmed, c.DelegatedScopeResource)) ||
               string.Equals(trimmed, "https://ps.outlook.com", StringComparison.OrdinalIgnoreCase);
    }

    private static EntraHttpResponse ImdsError(int status, string error, string description) =>
        new(status, JsonValueWriter.ToJson([new("error", error), new("error_description", description)]));

    private static EntraHttpResponse AppServiceError(int status, string message) =>
        new(status, JsonValueWriter.ToJson([new("statusCode", status), new("message", message), new("correlationId", Guid.NewGuid().ToString())]));
}
