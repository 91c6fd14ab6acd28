namespace ModernAuth.Mail.Diagnostics;

/// <summary>
/// The stable codes of <see cref="MailFinding.Code"/> and <see cref="MailResponseExplanation.Code"/>. A code never
/// changes meaning; <c>docs/troubleshooting.md</c> explains each one with its fix. Token-service errors
/// (<c>AADSTS...</c>) use the codes of <see cref="MailErrorCodes"/> instead, so a flow's exception and an explained
/// error description agree.
/// </summary>
public static class MailFindingCodes
{
    // ---- The token's shape ----

    /// <summary>No token was given (null, empty or only white space).</summary>
    public const string TokenEmpty = "token_empty";

    /// <summary>The input is not a readable token: truncated, not base64url, not JSON, or not three parts.</summary>
    public const string TokenMalformed = "token_malformed";

    /// <summary>The input is far larger than any access token; it was not decoded.</summary>
    public const string TokenTooLarge = "token_too_large";

    /// <summary>The JWT has no signature or says <c>"alg": "none"</c>: no server accepts it.</summary>
    public const string TokenUnsigned = "token_unsigned";

    /// <summary>The token is not a JWT (a personal-account token, or an encrypted one). Normal; never an error.</summary>
    public const string OpaqueToken = "opaque_token";

    /// <summary>Reminder: Microsoft does not promise that tokens for its APIs are readable; decoding is for diagnostics only.</summary>
    public const string DecodingForDiagnosticsOnly = "decoding_for_diagnostics_only";

    /// <summary>Whether the token is a v1.0 or a v2.0 token, and which claims that implies.</summary>
    public const string TokenVersion = "token_version";

    // ---- What the token is for ----

    /// <summary>The token's audience (<c>aud</c>) is not Exchange Online (for example Microsoft Graph).</summary>
    public const string WrongAudience = "wrong_audience";

    /// <summary>
    /// The audience is <c>https://ps.outlook.com</c>, another identifier of Exchange Online that MailKit's guide requests for
    /// app-only IMAP and POP: information for IMAP and POP, a warning for SMTP and EWS, where it is not documented.
    /// </summary>
    public const string ExchangeAudienceAlias = "exchange_audience_alias";

    /// <summary>A delegated token's <c>scp</c> lacks the protocol's scope (for example <c>IMAP.AccessAsUser.All</c>).</summary>
    public const string MissingScope = "missing_scope";

    /// <summary>An app-only token's <c>roles</c> lack the protocol's role (for example <c>IMAP.AccessAsApp</c>).</summary>
    public const string MissingRole = "missing_role";

    /// <summary>An app-only token has no <c>roles</c> at all: admin consent was not granted.</summary>
    public const string NoRoles = "no_roles";

    /// <summary>A delegated token where an app-only one was expected, or the other way round.</summary>
    public const string TokenTypeMismatch = "token_type_mismatch";

    /// <summary>A delegated token's user is not the mailbox being opened.</summary>
    public const string MailboxMismatch = "mailbox_mismatch";

    /// <summary>The token's tenant (<c>tid</c>) is not the configured one.</summary>
    public const string TenantMismatch = "tenant_mismatch";

    /// <summary>The token was issued to another application (<c>appid</c> / <c>azp</c>) than the configured client id.</summary>
    public const string ClientIdMismatch = "client_id_mismatch";

    /// <summary>
    /// A server refused an app-only token that has nothing wrong with it, also after a fresh one: the principal may not
    /// open the mailbox in <c>user=</c> (a mailbox outside the token's tenant, a typo, no Exchange service principal or
    /// no permission on it). Reported by the MailKit adapter.
    /// </summary>
    public const string MailboxRefused = "mailbox_refused";

    /// <summary>App-only access also needs setup on the Exchange side: a service principal and mailbox permissions.</summary>
    public const string AppOnlyExchangeSetup = "app_only_exchange_setup";

    /// <summary>
    /// The token is a managed identity's (<c>xms_mirid</c>, <c>idtyp</c> <c>app</c>): an app-only principal whose Exchange
    /// application roles can only be granted with Microsoft Graph.
    /// </summary>
    public const string ManagedIdentityToken = "managed_identity_token";

    // ---- Time ----

