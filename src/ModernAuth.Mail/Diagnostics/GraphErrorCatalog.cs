using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace ModernAuth.Mail.Diagnostics;

/// <summary>
/// The Microsoft Graph part of <see cref="MailResponseCatalog"/>: Graph's JSON error (<c>{"error":{"code":..,"message":..,
/// "innerError":{..}}}</c>) as a client prints it, with or without an HTTP status before it, or the code and message as
/// plain text.
/// </summary>
internal static class GraphErrorCatalog
{
    private const RegexOptions Options = RegexOptions.CultureInvariant | RegexOptions.IgnoreCase;
    private static readonly TimeSpan RegexTimeout = TimeSpan.FromMilliseconds(250);
    private static readonly Regex StatusPattern = new(@"(?:^|[^\d.])(?<status>[45]\d\d)(?:[^\d.]|$)", Options, RegexTimeout);
    private static readonly Regex RetryAfterPattern = new(@"Retry-After[""']?\s*[:=]\s*[""']?(?<s>\d{1,6})", Options, RegexTimeout);

    private const string AccessPolicyFix =
        "The app may use only the mailboxes an Exchange administrator scoped it to. In Exchange Online PowerShell (Connect-ExchangeOnline): " +
        "with an application access policy ('[RAOP]' in the message), add the mailbox to the policy's mail-enabled security group: Add-DistributionGroupMember -Identity <policy group> -Member <mailbox>, " +
        "or create the policy: New-ApplicationAccessPolicy -AppId <app id> -PolicyScopeGroupId <policy group> -AccessRight RestrictAccess -Description \"<why>\"; check with Test-ApplicationAccessPolicy -Identity <mailbox> -AppId <app id>. " +
        "With RBAC for Applications, include the mailbox in the assignment's scope: New-ManagementRoleAssignment -App <app id> -Role \"Application Mail.ReadWrite\" -CustomResourceScope <management scope> (and \"Application Mail.Send\" to send); check with Test-ServicePrincipalAuthorization -Identity <app id> -Resource <mailbox>. " +
        "Changes take up to 30 minutes. The same text also comes from an EWS/REST allow or block list: Get-OrganizationConfig | Format-List EwsApplicationAccessPolicy,EwsAllowList,EwsBlockList.";

