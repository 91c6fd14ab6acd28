using System.Net.Sockets;
using System.Text.RegularExpressions;
using Azure;
using Azure.Core;
using Azure.Identity;
using Microsoft.Identity.Client;
using ModernAuth.Mail.Diagnostics;

namespace ModernAuth.Mail.AzureIdentity;

/// <summary>
/// Turns Azure.Identity's failures into <see cref="MailAuthenticationException"/>: an <c>AADSTS</c> code through the
/// same catalog as the MSAL flows; an unavailable credential, a sign-in that needs a user, the network and the token
/// service's own failures with their usual codes. The original stays the inner exception.
/// </summary>
internal static class AzureIdentityErrorMapper
{
    private const int MaxDetail = 1500;
    private static readonly Regex Jwt = new(@"eyJ[A-Za-z0-9_\-]{8,}\.[A-Za-z0-9_\-]*(?:\.[A-Za-z0-9_\-]*)?", RegexOptions.CultureInvariant, TimeSpan.FromMilliseconds(200));

    public static MailAuthenticationException Map(Exception error, TokenCredential credential, MailProtocol protocol, string scope)
    {
        var name = credential.GetType().Name;
        if (error is CredentialUnavailableException)
        {
            // Azure.Identity's text names every credential it tried and why each was unavailable: the fix is in it.
            return Create(MailErrorCodes.InvalidConfiguration,
                $"{name} is not available in this environment: {Detail(error.Message)}",
                "Configure one of the credentials it tries: in Azure, assign a managed identity to the app (and AZURE_CLIENT_ID for a user-assigned one); in Kubernetes, workload identity (AZURE_FEDERATED_TOKEN_FILE); elsewhere AZURE_TENANT_ID, AZURE_CLIENT_ID and AZURE_CLIENT_SECRET (or a certificate), or pass a specific credential instead of DefaultAzureCredential.",
                false, error, protocol);
        }

        if (error is AuthenticationRequiredException)
        {
            return Create(MailErrorCodes.InteractionRequired, $"{name} needs a user to sign in interactively before it can get a token for {scope}.",
                "Call the credential's AuthenticateAsync (or sign in with az login for AzureCliCredential) first, or use an app-only credential for a service.",
                false, error, protocol);
        }

        var text = Flatten(error);
        var explained = MailResponseCatalog.Default.Explain(text, protocol);
        if (explained.AadstsCode is not null)
        {
            return Create(explained.Code, $"{name} could not get a token for {scope}: {explained.ServerText} {explained.Explanation}",
                explained.Remedy, explained.IsRetryable, error, protocol, explained.ServerText);
        }

        // Azure.Identity's app credentials run MSAL: the token service's HTTP status is on MSAL's exception; managed
        // identity and the developer credentials report it as Azure.Core's RequestFailedException.
        var status = Find<MsalServiceException>(error)?.StatusCode ?? Find<RequestFailedException>(error)?.Status ?? 0;
        if (status != 0)
        {
            if (status == 429)
            {
                return Create(MailErrorCodes.TokenServiceThrottled, $"{name}: the token service throttled the request (HTTP 429).",
                    "Wait as long as the Retry-After header says and try again; keep one provider per credential so tokens are cached.", true, error, protocol);
            }

            if (status >= 500)
            {
                return Create(MailErrorCodes.TokenServiceUnavailable, $"{name}: the token service failed with HTTP {status}.",
                    "This is usually a passing outage: try again in a minute.", true, error, protocol);
            }
        }

        if (Find<TimeoutException>(error) is not null || Find<TaskCanceledException>(error) is not null)
        {
            return Create(MailErrorCodes.TokenServiceTimeout, $"{name}: the token service did not answer in time.",
                "Check network access to the authority host (proxy, firewall) and try again; raise the credential's Retry.NetworkTimeout on a slow link.", true, error, protocol);
        }

        if (Find<HttpRequestException>(error) is not null || Find<SocketException>(error) is not null)
        {
            var tls = Find<System.Security.Authentication.AuthenticationException>(error) is not null;
            return Create(MailErrorCodes.TokenServiceUnreachable,
                tls ? $"{name} reached the token service, but its TLS certificate is not trusted." : $"{name} could not reach the token service: {Detail(Innermost(error).Message)}",
                tls ? "Trust the certificate the authority host presents (a TLS-inspecting proxy's root in the system store)." : "Check DNS, proxy and firewall access to the authority host (HTTPS) and try again.",
                !tls, error, protocol);
        }

        return Create(error is AuthenticationFailedException ? MailErrorCodes.TokenServiceError : MailErrorCodes.Unknown,
            $"{name} could not get a token for {scope}: {Detail(text.Replace('\n', ' '))}",
            "Check the credential's tenant, client id and secret or certificate, and that the identity has the Exchange (or Graph) application permission; Azure.Identity's own log (AzureEventSourceListener) shows each step.",
            false, error, protocol);
    }

    private static MailAuthenticationException Create(string code, string message, string remedy, bool retryable, Exception inner, MailProtocol protocol, string? serverResponse = null) =>
        new(code, message, remedy, retryable, inner) { Protocol = protocol, ServerResponse = serverResponse };

    /// <summary>Every message down the chain: Azure.Identity puts the AADSTS text in its own message or in MSAL's inner one.</summary>
    private static string Flatten(Exception error)
    {
        var parts = new List<string>();
        for (Exception? e = error; e is not null && parts.Count < 6; e = e.InnerException)
        {
            var message = e.Message.Trim();
            if (message.Length > 0 && !parts.Any(p => p.Contains(message)))
            {
                parts.Add(message);
            }
        }

        return string.Join("\n", parts);
    }

    /// <summary>The text as it came, without anything that looks like a token, cut to a readable length.</summary>
    private static string Detail(string message)
    {
        string text;
        try
        {
            text = Jwt.Replace(message, "[token removed]");
        }
        catch (RegexMatchTimeoutException)
        {
            text = "(the credential's message could not be checked for tokens and is left out; see the inner exception)";
        }

        text = text.Trim();
        return text.Length > MaxDetail ? text.Substring(0, MaxDetail) + " ..." : text;
    }

    private static Exception Innermost(Exception error)
    {
        while (error.InnerException is not null)
        {
            error = error.InnerException;
        }

        return error;
    }

    private static T? Find<T>(Exception error)
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