    /// <summary>The token has expired (<c>exp</c>), beyond the allowed clock skew.</summary>
    public const string TokenExpired = "token_expired";

    /// <summary>The token is not valid yet (<c>nbf</c>), beyond the allowed clock skew: a clock is wrong.</summary>
    public const string TokenNotYetValid = "token_not_yet_valid";

    /// <summary>The token expires within five minutes; a new one should be requested.</summary>
    public const string TokenExpiresSoon = "token_expires_soon";

    // ---- Claims ----

    /// <summary>A claim every Exchange token carries (<c>aud</c>, <c>exp</c>, <c>tid</c>, <c>iss</c>) is missing.</summary>
    public const string ClaimMissing = "claim_missing";

    /// <summary>A known claim has the wrong JSON type (for example <c>exp</c> as text) and was ignored.</summary>
    public const string ClaimInvalid = "claim_invalid";

    // ---- Signature validation ----

    /// <summary>The signature verifies with the issuer's published key.</summary>
    public const string SignatureValid = "signature_valid";

    /// <summary>The signature does not verify: the token was altered, or signed by someone else.</summary>
    public const string SignatureInvalid = "signature_invalid";

    /// <summary>No published key has the token's key id (<c>kid</c>).</summary>
    public const string SigningKeyNotFound = "signing_key_not_found";

    /// <summary>The token's issuer (<c>iss</c>) is not the authority's issuer.</summary>
    public const string IssuerMismatch = "issuer_mismatch";

    /// <summary>The authority's OpenID Connect metadata or keys could not be fetched or read.</summary>
    public const string MetadataUnavailable = "metadata_unavailable";

    // ---- Exchange Online replies ----

    /// <summary>IMAP <c>NO AUTHENTICATE failed.</c>: Exchange rejected the token.</summary>
    public const string ImapAuthenticateFailed = "imap_authenticate_failed";

    /// <summary>IMAP <c>NO LOGIN failed.</c>: a password (LOGIN) was used where only OAuth works.</summary>
    public const string ImapLoginFailed = "imap_login_failed";

    /// <summary>IMAP <c>BAD User is authenticated but not connected.</c>: the principal has no access to that mailbox.</summary>
    public const string ImapNotConnected = "imap_not_connected";

    /// <summary>IMAP <c>BAD Request is throttled. Suggested Backoff Time: N milliseconds</c>.</summary>
    public const string ImapThrottled = "imap_throttled";

    /// <summary>POP <c>-ERR Authentication failure: unknown user name or bad password.</c></summary>
    public const string PopAuthenticationFailure = "pop_authentication_failure";

    /// <summary>SMTP <c>535 5.7.3 Authentication unsuccessful</c>: Exchange rejected the token.</summary>
    public const string SmtpAuthenticationUnsuccessful = "smtp_authentication_unsuccessful";

    /// <summary>SMTP <c>535 5.7.139 ... SmtpClientAuthentication is disabled ...</c>: SMTP AUTH is off for the tenant or mailbox.</summary>
    public const string SmtpAuthDisabled = "smtp_auth_disabled";

    /// <summary>SMTP <c>535 5.7.139 ... security defaults policy.</c></summary>
    public const string SmtpSecurityDefaults = "smtp_security_defaults";

    /// <summary>SMTP <c>535 5.7.139 ... did not meet the criteria ...</c>: Conditional Access or an authentication policy.</summary>
    public const string SmtpConditionalAccess = "smtp_conditional_access";

    /// <summary>SMTP <c>535 5.7.139 ... basic authentication is disabled.</c>: a password was used.</summary>
    public const string SmtpBasicAuthDisabled = "smtp_basic_auth_disabled";

    /// <summary>SMTP <c>535 5.7.139</c> with a reason this catalog does not know.</summary>
    public const string SmtpAuthBlocked = "smtp_auth_blocked";

    /// <summary>SMTP <c>530 5.7.57 Client not authenticated to send mail</c>.</summary>
    public const string SmtpNotAuthenticated = "smtp_not_authenticated";

    /// <summary>SMTP <c>550 5.7.30 Basic authentication is not supported for Client Submission.</c></summary>
    public const string SmtpBasicAuthRemoved = "smtp_basic_auth_removed";

