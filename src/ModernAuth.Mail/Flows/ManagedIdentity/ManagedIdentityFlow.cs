using Microsoft.Identity.Client;
using Microsoft.Identity.Client.AppConfig;

namespace ModernAuth.Mail.Internal;

/// <summary>
/// App-only tokens for the Azure resource's managed identity through MSAL's <see cref="ManagedIdentityApplication"/>.
/// MSAL picks the endpoint from the environment on each call (App Service / Functions: <c>IDENTITY_ENDPOINT</c> +
/// <c>IDENTITY_HEADER</c>; Service Fabric: those + <c>IDENTITY_SERVER_THUMBPRINT</c>; Cloud Shell: <c>MSI_ENDPOINT</c>;
/// Azure Arc: <c>IDENTITY_ENDPOINT</c> + <c>IMDS_ENDPOINT</c> or the agent on disk; otherwise IMDS at 169.254.169.254,
/// or <c>AZURE_POD_IDENTITY_AUTHORITY_HOST</c>) and keeps its tokens in its own in-memory cache, which the gate sits over.
/// </summary>
internal sealed class ManagedIdentityFlow : MsalFlow
{
    /// <summary>What names the system-assigned identity in logs and errors.</summary>
    public const string SystemAssignedId = "system-assigned";

    private readonly IManagedIdentityApplication _application;

    public ManagedIdentityFlow(ManagedIdentityTokenProviderOptions options, string loggerCategory)
        : base(options, IdentityName(options), "managed-identity", appOnly: true, loggerCategory, usesCacheStore: false)
    {
        var id = !string.IsNullOrWhiteSpace(options.ClientId) ? ManagedIdentityId.WithUserAssignedClientId(options.ClientId!.Trim())
            : !string.IsNullOrWhiteSpace(options.ResourceId) ? ManagedIdentityId.WithUserAssignedResourceId(options.ResourceId!.Trim())
            : ManagedIdentityId.SystemAssigned;

        // Built at once: it only holds settings; the endpoint is chosen and asked on the first token request.
        _application = ConfigureTransportAndLogging(ManagedIdentityApplicationBuilder.Create(id)).Build();
    }

    /// <summary>The identity as configured: a user-assigned client id or resource id, or <see cref="SystemAssignedId"/>.</summary>
    public string Identity => ClientId;

    /// <summary>The resource a managed identity asks for: the protocol's app-only scope without <c>/.default</c>.</summary>
    public string ResourceFor(MailProtocol protocol)
    {
        var scope = ScopesFor(protocol)[0];
        const string Suffix = "/.default";
        return scope.EndsWith(Suffix, StringComparison.Ordinal) ? scope.Substring(0, scope.Length - Suffix.Length) : scope;
    }

    protected override async Task<(AuthenticationResult Result, string? Account)> AcquireCoreAsync(MailTokenRequest request, bool forceRefresh, CancellationToken cancellationToken)
    {
        var result = await _application.AcquireTokenForManagedIdentity(ResourceFor(request.Protocol))
            .WithForceRefresh(forceRefresh)
            .ExecuteAsync(cancellationToken)
            .ConfigureAwait(false);

        // Like any app-only token it names no account: the gate gives it the mailbox of each request.
        return (result, null);
    }

    private static string IdentityName(ManagedIdentityTokenProviderOptions options) =>
        !string.IsNullOrWhiteSpace(options.ClientId) ? options.ClientId!.Trim()
        : !string.IsNullOrWhiteSpace(options.ResourceId) ? options.ResourceId!.Trim()
        : SystemAssignedId;
}
