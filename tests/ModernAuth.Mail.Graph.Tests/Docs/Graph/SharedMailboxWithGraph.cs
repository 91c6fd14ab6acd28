// docs/graph.md, "The typed client": the block below is the doc's, word for word (GraphDocSnippetsTests runs it).
using MimeKit;
using ModernAuth.Mail;
using ModernAuth.Mail.Graph;

public static class SharedMailboxWithGraph
{
    public static async Task SendAndReadAsync(string tenantId, string clientId, string clientSecret, MimeMessage message)
    {
        var provider = new ClientSecretTokenProvider(tenantId, clientId, clientSecret);
        using var mail = new GraphMailClient(provider, "shared@contoso.com");
        await ArchiveNewestAsync(mail, message);
    }

    public static async Task ArchiveNewestAsync(GraphMailClient mail, MimeMessage message)
    {
        await mail.SendMessageAsync(message);
        var inbox = await mail.FindItemsAsync(GraphWellKnownFolders.Inbox, pageSize: 10);
        var newest = await mail.GetItemAsync(inbox.Items[0].Id);
        await mail.MoveItemAsync(newest.Id, GraphWellKnownFolders.DeletedItems);
    }
}