    /// <summary>SMTP <c>554 5.2.0 STOREDRV.Submission.Exception:SendAsDeniedException</c>.</summary>
    public const string SmtpSendAsDenied = "smtp_send_as_denied";

    /// <summary>SMTP <c>430 4.2.0 STOREDRV; mailbox logon failure</c>.</summary>
    public const string SmtpMailboxLogonFailure = "smtp_mailbox_logon_failure";

    // ---- Dovecot and Postfix replies ----

    /// <summary>A SASL challenge with a JSON error (<c>{"status":"401",...}</c> or <c>{"status":"invalid_token"}</c>).</summary>
    public const string SaslOAuthErrorChallenge = "sasl_oauth_error_challenge";

    /// <summary>IMAP <c>NO [AUTHENTICATIONFAILED] Authentication failed.</c></summary>
    public const string ImapAuthRejected = "imap_auth_rejected";

    /// <summary>IMAP <c>NO [UNAVAILABLE] Temporary authentication failure.</c></summary>
    public const string ImapAuthUnavailable = "imap_auth_unavailable";

    /// <summary>POP <c>-ERR [AUTH] Authentication failed.</c></summary>
    public const string PopAuthRejected = "pop_auth_rejected";

    /// <summary>POP <c>-ERR [SYS/TEMP] ...</c>: a temporary failure on the server.</summary>
    public const string PopAuthUnavailable = "pop_auth_unavailable";

    /// <summary>SMTP <c>535 5.7.8 Error: authentication failed: ...</c> (Postfix).</summary>
    public const string SmtpAuthRejected = "smtp_auth_rejected";

    // ---- Microsoft Graph replies ----

    /// <summary>Graph <c>403 ErrorAccessDenied</c> "Access to OData is disabled": an application access policy or RBAC for Applications scope excludes the mailbox.</summary>
    public const string GraphAccessPolicyDenied = "graph_access_policy_denied";

    /// <summary>Graph <c>403 ErrorAccessDenied</c> "Access is denied": the token lacks the role or scope the operation needs.</summary>
    public const string GraphAccessDenied = "graph_access_denied";

    /// <summary>Graph <c>MailboxNotEnabledForRESTAPI</c>: the mailbox is inactive, soft-deleted, unlicensed or on-premises.</summary>
    public const string GraphMailboxNotEnabledForRest = "graph_mailbox_not_enabled_for_rest";

    /// <summary>Graph <c>404 ErrorInvalidUser</c>: no mailbox with that id or address in the tenant (or a personal account addressed app-only).</summary>
    public const string GraphInvalidUser = "graph_invalid_user";

    /// <summary>Graph <c>403 Authorization_RequestDenied</c>: a directory call without a directory permission.</summary>
    public const string GraphAuthorizationRequestDenied = "graph_authorization_request_denied";

    /// <summary>Graph <c>429 ApplicationThrottled</c>: too many requests or concurrent requests for this mailbox and application. Retryable.</summary>
    public const string GraphThrottled = "graph_throttled";

    /// <summary>Graph <c>413</c> or <c>ErrorMessageSizeExceeded</c>: the request or the message is too large.</summary>
    public const string GraphMessageTooLarge = "graph_message_too_large";

    /// <summary>Graph <c>401 InvalidAuthenticationToken</c>: the token is missing, expired, or for another resource.</summary>
    public const string GraphInvalidToken = "graph_invalid_token";

    /// <summary>Graph <c>404 ErrorItemNotFound</c>: the message or folder does not exist (any more) in this mailbox.</summary>
    public const string GraphItemNotFound = "graph_item_not_found";

    /// <summary>Graph rejected a delta (sync) state: start the sync again without one.</summary>
    public const string GraphSyncStateInvalid = "graph_sync_state_invalid";

    /// <summary>Graph or the mailbox behind it is busy or unavailable (<c>503</c>, <c>504</c>, <c>ErrorServerBusy</c>). Retryable.</summary>
    public const string GraphServiceUnavailable = "graph_service_unavailable";

    /// <summary>A Graph error with a code this catalog does not describe.</summary>
    public const string GraphError = "graph_error";

    // ---- Anything else ----

    /// <summary>The text matched nothing in the catalog.</summary>
    public const string Unrecognised = "unrecognised";
}
