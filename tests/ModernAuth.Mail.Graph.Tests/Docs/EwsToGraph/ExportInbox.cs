// docs/ews-to-graph.md, "Paging through a folder": the block below is the doc's, word for word (EwsToGraphSnippetsTests runs it).
using ModernAuth.Mail.Graph;

public static class ExportInbox
{
    // EWS: service.FindItems(WellKnownFolderName.Inbox, new ItemView(50, offset)), then
    // EmailMessage.Bind(service, id, new PropertySet(ItemSchema.MimeContent)) for each message.
    public static async Task<int> SaveAsEmlAsync(GraphMailClient mail, string directory, int maxMessages = 500)
    {
        var saved = 0;
        int? offset = 0;
        while (offset is not null && saved < maxMessages)
        {
            var page = await mail.FindItemsAsync(GraphWellKnownFolders.Inbox, offset.Value, pageSize: 50);
            foreach (var summary in page.Items.Take(maxMessages - saved))
            {
                var message = await mail.GetItemAsync(summary.Id, includeMimeContent: true);
                await File.WriteAllBytesAsync(Path.Combine(directory, $"message-{++saved}.eml"), message.GetMimeContent());
            }

            offset = page.NextOffset;
        }

        return saved;
    }
}
