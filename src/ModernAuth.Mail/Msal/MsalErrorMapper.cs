using System.Net.Sockets;
using Microsoft.Identity.Client;

namespace ModernAuth.Mail.Internal;

/// <summary>Turns MSAL's and the network's failures into <see cref="MailAuthenticationException"/> with a code and a remedy.</summary>
internal static class MsalErrorMapper
{
    public static MailAuthenticationException Map(Exception error, MailProtocol protocol, string? clientId, string? tenantId, Uri authorityHost)
    {
        var resource = string.Empty;
        if (error is MsalException { ErrorCode: not null } managed && IsManagedIdentityError(managed))
        {
            return MapManagedIdentity(managed, protocol, clientId);
        }

        if (error is MsalServiceException service)
        {
            var description = FirstLine(service.Message);

            // MSAL's own codes for outcomes that are not AADSTS errors.
            switch (service.ErrorCode)
            {
                case "authorization_declined":
                    return Create(MailErrorCodes.DeviceCodeDeclined, "The user declined the device code sign-in.",
                        "Run the sign-in again and choose to continue, or sign in with another account.", false, error, protocol, description);
                case "expired_token" or "code_expired":
                    return Create(MailErrorCodes.DeviceCodeExpired, "The device code expired before the user signed in.",
                        "Run the sign-in again and enter the new code within its lifetime (usually 15 minutes).", false, error, protocol, description);
            }

            var hasAadsts = TokenServiceErrors.TryParseAadsts(service.Message, out var aadsts);
            var entry = hasAadsts ? TokenServiceErrors.Find(aadsts) : null;

            // The user declined in the browser (AADSTS65004 comes with it): that is a canceled sign-in, not missing consent;
            // a Conditional Access block also arrives as access_denied and keeps its own code.
            if (service.ErrorCode is "access_denied" or "authentication_canceled" && entry?.ErrorCode != MailErrorCodes.ConditionalAccessBlocked)
            {
                return SignInCanceled(error, protocol, description);
            }

            if (entry is not null)
            {
                return Create(entry.ErrorCode,
                    $"The token service at {authorityHost.Host} refused the request with AADSTS{aadsts}: {entry.Meaning}",
                    TokenServiceErrors.FillRemedy(entry.Remedy, clientId, tenantId, resource), entry.IsRetryable, error, protocol, description);
            }

            if (service is MsalUiRequiredException)
            {
                return Create(MailErrorCodes.InteractionRequired, "The cached sign-in can no longer be used silently; the user must sign in again.",
                    "Run the device code sign-in again (for example `modernauth-mail token --flow device-code`).", false, error, protocol, description);
            }

            var status = service.StatusCode;
            if (status == 429 || service.ErrorCode == "throttled_request")
            {
                return Create(MailErrorCodes.TokenServiceThrottled, $"The token service at {authorityHost.Host} throttled the request (HTTP 429).",
                    "Wait as long as the Retry-After header says and try again; cache tokens instead of requesting one per operation.", true, error, protocol, description);
            }

            if (status >= 500 || service.ErrorCode is "service_not_available" or "temporarily_unavailable")
            {
                return Create(MailErrorCodes.TokenServiceUnavailable, $"The token service at {authorityHost.Host} failed with HTTP {status}.",
                    "This is usually a passing outage: try again in a minute. Check https://status.cloud.microsoft if it persists.", true, error, protocol, description);
            }

            if (service.ErrorCode is "request_timeout" || FindInner<TaskCanceledException>(error) is not null || FindInner<TimeoutException>(error) is not null)
            {
                return Timeout(error, protocol, authorityHost);
            }

            if (aadsts != 0)
            {
                return Create(MailErrorCodes.TokenServiceError, $"The token service at {authorityHost.Host} refused the request with AADSTS{aadsts} ({service.ErrorCode}).",
                    $"Look the code up at https://login.microsoftonline.com/error?code={aadsts} and check the app registration {clientId ?? "<client id>"} in tenant {tenantId ?? "<tenant id>"}.", false, error, protocol, description);
            }

            if (FindInner<HttpRequestException>(error) is not null || FindInner<SocketException>(error) is not null)
            {
                return Unreachable(error, protocol, authorityHost);
            }

            return Create(MailErrorCodes.TokenServiceError, $"The token service at {authorityHost.Host} refused the request ({service.ErrorCode}, HTTP {status}).",
                "Check the client id, tenant and credential; the inner exception has MSAL's full answer.", false, error, protocol, description);
        }

        if (error is MsalClientException client)
        {
            switch (client.ErrorCode)
            {
                case "authentication_canceled" or "access_denied":
                    return SignInCanceled(error, protocol, null);
                case "linux_xdg_open_failed" or "webview_unavailable" or "system_browser_unavailable":
                    // MSAL could not start a browser: on Linux it tries xdg-open, gnome-open, kfmclient, wslview and some browsers.
                    return Create(MailErrorCodes.BrowserUnavailable, $"No browser could be started for the interactive sign-in ({client.ErrorCode}).",
                        "On a machine without a desktop browser (a server, a container, SSH) use Flow=DeviceCode (`modernauth-mail token --flow device-code`), or give InteractiveBrowserTokenProviderOptions.OpenBrowser or CustomWebUi to show the sign-in page another way; on a desktop, install xdg-utils and a browser.", false, error, protocol, null);
            }

            if (client.ErrorCode is "request_timeout" || FindInner<TaskCanceledException>(error) is not null)
            {
                return Timeout(error, protocol, authorityHost);
            }

            if (FindInner<HttpRequestException>(error) is not null || FindInner<SocketException>(error) is not null)
            {
                return Unreachable(error, protocol, authorityHost);
            }

            return Create(MailErrorCodes.InvalidConfiguration, $"MSAL could not start the request ({client.ErrorCode}): {FirstLine(client.Message)}",
                "Check the client id, tenant, authority host and credential settings.", false, error, protocol, null);
        }

        if (error is HttpRequestException || error is SocketException || FindInner<HttpRequestException>(error) is not null)
        {
            return Unreachable(error, protocol, authorityHost);
        }

        if (error is TaskCanceledException || error is TimeoutException)
        {
            return Timeout(error, protocol, authorityHost);
        }

        return Create(MailErrorCodes.Unknown, $"Getting a token failed unexpectedly ({error.GetType().Name}).",
            "See the inner exception; if it persists, report it with the log (tokens are never logged).", false, error, protocol, null);
    }

