using System.Net;
using ModernAuth.Mail.Diagnostics;

namespace ModernAuth.Mail.Graph;

/// <summary>Turns a Graph failure into <see cref="GraphMailException"/> or, for a rejected token, <see cref="MailAuthenticationException"/>, with the catalog's remedy and the token's findings.</summary>
internal sealed class GraphErrorMapper
{
    private static readonly string[] PersonalDomains = { "outlook.", "hotmail.", "live.", "msn.com", "passport.com" };
    private readonly MailTokenProvider _provider;
    private readonly string _mailbox;
    private readonly MailCloud _cloud;

    public GraphErrorMapper(MailTokenProvider provider, string mailbox, MailCloud cloud)
    {
        _provider = provider;
        _mailbox = mailbox;
        _cloud = cloud;
    }

    public async Task<Exception> MapAsync(string operation, string permission, GraphFailure failure, Exception error, CancellationToken cancellationToken)
    {
        if (failure.IsTimeout)
        {
            return new GraphMailException(GraphErrorCodes.Timeout, $"Microsoft Graph {operation} for {_mailbox} did not finish within the timeout.",
                "Retry later; for large folders page with smaller pages, or raise GraphMailClientOptions.Timeout.", isRetryable: true, error);
        }

        if (failure.IsNetwork)
        {
            return new GraphMailException(GraphErrorCodes.HttpError, $"Microsoft Graph {operation} could not reach the service: {error.Message}",
                "Check the endpoint, DNS, the proxy and the TLS certificate; retry later if the network failed.", isRetryable: true, error);
        }

        if (failure.IsUnreadable)
        {
            return new GraphMailException(GraphErrorCodes.InvalidResponse, $"Microsoft Graph {operation} failed with a response this client cannot read ({error.GetType().Name}).",
                "Check that GraphMailClientOptions.Endpoint is Microsoft Graph; quote the request-id to Microsoft support if it persists.", false, error);
        }

        var status = failure.Status;
        var serverText = (status > 0 ? status.ToString(System.Globalization.CultureInfo.InvariantCulture) + " " : string.Empty) + (failure.Code ?? "(no code)") + ": " + (failure.Message ?? string.Empty);
        var explanation = MailResponseCatalog.Default.Explain(serverText, MailProtocol.Graph);
        var findings = new List<MailFinding>();
        string? appId = null;
        if (status is 401 or 403)
        {
            var inspection = await InspectAsync(permission, cancellationToken).ConfigureAwait(false);
            if (inspection is not null)
            {
                appId = inspection.Summary.AppId;
                findings.AddRange(inspection.Findings.Where(f => f.Severity >= MailFindingSeverity.Warning));
            }
        }

        findings.Add(explanation.ToFinding());
        var remedy = Fill(explanation.Remedy, appId);
        if (status == 401)
        {
            var token = findings.FirstOrDefault(f => f.Severity == MailFindingSeverity.Error && f.Code != explanation.Code);
            var message = $"Microsoft Graph rejected the token for {operation} on {_mailbox} even after a fresh one was fetched ({serverText})." +
                          (token is null ? " " + explanation.Explanation : " The token: " + token.Observed + ". " + token.Explanation);
            return new MailAuthenticationException(GraphErrorCodes.TokenRejected, message, token?.Fix ?? remedy, false, error)
            {
                Protocol = MailProtocol.Graph,
                ServerResponse = serverText,
                Findings = findings,
            };
        }

        var meaning = explanation.Explanation;
        var code = explanation.Code;
        var retryable = explanation.IsRetryable || failure.RetriesExhausted || status is 429 or 503 or 504;
        if (failure.RetriesExhausted || status == 429)
        {
            code = status == 429 || code == MailFindingCodes.GraphError ? MailFindingCodes.GraphThrottled : code;
            meaning = (failure.RetriesExhausted ? "The Graph SDK's retry handler waited for Retry-After and retried until its budget ran out; Graph still answered " + status + ". " : string.Empty) + meaning;
        }

        if (code == MailFindingCodes.GraphInvalidUser && _provider.IsAppOnly && IsPersonalAddress(_mailbox))
        {
            meaning = _mailbox + " looks like a personal Microsoft account: app-only (client credentials) access does not exist for personal accounts, and they are not users of any tenant. " + meaning;
            remedy = "Sign the user in with DeviceCodeTokenProvider and MailCloud.PersonalAccounts (a delegated provider opens /me), or use a work mailbox of your tenant.";
        }
        else if (code == MailFindingCodes.GraphAccessDenied && findings.FirstOrDefault(f => f.Code is MailFindingCodes.MissingRole or MailFindingCodes.NoRoles or MailFindingCodes.MissingScope) is { } missing)
        {
            meaning = meaning + " The token: " + missing.Observed + ".";
            remedy = missing.Fix;
        }

        return new GraphMailException(code, $"Microsoft Graph refused {operation} on {_mailbox} ({serverText}). {meaning}", remedy, retryable, error)
        {
            GraphErrorCode = failure.Code,
            GraphMessage = failure.Message,
            StatusCode = status > 0 ? (HttpStatusCode)status : null,
            RequestId = failure.RequestId,
            RetryAfter = failure.RetryAfter,
            Findings = findings,
        };
    }

    private async Task<TokenInspectionResult?> InspectAsync(string permission, CancellationToken cancellationToken)
    {
        try
        {
            var token = await _provider.GetTokenAsync(new MailTokenRequest(MailProtocol.Graph, _mailbox), cancellationToken).ConfigureAwait(false);
            return new TokenInspector(new TokenInspectorOptions
            {
                Protocol = MailProtocol.Graph,
                AppOnly = _provider.IsAppOnly,
                Mailbox = _provider.IsAppOnly ? _mailbox : null,
                RequiredPermission = permission,
                Cloud = _cloud,
            }).Inspect(token.Token);
        }
        catch (MailAuthenticationException)
        {
            return null;
        }
    }

    private string Fill(string remedy, string? appId)
    {
        remedy = remedy.Replace("<mailbox>", _mailbox);
        return appId is null ? remedy : remedy.Replace("<app id>", appId);
    }

    private static bool IsPersonalAddress(string address)
    {
        var at = address.LastIndexOf('@');
        var domain = at < 0 ? string.Empty : address.Substring(at + 1).ToLowerInvariant();
        return PersonalDomains.Any(d => domain.StartsWith(d, StringComparison.Ordinal) || domain == d);
    }
}
