// docs/ews-to-graph.md, "Read, move, delete": the block below is the doc's, word for word (EwsToGraphSnippetsTests runs it).
using ModernAuth.Mail.Graph;

public static class TriageMessage
{
    // EWS: message.IsRead = true; message.Update(ConflictResolutionMode.AutoResolve);
    //      message.Move(folderId); moved.Delete(DeleteMode.MoveToDeletedItems);
    public static async Task ArchiveAsync(GraphMailClient mail, string messageId, string archiveFolderId)
    {
        await mail.MarkReadAsync(messageId);
        var movedId = await mail.MoveItemAsync(messageId, archiveFolderId);
        Console.WriteLine($"moved: {messageId} is now {movedId}");
    }

    // EWS: message.Delete(DeleteMode.MoveToDeletedItems) or message.Delete(DeleteMode.HardDelete).
    public static async Task DeleteAsync(GraphMailClient mail, string messageId, bool permanently)
    {
        await mail.DeleteItemAsync(messageId, permanently ? GraphDeleteMode.PermanentDelete : GraphDeleteMode.MoveToDeletedItems);
    }
}
