namespace ModernAuth.Mail.Ews;

/// <summary>What the common EWS <c>ResponseCode</c> values mean for an app that moved to OAuth, and what to do about each.</summary>
internal static class EwsResponseCodeCatalog
{
    private static readonly Dictionary<string, Entry> Entries = new(StringComparer.Ordinal)
    {
        ["ErrorAccessDenied"] = new(false,
            "The token is valid but its principal may not do this in the mailbox.",
            "Delegated: the signed-in user needs rights on the mailbox (Add-MailboxPermission -Identity <mailbox> -User <user> -AccessRights FullAccess) and the app the EWS.AccessAsUser.All permission. " +
            "App-only: the app needs the full_access_as_app application permission with admin consent; an ApplicationAccessPolicy (Get-ApplicationAccessPolicy) may restrict it to other mailboxes; " +
            "an EWS application access policy (Set-OrganizationConfig -EwsApplicationAccessPolicy / EWSAllowedAppIDs, Set-CASMailbox -EwsEnabled) may block the app or the mailbox."),
        ["ErrorImpersonateUserDenied"] = new(false,
            "The caller may not impersonate this mailbox.",
            "App-only in Exchange Online: grant the application permission full_access_as_app (Office 365 Exchange Online) with admin consent, and check that no ApplicationAccessPolicy excludes the mailbox. " +
            "A delegated (user) token should not send ExchangeImpersonation: leave UseImpersonation unset. On-premises: the service account needs the ApplicationImpersonation management role."),
        ["ErrorImpersonationDenied"] = new(false,
            "The caller may not impersonate.",
            "App-only: grant full_access_as_app with admin consent. On-premises service accounts need the ApplicationImpersonation management role."),
        ["ErrorNonExistentMailbox"] = new(false,
            "No mailbox exists for the address in X-AnchorMailbox / ExchangeImpersonation.",
            "Check the mailbox address (use its primary SMTP address). In a hybrid organisation a mailbox that still lives on-premises is reached through the on-premises EWS URL (EwsClientOptions.Endpoint), not Exchange Online."),
        ["ErrorMailboxNotFound"] = new(false,
            "The mailbox was not found.",
            "Check the mailbox address (use its primary SMTP address) and that it is in this tenant or server."),
        ["ErrorServerBusy"] = new(true,
            "Exchange is throttling this caller (EWS throttling policy).",
            "Wait for BackOffMilliseconds (EwsException.RetryAfter) before retrying, send fewer concurrent requests (Exchange Online allows about 10 per mailbox) and page with smaller batches."),
        ["ErrorItemNotFound"] = new(false,
            "The item does not exist (any more) in this mailbox: it was deleted, moved (a move gives it a new id) or the id belongs to another mailbox.",
            "Find the item again (FindItemsAsync or SyncFolderItemsAsync) and use the id returned by MoveItemAsync after a move."),
        ["ErrorFolderNotFound"] = new(false,
            "The folder does not exist in this mailbox, or the well-known name is not valid here.",
            "Check the folder id or well-known name (inbox, sentitems, drafts, deleteditems, msgfolderroot, ...) and the mailbox."),
        ["ErrorInvalidSyncStateData"] = new(false,
            "The sync state is damaged, truncated or belongs to another folder.",
            "Drop the stored sync state and start again with syncState: null (a full sync)."),
        ["ErrorInvalidIdMalformed"] = new(false,
            "The item or folder id is not a valid EWS id.",
            "Use the ids exactly as EWS returned them (base64, case-sensitive); ids from Graph or MAPI need ConvertId first."),
        ["ErrorInvalidServerVersion"] = new(false,
            "The server does not support the RequestServerVersion sent.",
            "Lower EwsClientOptions.RequestServerVersion (for example Exchange2010_SP2 for an old on-premises server)."),
        ["ErrorSchemaValidation"] = new(false,
            "The server could not validate the request against the EWS schema.",
            "Check the request XML; with RequestServerVersion lower than an element needs, raise it."),
        ["ErrorInvalidExchangeImpersonationHeaderData"] = new(false,
            "The ExchangeImpersonation header names no valid account.",
            "Use the mailbox's primary SMTP address as the handler's mailbox."),
        ["ErrorExceededConnectionCount"] = new(true,
            "Too many concurrent EWS requests for this caller (EWSMaxConcurrency).",
            "Limit concurrent requests per mailbox (about 10 in Exchange Online) and retry later."),
        ["ErrorExceededFindCountLimit"] = new(false,
            "The search asked for more items than the throttling policy allows at once (EWSFindCountLimit).",
            "Page with a smaller page size (at most 1000)."),
        ["ErrorTooManyObjectsOpened"] = new(true,
            "Too many objects are open in the mailbox.",
            "Retry later with fewer concurrent requests."),
        ["ErrorMailboxStoreUnavailable"] = new(true,
            "The mailbox database is temporarily unavailable.",
            "Retry later."),
        ["ErrorMailboxMoveInProgress"] = new(true,
            "The mailbox is being moved.",
            "Retry later; after the move Autodiscover may give a new EWS URL for on-premises servers."),
        ["ErrorInternalServerTransientError"] = new(true,
            "Exchange had a transient internal error.",
            "Retry later."),
        ["ErrorInternalServerError"] = new(true,
            "Exchange had an internal error; under load this carries an inner ErrorServerBusy.",
            "Retry later with fewer concurrent requests."),
        ["ErrorTimeoutExpired"] = new(true,
            "The operation took too long on the server.",
            "Retry with a smaller page or batch."),
        ["ErrorQuotaExceeded"] = new(false,
            "The mailbox is over its storage quota.",
            "Free space in the mailbox or raise its quota."),
        ["ErrorMessageSizeExceeded"] = new(false,
            "The message is larger than the organisation or mailbox allows.",
            "Send a smaller message or raise the MaxSendSize/MaxReceiveSize limits."),
        ["ErrorSendAsDenied"] = new(false,
            "The principal may not send as the From address.",
            "Grant Send As (Add-RecipientPermission <mailbox> -AccessRights SendAs -Trustee <principal>) or send from the mailbox itself."),
        ["ErrorChangeKeyRequiredForWriteOperations"] = new(false,
            "The operation needs the item's ChangeKey.",
            "Pass the EwsItemId with its ChangeKey as EWS returned it."),
        ["ErrorStaleObject"] = new(false,
            "The item changed since its ChangeKey was read.",
            "Get the item again for a fresh ChangeKey and retry."),
        ["ErrorInvalidRequest"] = new(false,
            "The request is not valid for this operation.",
            "Check the arguments; the MessageText says which part is wrong."),
    };

    /// <summary>Whether the response code means trying again later may work.</summary>
    public static bool IsRetryable(string? responseCode) =>
        responseCode is not null && Entries.TryGetValue(responseCode, out var entry) && entry.Retryable;

    /// <summary>The meaning and the fix for <paramref name="responseCode"/>.</summary>
    public static (string Meaning, string Remedy) Describe(string? responseCode)
    {
        if (responseCode is not null && Entries.TryGetValue(responseCode, out var entry))
        {
            return (entry.Meaning, entry.Remedy);
        }

        return ("EWS reported an error.", "See the MessageText and the ResponseCode in the EWS reference (ResponseCode element).");
    }

    private sealed class Entry
    {
        public Entry(bool retryable, string meaning, string remedy)
        {
            Retryable = retryable;
            Meaning = meaning;
            Remedy = remedy;
        }

        public bool Retryable { get; }

        public string Meaning { get; }

        public string Remedy { get; }
    }
}