    private static MailAuthenticationException SignInCanceled(Exception error, MailProtocol protocol, string? serverResponse) =>
        Create(MailErrorCodes.SignInCanceled, "The user canceled or declined the sign-in in the browser.",
            "Sign in again and accept the permissions the app asks for (an administrator may need to grant consent first); if the tenant blocks this app, ask an administrator.", false, error, protocol, serverResponse);

    /// <summary>
    /// The errors of a managed identity endpoint (IMDS, App Service, Azure Arc, Cloud Shell, Service Fabric): MSAL
    /// reports them with its own codes, the endpoint's body in the message and the source in the exception's data.
    /// </summary>
    private static MailAuthenticationException MapManagedIdentity(MsalException error, MailProtocol protocol, string? identity)
    {
        var source = error.AdditionalExceptionData is { } data && data.TryGetValue(MsalException.ManagedIdentitySource, out var named) ? named : "the managed identity";
        var endpoint = source switch
        {
            "Imds" => "IMDS (169.254.169.254, or AZURE_POD_IDENTITY_AUTHORITY_HOST)",
            "AppService" => "the App Service / Functions endpoint (IDENTITY_ENDPOINT)",
            "AzureArc" => "the Azure Arc agent (IDENTITY_ENDPOINT, IMDS_ENDPOINT)",
            "CloudShell" => "the Cloud Shell endpoint (MSI_ENDPOINT)",
            "ServiceFabric" => "the Service Fabric endpoint (IDENTITY_ENDPOINT)",
            _ => "the managed identity endpoint",
        };
        var description = FirstLine(error.Message);
        var which = string.IsNullOrEmpty(identity) || identity == ManagedIdentityFlow.SystemAssignedId ? "the system-assigned identity" : $"the user-assigned identity {identity}";

        if (error.ErrorCode == MsalError.ManagedIdentityUnreachableNetwork || FindInner<HttpRequestException>(error) is not null || FindInner<SocketException>(error) is not null)
        {
            return Create(MailErrorCodes.ManagedIdentityUnavailable, $"The managed identity endpoint, {endpoint}, could not be reached: {FirstLine(Innermost(error).Message)}",
                ManagedIdentityErrors.UnavailableRemedy,
                false, error, protocol, description);
        }

        if (TokenServiceErrors.TryParseAadsts(error.Message, out var aadsts) && aadsts is 500011 or 90035 or 50001)
        {
            return Create(MailErrorCodes.InvalidScope, $"{endpoint} answered that the resource of the {protocol} token does not exist in the identity's tenant (AADSTS{aadsts}).",
                "The resource is the protocol's scope without /.default (Exchange: https://outlook.office365.com, Graph: https://graph.microsoft.com). Check the Cloud setting: a GCC High or China tenant has its own Exchange resource.",
                false, error, protocol, description);
        }

        var status = error is MsalServiceException service ? service.StatusCode : 0;
        if (status is 400 or 404 || ManagedIdentityErrors.IsNotAssigned(error.Message))
        {
            return Create(MailErrorCodes.ManagedIdentityNotAssigned, $"{endpoint} answered that {which} is not assigned to this Azure resource.",
                ManagedIdentityErrors.NotAssignedRemedy,
                false, error, protocol, description);
        }

        if (status == 429 || status >= 500)
        {
            return Create(MailErrorCodes.TokenServiceUnavailable, $"{endpoint} failed with HTTP {status}.",
                "This is usually passing: try again in a minute (MSAL already retried).", true, error, protocol, description);
        }

        return Create(MailErrorCodes.TokenServiceError, $"{endpoint} refused the request ({error.ErrorCode}, HTTP {status}).",
            "The inner exception has MSAL's full answer; check the identity settings (ManagedIdentityClientId / ManagedIdentityResourceId).", false, error, protocol, description);
    }