    private static readonly Rule[] Rules =
    {
        new(MailFindingCodes.GraphAccessPolicyDenied, MailFindingSeverity.Error, false, true, @"Access\s+to\s+OData\s+is\s+disabled",
            "The token is valid and carries the permission, but Exchange Online refuses this app access to this mailbox: an application access policy ([RAOP]) or an RBAC for Applications scope leaves the mailbox out.",
            AccessPolicyFix),
        new(MailFindingCodes.GraphMailboxNotEnabledForRest, MailFindingSeverity.Error, false, true, @"MailboxNotEnabledForRESTAPI|REST\s+API\s+is\s+not\s+yet\s+supported\s+for\s+this\s+mailbox",
            "The mailbox cannot be reached through Graph: it is inactive or soft-deleted, has no Exchange Online licence, or lives on-premises (a hybrid mailbox not yet moved to Exchange Online).",
            "Check the mailbox in Exchange Online PowerShell: Get-Mailbox -Identity <mailbox> | Format-List RecipientTypeDetails,IsInactiveMailbox,IsSoftDeletedByRemove (and Get-Mailbox -SoftDeletedMailbox). Assign an Exchange Online licence, restore the mailbox, or move an on-premises mailbox to Exchange Online (or reach it through EWS on-premises)."),
        new(MailFindingCodes.GraphInvalidUser, MailFindingSeverity.Error, false, true, @"ErrorInvalidUser|The\s+requested\s+user\s+'[^']*'\s+is\s+invalid",
            "No mailbox with that address or id exists in the token's tenant: a misspelt address, a group or distribution list, a user without a mailbox, or a personal Microsoft account (outlook.com, hotmail.com) addressed with an app-only token, which personal accounts do not have.",
            "Use the mailbox's primary SMTP address or object id (Get-Mailbox -Identity <mailbox> | Format-List PrimarySmtpAddress,ExternalDirectoryObjectId). For outlook.com and other personal accounts sign the user in (device code, MailCloud.PersonalAccounts) and use /me; app-only access does not exist for them."),
        new(MailFindingCodes.GraphAuthorizationRequestDenied, MailFindingSeverity.Error, false, true, @"Authorization_RequestDenied|Insufficient\s+privileges\s+to\s+complete\s+the\s+operation",
            "A directory request (users, groups) was refused: the mail permissions (Mail.*) do not allow reading the directory.",
            "Mail operations need no directory permission: address the mailbox by its address (/users/<address>/messages). To read users too, add Microsoft Graph > User.Read.All (application) or User.ReadBasic.All (delegated) with admin consent and get a new token."),
        new(MailFindingCodes.GraphThrottled, MailFindingSeverity.Warning, true, true, @"ApplicationThrottled|MailboxConcurrency|TooManyRequests|Too\s+Many\s+Requests|^429$",
            "Graph throttled this application for this mailbox: more than 4 concurrent requests, more than 10,000 requests in 10 minutes, or more than 150 MB uploaded in 5 minutes. Other mailboxes are not affected.",
            "Wait for the Retry-After time ({retry}) and retry; keep at most 4 requests in flight per mailbox, batch work over time, and prefer delta (sync) queries to repeated listing. The Graph SDK's retry handler honours Retry-After by itself up to its retry budget."),
        new(MailFindingCodes.GraphMessageTooLarge, MailFindingSeverity.Error, false, true, @"ErrorMessageSizeExceeded|RequestEntityTooLarge|Request\s+Entity\s+Too\s+Large|RequestBodyTooLarge|MessageTooLarge|exceeds\s+the\s+maximum\s+(?:supported\s+)?size|^413$",
            "The request or the message is too large: one Graph request carries at most 4 MB, and a message may not exceed the mailbox's MaxSendSize (35 MB by default, at most 150 MB).",
            "Send attachments of 3 MB and more through an upload session (a draft, createUploadSession, PUT of the ranges, then send): GraphMailClient.SendMessageAsync does this. For larger messages raise the limit: Set-Mailbox -Identity <mailbox> -MaxSendSize 150MB (and the recipient's MaxReceiveSize)."),
        new(MailFindingCodes.GraphInvalidToken, MailFindingSeverity.Error, false, true, @"InvalidAuthenticationToken|Access\s+token\s+validation\s+failure|Access\s+token\s+is\s+empty|CompactToken\s+(?:parsing|validation)\s+failed|Lifetime\s+validation\s+failed",
            "Graph rejected the token itself: none was sent, it expired, it is for another resource (an Exchange token for IMAP/SMTP/EWS, or another cloud's Graph), it is signed by another tenant, or a personal-account token was sent to an API that takes only work accounts.",
            "Inspect the token (modernauth-mail inspect <token> --protocol graph): aud must be https://graph.microsoft.com (or 00000003-0000-0000-c000-000000000000). Request scope 'https://graph.microsoft.com/.default' (app-only) or 'https://graph.microsoft.com/Mail.ReadWrite' with 'offline_access' (delegated) and let the token provider refresh it."),
        new(MailFindingCodes.GraphSyncStateInvalid, MailFindingSeverity.Warning, false, true, @"SyncStateNotFound|SyncStateInvalid|resyncRequired|ErrorInvalidSyncStateData|delta\s*token\s+(?:is\s+)?(?:invalid|expired)",
            "The delta (sync) state is no longer valid: it expired, was damaged, or belongs to another folder.",
            "Drop the stored sync state and start the sync again without one (a full sync)."),
        new(MailFindingCodes.GraphItemNotFound, MailFindingSeverity.Error, false, true, @"ErrorItemNotFound|ResourceNotFound|ErrorFolderNotFound|The\s+specified\s+object\s+was\s+not\s+found\s+in\s+the\s+store",
            "The message or folder does not exist (any more) in this mailbox: it was deleted, moved (a move gives it a new id), or the id belongs to another mailbox.",
            "Find the item again (list or sync the folder) and use the id a move returned."),
        new(MailFindingCodes.GraphAccessDenied, MailFindingSeverity.Error, false, true, @"ErrorAccessDenied|Access\s+is\s+denied",
            "The token lacks the permission this operation needs: reading needs Mail.Read or Mail.ReadWrite, changing needs Mail.ReadWrite, sending needs Mail.Send (application permissions with admin consent for app-only, delegated scopes for a signed-in user); or a delegated user opened someone else's mailbox without access.",
            "Entra admin center > App registrations > <app> > API permissions > Add a permission > Microsoft Graph > Application (or Delegated) permissions > Mail.ReadWrite / Mail.Send, then grant admin consent and get a new token (modernauth-mail inspect shows the roles or scp it carries). For another user's mailbox with a delegated token: Add-MailboxPermission -Identity <mailbox> -User <user> -AccessRights FullAccess and the Mail.ReadWrite.Shared scope."),
        new(MailFindingCodes.GraphServiceUnavailable, MailFindingSeverity.Warning, true, false, @"ServiceUnavailable|Service\s+Unavailable|GatewayTimeout|ErrorServerBusy|ErrorMailboxStoreUnavailable|^(?:503|504)$",
            "Graph or the mailbox server behind it is busy or temporarily unavailable.",
            "Retry later, honouring Retry-After when present; the Graph SDK's retry handler retries 503 and 504 by itself."),
    };

