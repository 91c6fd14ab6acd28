namespace ModernAuth.Mail;

/// <summary>
/// Options of <see cref="WorkloadIdentityTokenProvider"/>. Like Azure.Identity's <c>WorkloadIdentityCredentialOptions</c>,
/// each unset value comes from the environment the Azure Workload Identity webhook sets in a Kubernetes pod:
/// <c>AZURE_TENANT_ID</c>, <c>AZURE_CLIENT_ID</c> and <c>AZURE_FEDERATED_TOKEN_FILE</c>. Every other default is documented
/// on <see cref="MailTokenProviderOptions"/>.
/// </summary>
public class WorkloadIdentityTokenProviderOptions : MailTokenProviderOptions
{
    /// <summary>The tenant id (GUID) or a verified domain of the application. Default <see langword="null"/>: <c>AZURE_TENANT_ID</c>.</summary>
    public string? TenantId { get; set; }

    /// <summary>
    /// The client id of the app registration (or user-assigned managed identity) that holds the federated identity
    /// credential. Default <see langword="null"/>: <c>AZURE_CLIENT_ID</c>.
    /// </summary>
    public string? ClientId { get; set; }

    /// <summary>
    /// The file that holds the workload's token (the Kubernetes projected service account token). It is read again for
    /// every token request, so a rotated token is used as soon as it is written. Default <see langword="null"/>:
    /// <c>AZURE_FEDERATED_TOKEN_FILE</c>, unless <see cref="TokenCallback"/> is set.
    /// </summary>
    public string? TokenFilePath { get; set; }

    /// <summary>
    /// Gets the workload's token from elsewhere (GitHub Actions' OIDC endpoint, another identity provider), called for
    /// every token request: return a token that is valid now. Default <see langword="null"/>: read <see cref="TokenFilePath"/>.
    /// Give this or a token file, not both.
    /// </summary>
    public Func<CancellationToken, Task<string>>? TokenCallback { get; set; }
}
