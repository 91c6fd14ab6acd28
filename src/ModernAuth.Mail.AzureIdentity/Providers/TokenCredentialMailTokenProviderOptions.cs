namespace ModernAuth.Mail.AzureIdentity;

/// <summary>Options of <see cref="TokenCredentialMailTokenProvider"/>.</summary>
public class TokenCredentialMailTokenProviderOptions : CachedMailTokenProviderOptions
{
    /// <summary>
    /// Whether the credential acts as an application (a service principal or managed identity: client secret, certificate,
    /// <c>ManagedIdentityCredential</c>, <c>WorkloadIdentityCredential</c>, and <c>DefaultAzureCredential</c> in Azure).
    /// Then one token serves every mailbox, XOAUTH2 names the mailbox and EWS impersonates it. Set it to
    /// <see langword="false"/> for a credential that signs a user in (<c>InteractiveBrowserCredential</c>,
    /// <c>AzureCliCredential</c> on a developer's machine): the token's user is then the mailbox. Default
    /// <see langword="true"/>. Either way the credential is asked for the resource's <c>/.default</c> scope.
    /// </summary>
    public bool IsAppOnly { get; set; } = true;

    /// <summary>
    /// The tenant to ask the credential for (<c>TokenRequestContext.TenantId</c>), for a multi-tenant credential whose
    /// mailboxes live in another tenant it is allowed into. Default <see langword="null"/>: the credential's own tenant.
    /// </summary>
    public string? TenantId { get; set; }
}
