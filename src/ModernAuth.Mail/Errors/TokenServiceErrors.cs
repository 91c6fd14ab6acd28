using System.Globalization;
using System.Text.RegularExpressions;

namespace ModernAuth.Mail;

/// <summary>
/// The catalog of Microsoft Entra ID (<c>AADSTS</c>) errors this library explains. Diagnostics
/// (<c>explain</c>) and the flows' exception mapping both read it, so a code is explained the same way
/// everywhere.
/// </summary>
internal static class TokenServiceErrors
{
    /// <summary>AADSTS53003: access blocked by Conditional Access (also what a policy that blocks the device code flow returns).</summary>
    public const int ConditionalAccessBlockedCode = 53003;

    private static readonly Regex AadstsPattern = new(@"AADSTS(\d{5,7})", RegexOptions.CultureInvariant, TimeSpan.FromMilliseconds(200));

    public static IReadOnlyList<TokenServiceError> All { get; } = new[]
    {
        new TokenServiceError(new[] { 7000215 }, MailErrorCodes.InvalidClientSecret,
            "The client secret is wrong or has expired.",
            "Create a new client secret for the app registration {clientId} (Entra admin center > App registrations > Certificates & secrets > New client secret) and configure its Value, not its Secret ID."),
        new TokenServiceError(new[] { 7000222 }, MailErrorCodes.InvalidClientSecret,
            "The client secret has expired.",
            "Create a new client secret for the app registration {clientId} (Certificates & secrets > New client secret), configure its Value, and delete the expired one."),
        new TokenServiceError(new[] { 700027, 700023, 50012, 700024 }, MailErrorCodes.InvalidClientCertificate,
            "The token service rejected the certificate assertion (unknown certificate, bad signature, or a time outside the certificate's validity).",
            "Upload the certificate's public part (.cer) to the app registration {clientId} (Certificates & secrets > Certificates), check the thumbprint matches the private key the app uses, that the certificate has not expired, and that this machine's clock is right. For subject name/issuer authentication, set SendX5C and add trustedCertificateSubjects to the app manifest."),
        new TokenServiceError(new[] { 700016 }, MailErrorCodes.ApplicationNotFound,
            "The application (client id) was not found in the tenant.",
            "Check the client id {clientId} and tenant {tenantId}: the id is the app registration's Application (client) ID. A multi-tenant app must be consented to in tenant {tenantId} first: https://login.microsoftonline.com/{tenantId}/adminconsent?client_id={clientId}"),
        new TokenServiceError(new[] { 90002, 90023, 900023, 90033 }, MailErrorCodes.TenantNotFound,
            "The tenant was not found (in this cloud).",
            "Check the tenant id or domain {tenantId} (Entra admin center > Overview > Tenant ID) and the cloud: a GCC High or China tenant needs MailCloud.UsGovernmentHigh or MailCloud.China."),
        new TokenServiceError(new[] { 65001, 65004, 90094, 90008 }, MailErrorCodes.ConsentRequired,
            "The permission has not been consented to (by the user or an administrator).",
            "Grant admin consent: Entra admin center > App registrations > {clientId} > API permissions > Grant admin consent, or run `az ad app permission admin-consent --id {clientId}`; the Exchange permissions are under 'APIs my organization uses' > Office 365 Exchange Online."),
        new TokenServiceError(new[] { 50076, 50079 }, MailErrorCodes.MfaRequired,
            "Multi-factor authentication is required for this sign-in.",
            "Sign in with the device code flow and complete the MFA prompt; a Conditional Access policy may also require it. Password flows cannot do MFA."),
        new TokenServiceError(new[] { 70043, 700082, 50173, 700084, 70008, 50132, 54005 }, MailErrorCodes.RefreshTokenExpired,
            "The refresh token expired or was revoked (inactivity, a password change, or a sign-in frequency policy).",
            "Sign in again: delete the token cache file or run the device code sign-in again."),
        new TokenServiceError(new[] { 28000, 28003, 700022 }, MailErrorCodes.MixedResourceScopes,
            "One request asked for scopes of two different resources.",
            "Request the scopes of one resource at a time: Exchange scopes (https://outlook.office.com/...) and Microsoft Graph scopes cannot be mixed in one token request."),
        new TokenServiceError(new[] { 900144 }, MailErrorCodes.ScopeMissing,
            "A required parameter such as 'scope' was missing from the token request.",
            "Pass the protocol's scope: app-only 'https://outlook.office365.com/.default', delegated e.g. 'https://outlook.office.com/IMAP.AccessAsUser.All offline_access'."),
        new TokenServiceError(new[] { 70011, 1002012, 650053, 500011 }, MailErrorCodes.InvalidScope,
            "A requested scope is not valid for this flow or resource.",
            "Client credentials need '{resource}/.default'; delegated flows need the resource-prefixed scope (https://outlook.office.com/IMAP.AccessAsUser.All), never a bare 'IMAP.AccessAsUser.All' (that resolves to Microsoft Graph). If the resource is not found, add the Office 365 Exchange Online permission to the app registration."),
        new TokenServiceError(new[] { 7000218, 700025 }, MailErrorCodes.InvalidConfiguration,
            "The app registration and the flow do not match (a confidential client used without a credential, or a public client sent one).",
            "For device code, set 'Allow public client flows' to Yes in the app registration {clientId} (Authentication > Advanced settings); for app-only flows, configure a client secret or certificate."),
        new TokenServiceError(new[] { 70000, 70002, 7000112, 700009 }, MailErrorCodes.InvalidConfiguration,
            "The token service refused the grant or the client (disabled application, wrong client type, or invalid grant).",
            "Check the app registration {clientId} is enabled and is the right kind for this flow (public client flows on for device code; a credential for app-only)."),
        new TokenServiceError(new[] { 50020, 50034, 50053, 50057, 50055, 50126 }, MailErrorCodes.InteractionRequired,
            "The account cannot sign in as it is (unknown user, locked, disabled or password expired).",
            "Sign in with the device code flow in a browser to see and fix the account's problem, or ask an administrator."),
        new TokenServiceError(new[] { ConditionalAccessBlockedCode, 53000, 53001, 530032 }, MailErrorCodes.ConditionalAccessBlocked,
            "A Conditional Access policy blocked the sign-in (a blocked flow such as device code, or a device, location or app condition).",
            "If the device code flow was blocked, use Flow=InteractiveBrowser (the user signs in in a browser on this machine); for a service, use an app-only flow (ClientCertificate, ClientSecret, or a managed or workload identity). Otherwise ask an administrator to read the sign-in log (Entra admin center > Sign-in logs, client {clientId}) for the policy that applied. docs/choosing-a-flow.md says which flow fits."),
        new TokenServiceError(new[] { 50158 }, MailErrorCodes.ConditionalAccessBlocked,
            "A Conditional Access policy requires an external security challenge (a custom control or external authentication method) that was not satisfied.",
            "Sign in interactively with Flow=InteractiveBrowser so the challenge can be completed in the browser; a device code or silent sign-in cannot satisfy it. For a service, use an app-only flow."),
        new TokenServiceError(new[] { 70016 }, MailErrorCodes.InteractionRequired,
            "The device code sign-in is still pending.",
            "Open the verification URL and enter the code."),
        new TokenServiceError(new[] { 70019 }, MailErrorCodes.DeviceCodeExpired,
            "The device code expired before the sign-in completed.",
            "Run the sign-in again and enter the new code within its lifetime (usually 15 minutes)."),
        new TokenServiceError(new[] { 50196, 50197 }, MailErrorCodes.TokenServiceThrottled,
            "The token service detected a request loop and throttled the client.",
            "Cache tokens instead of requesting one per operation (the providers of this library do); wait a minute and try again.", isRetryable: true),
        new TokenServiceError(new[] { 90035, 50001 }, MailErrorCodes.InvalidScope,
            "The requested resource is not known in this tenant or cloud.",
            "Check the cloud: Exchange in GCC High is https://outlook.office365.us, in China https://partner.outlook.cn."),
        new TokenServiceError(new[] { 700211, 700212, 700213, 70021, 7002137, 7002138 }, MailErrorCodes.FederatedCredentialMismatch,
            "No federated identity credential of the application matches the presented token's issuer, subject and audience.",
            "Compare the token the workload presents with the federated credentials of {clientId} (Entra admin center > App registrations or the user-assigned managed identity > Certificates & secrets > Federated credentials): the issuer must match exactly (trailing slash included), the subject exactly and case-sensitively (Kubernetes: system:serviceaccount:<namespace>:<service account>; GitHub Actions: repo:<owner>/<repo>:environment:<name> or :ref:refs/heads/<branch>), and the audience must be api://AzureADTokenExchange. Running in Azure, a managed identity (Flow ManagedIdentity) needs no federation at all."),
    };

