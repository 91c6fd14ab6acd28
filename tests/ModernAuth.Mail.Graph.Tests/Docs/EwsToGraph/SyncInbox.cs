// docs/ews-to-graph.md, "Synchronising": the block below is the doc's, word for word (EwsToGraphSnippetsTests runs it).
using ModernAuth.Mail.Diagnostics;
using ModernAuth.Mail.Graph;

public static class SyncInbox
{
    // EWS: service.SyncFolderItems(folderId, PropertySet.IdOnly, null, 512, SyncFolderItemsScope.NormalItems, syncState)
    // until MoreChangesAvailable is false; store changes.SyncState for next time.
    public static async Task<string> RunAsync(GraphMailClient mail, string? syncState, Action<GraphItemChange> onChange)
    {
        GraphSyncResult result;
        do
        {
            try
            {
                result = await mail.SyncFolderItemsAsync(GraphWellKnownFolders.Inbox, syncState);
            }
            catch (GraphMailException e) when (e.ErrorCode == MailFindingCodes.GraphSyncStateInvalid)
            {
                // EWS: ErrorInvalidSyncStateData. Start again with a full sync.
                result = await mail.SyncFolderItemsAsync(GraphWellKnownFolders.Inbox, syncState: null);
            }

            foreach (var change in result.Changes)
            {
                onChange(change);
            }

            syncState = result.SyncState;
        }
        while (!result.IncludesLastItemInRange);

        return syncState;
    }
}