    private static bool IsManagedIdentityError(MsalException error) =>
        error.ErrorCode.StartsWith("managed_identity", StringComparison.Ordinal) ||
        error.ErrorCode == MsalError.InvalidManagedIdentityEndpoint ||
        (error.AdditionalExceptionData?.ContainsKey(MsalException.ManagedIdentitySource) ?? false);

    private static MailAuthenticationException Timeout(Exception error, MailProtocol protocol, Uri authorityHost) =>
        Create(MailErrorCodes.TokenServiceTimeout, $"The token service at {authorityHost.Host} did not answer in time.",
            "Check network access to the authority host (proxy, firewall) and try again; raise NetworkTimeout on a slow link.", true, error, protocol, null);

    private static MailAuthenticationException Unreachable(Exception error, MailProtocol protocol, Uri authorityHost)
    {
        if (FindInner<System.Security.Authentication.AuthenticationException>(error) is not null)
        {
            // TLS failed: retrying will not help until the certificate is trusted (a proxy inspecting TLS, a test service).
            return Create(MailErrorCodes.TokenServiceUnreachable, $"The token service at {authorityHost.Host} was reached, but its TLS certificate is not trusted: {FirstLine(Innermost(error).Message)}",
                $"Trust the certificate {authorityHost.GetLeftPart(UriPartial.Authority)} presents: a TLS-inspecting proxy's root in the system store, or, for a test token service, its certificate in the AuthorityCertificatePath setting.", false, error, protocol, null);
        }

        return Create(MailErrorCodes.TokenServiceUnreachable, $"The token service at {authorityHost.Host} could not be reached: {FirstLine(Innermost(error).Message)}",
            $"Check DNS, proxy and firewall access to {authorityHost.GetLeftPart(UriPartial.Authority)} (HTTPS, port {authorityHost.Port}) and try again.", true, error, protocol, null);
    }

    private static MailAuthenticationException Create(string code, string message, string remedy, bool retryable, Exception inner, MailProtocol protocol, string? serverResponse) =>
        new(code, message, remedy, retryable, inner) { Protocol = protocol, ServerResponse = serverResponse };

    /// <summary>The first line of a token service message (MSAL puts the AADSTS line first), trimmed.</summary>
    internal static string FirstLine(string text)
    {
        var end = text.IndexOfAny(new[] { '\r', '\n' });
        return (end < 0 ? text : text.Substring(0, end)).Trim();
    }

    private static Exception Innermost(Exception error)
    {
        while (error.InnerException is not null)
        {
            error = error.InnerException;
        }

        return error;
    }

    private static T? FindInner<T>(Exception error)
        where T : Exception
    {
        for (Exception? e = error; e is not null; e = e.InnerException)
        {
            if (e is T found)
            {
                return found;
            }
        }

        return null;
    }
}