    /// <summary>Finds the first AADSTS number in <paramref name="text"/> (a token-service error description).</summary>
    public static bool TryParseAadsts(string? text, out int code)
    {
        code = 0;
        if (string.IsNullOrEmpty(text))
        {
            return false;
        }

        try
        {
            var match = AadstsPattern.Match(text);
            return match.Success && int.TryParse(match.Groups[1].Value, NumberStyles.None, CultureInfo.InvariantCulture, out code);
        }
        catch (RegexMatchTimeoutException)
        {
            return false;
        }
    }

    /// <summary>The entry explaining <paramref name="aadstsCode"/>, if the catalog has one.</summary>
    public static TokenServiceError? Find(int aadstsCode)
    {
        foreach (var entry in All)
        {
            if (Array.IndexOf(entry.AadstsCodes, aadstsCode) >= 0)
            {
                return entry;
            }
        }

        return null;
    }

    /// <summary>Fills the <c>{clientId}</c>, <c>{tenantId}</c> and <c>{resource}</c> placeholders of a remedy.</summary>
    public static string FillRemedy(string remedy, string? clientId, string? tenantId, string? resource = null) =>
        remedy.Replace("{clientId}", string.IsNullOrEmpty(clientId) ? "<client id>" : clientId)
              .Replace("{tenantId}", string.IsNullOrEmpty(tenantId) ? "<tenant id>" : tenantId)
              .Replace("{resource}", string.IsNullOrEmpty(resource) ? "https://outlook.office365.com" : resource);
}