    public static IEnumerable<string> Codes => Rules.Select(r => r.Code).Concat(new[] { MailFindingCodes.GraphError });

    /// <summary>
    /// Explains Graph error text, or returns <see langword="null"/> when the text is not a Graph error. JSON with an
    /// <c>error</c> object is always Graph's; plain text only when it names a code only Graph uses (or the caller said Graph).
    /// </summary>
    public static MailResponseExplanation? TryExplain(string text, MailProtocol? protocol)
    {
        var error = TryParseJson(text);
        string? code = error?.Code, message = error?.Message;
        if (error is null)
        {
            message = MailResponseCatalog.Collapse(text);
        }

        var status = StatusOf(text, error);
        var haystack = (code + " " + message).Trim();
        foreach (var rule in Rules)
        {
            if (!rule.Distinctive && error is null && protocol != MailProtocol.Graph)
            {
                continue;
            }

            var statusCounts = status is not null && (error is not null || protocol == MailProtocol.Graph);
            if (!rule.Matches(haystack) && !(statusCounts && rule.Matches(status!)))
            {
                continue;
            }

            return Explanation(rule.Code, rule.Severity, rule.Retryable, rule.Meaning, rule.Remedy, text, error, status, code, message);
        }

        if (error is null && (protocol != MailProtocol.Graph || code is null && text.IndexOf(':') < 0))
        {
            return null;
        }

        return Explanation(MailFindingCodes.GraphError, MailFindingSeverity.Error, status is "429" or "503" or "504",
            "Microsoft Graph answered with the error '" + (code ?? "(no code)") + "', which this catalog does not describe.",
            "Read the message; look the code up in the Graph reference of the operation (https://learn.microsoft.com/graph/errors) and quote the request-id and date to Microsoft support.",
            text, error, status, code, message);
    }

