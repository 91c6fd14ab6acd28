namespace ModernAuth.Mail;

/// <summary>
/// The stable error codes of <see cref="MailAuthenticationException.ErrorCode"/>. They never change meaning;
/// <c>docs/troubleshooting.md</c> lists each with its fix.
/// </summary>
public static class MailErrorCodes
{
    /// <summary>Nothing more specific is known.</summary>
    public const string Unknown = "unknown";

    /// <summary>The options are incomplete or invalid (a missing client id, a tenant where none fits, ...).</summary>
    public const string InvalidConfiguration = "invalid_configuration";

    /// <summary>AADSTS7000215: the client secret is wrong or expired.</summary>
    public const string InvalidClientSecret = "invalid_client_secret";

    /// <summary>AADSTS700027 and friends: the certificate assertion was rejected.</summary>
    public const string InvalidClientCertificate = "invalid_client_certificate";

    /// <summary>The certificate could not be loaded (missing file, wrong password, no private key, not in the store).</summary>
    public const string CertificateUnavailable = "certificate_unavailable";

    /// <summary>AADSTS700016: the application (client id) is not known in the tenant.</summary>
    public const string ApplicationNotFound = "application_not_found";

    /// <summary>AADSTS90002 and friends: the tenant does not exist (in this cloud).</summary>
    public const string TenantNotFound = "tenant_not_found";

    /// <summary>AADSTS65001: the permission has not been consented to.</summary>
    public const string ConsentRequired = "consent_required";

    /// <summary>AADSTS50076 / AADSTS50079: multi-factor authentication is required.</summary>
    public const string MfaRequired = "mfa_required";

    /// <summary>AADSTS70043 / AADSTS700082 and friends: the refresh token expired or was revoked; sign in again.</summary>
    public const string RefreshTokenExpired = "refresh_token_expired";

    /// <summary>AADSTS28000 / AADSTS700022: one request mixed scopes of two resources.</summary>
    public const string MixedResourceScopes = "mixed_resource_scopes";

    /// <summary>AADSTS900144: a required parameter such as <c>scope</c> was missing.</summary>
    public const string ScopeMissing = "scope_missing";

    /// <summary>AADSTS70011 and friends: a scope is invalid for this flow or resource.</summary>
    public const string InvalidScope = "invalid_scope";

    /// <summary>The user declined the device-code sign-in.</summary>
    public const string DeviceCodeDeclined = "device_code_declined";

    /// <summary>The device code expired before the user signed in.</summary>
    public const string DeviceCodeExpired = "device_code_expired";

    /// <summary>A user must sign in interactively and this flow cannot show a prompt.</summary>
    public const string InteractionRequired = "interaction_required";

    /// <summary>The account or flow is not supported here (for example app-only access for personal accounts).</summary>
    public const string NotSupported = "not_supported";

    /// <summary>The token service answered with a server error (HTTP 5xx). Retryable.</summary>
    public const string TokenServiceUnavailable = "token_service_unavailable";

    /// <summary>The token service did not answer in time. Retryable.</summary>
    public const string TokenServiceTimeout = "token_service_timeout";

    /// <summary>The token service could not be reached (DNS, TCP, TLS). Retryable.</summary>
    public const string TokenServiceUnreachable = "token_service_unreachable";

    /// <summary>The token service throttled the client (HTTP 429). Retryable.</summary>
    public const string TokenServiceThrottled = "token_service_throttled";

    /// <summary>The token service returned an error with no more specific code here.</summary>
    public const string TokenServiceError = "token_service_error";

    /// <summary>The token cache file could not be read or written.</summary>
    public const string TokenCacheUnavailable = "token_cache_unavailable";

    /// <summary>
    /// The user closed or declined the browser sign-in (<c>authentication_canceled</c>, <c>access_denied</c>). Not retryable
    /// without the user: sign in again and accept.
    /// </summary>
    public const string SignInCanceled = "sign_in_canceled";

    /// <summary>The browser sign-in did not come back within the sign-in timeout. Not retryable without the user.</summary>
    public const string SignInTimedOut = "sign_in_timed_out";

    /// <summary>
    /// No browser could be started for an interactive sign-in (a server, a container, SSH without a desktop): use the
    /// device code flow or a custom web UI.
    /// </summary>
    public const string BrowserUnavailable = "browser_unavailable";

    /// <summary>
    /// A Conditional Access policy blocked the sign-in or the flow (AADSTS53003 and friends), for example a tenant that
    /// blocks the device code flow: the remedy names the flow to use instead.
    /// </summary>
    public const string ConditionalAccessBlocked = "conditional_access_blocked";

    /// <summary>
    /// The managed identity endpoint (IMDS on a VM, or the App Service / Functions, Azure Arc or Cloud Shell endpoint)
    /// could not be reached: the code is not running in Azure, or the endpoint is down. Not retryable as such: outside
    /// Azure use a workload identity or a certificate instead.
    /// </summary>
    public const string ManagedIdentityUnavailable = "managed_identity_unavailable";

    /// <summary>The managed identity endpoint answered, but the requested identity is not assigned to this Azure resource.</summary>
    public const string ManagedIdentityNotAssigned = "managed_identity_not_assigned";

    /// <summary>
    /// AADSTS700211 / AADSTS700212 / AADSTS700213 / AADSTS70021: no federated identity credential of the application
    /// matches the issuer, subject and audience of the presented token.
    /// </summary>
    public const string FederatedCredentialMismatch = "federated_credential_mismatch";

    /// <summary>AADSTS700024 with a federated token: the workload's token expired before it was exchanged (it was not rotated).</summary>
    public const string FederatedTokenExpired = "federated_token_expired";

    /// <summary>The workload's federated token could not be had: the token file is missing, unreadable or empty, or the callback failed.</summary>
    public const string FederatedTokenUnavailable = "federated_token_unavailable";
}