    private static MailResponseExplanation Explanation(string ruleCode, MailFindingSeverity severity, bool retryable, string meaning, string remedy,
        string text, GraphError? error, string? status, string? code, string? message)
    {
        long? backoff = null;
        var retry = MailResponseCatalog.SafeMatch(RetryAfterPattern, text);
        if (retry is not null && long.TryParse(retry.Groups["s"].Value, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds))
        {
            backoff = seconds * 1000;
        }

        var serverText = (status is null ? string.Empty : status + " ") + (code is null ? string.Empty : code + ": ") + (message ?? string.Empty);
        return new MailResponseExplanation(ruleCode, severity, MailResponseCatalog.Clip(MailResponseCatalog.Redact(serverText.Trim()), 400), meaning,
            remedy.Replace("{retry}", backoff is { } b ? (b / 1000).ToString(CultureInfo.InvariantCulture) + " s" : "in seconds"))
        {
            IsRecognised = true,
            IsRetryable = retryable,
            Source = MailResponseSource.Graph,
            Status = status,
            BackoffMilliseconds = backoff,
            TraceId = error?.RequestId,
            CorrelationId = error?.ClientRequestId,
            Timestamp = error?.Date,
        };
    }

    private static string? StatusOf(string text, GraphError? error)
    {
        // The status sits before the JSON ("403 - {...}", "failed (403): ...", "Status: 403 (Forbidden)").
        var head = error is null ? text : text.Substring(0, Math.Max(0, error.Start));
        var match = MailResponseCatalog.SafeMatch(StatusPattern, head.Length > 300 ? head.Substring(head.Length - 300) : head);
        return match?.Groups["status"].Value;
    }

    private static GraphError? TryParseJson(string text)
    {
        var start = text.IndexOf('{');
        var attempts = 0;
        while (start >= 0 && attempts++ < 8)
        {
            var error = TryParseAt(text, start);
            if (error is not null)
            {
                return error;
            }

            start = text.IndexOf('{', start + 1);
        }

        return null;
    }

    private static GraphError? TryParseAt(string text, int start)
    {
        try
        {
            var bytes = Encoding.UTF8.GetBytes(text.Substring(start));
            var reader = new Utf8JsonReader(bytes, new JsonReaderOptions { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip, MaxDepth = 16 });
            if (!JsonDocument.TryParseValue(ref reader, out var document) || document is null)
            {
                return null;
            }

            using (document)
            {
                var root = document.RootElement;
                if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("error", out var error) || error.ValueKind != JsonValueKind.Object)
                {
                    return null;
                }

                var inner = Property(error, "innerError") ?? Property(error, "innererror");
                return new GraphError
                {
                    Start = start,
                    Code = String(error, "code"),
                    Message = String(error, "message"),
                    RequestId = inner is { } i ? String(i, "request-id") : null,
                    ClientRequestId = inner is { } j ? String(j, "client-request-id") : null,
                    Date = inner is { } k ? String(k, "date") : null,
                };
            }
        }
        catch (Exception ex) when (ex is JsonException or ArgumentException or InvalidOperationException)
        {
            return null;
        }
    }

    private static JsonElement? Property(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Object ? value : null;

    private static string? String(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? MailResponseCatalog.Clip(MailResponseCatalog.Collapse(value.GetString() ?? string.Empty), 600) : null;

    private sealed class GraphError
    {
        public int Start { get; set; }

        public string? Code { get; set; }

        public string? Message { get; set; }

        public string? RequestId { get; set; }

        public string? ClientRequestId { get; set; }

        public string? Date { get; set; }
    }

    private sealed class Rule
    {
        private readonly Regex _pattern;

        public Rule(string code, MailFindingSeverity severity, bool retryable, bool distinctive, string pattern, string meaning, string remedy)
        {
            Code = code;
            Severity = severity;
            Retryable = retryable;
            Distinctive = distinctive;
            _pattern = new Regex(pattern, Options, RegexTimeout);
            Meaning = meaning;
            Remedy = remedy;
        }

        public string Code { get; }

        public MailFindingSeverity Severity { get; }

        public bool Retryable { get; }

        /// <summary>Whether the pattern names something only Graph says, so plain text with no JSON and no protocol may match it.</summary>
        public bool Distinctive { get; }

        public string Meaning { get; }

        public string Remedy { get; }

        public bool Matches(string text) => MailResponseCatalog.SafeMatch(_pattern, text) is not null;
    }
}
