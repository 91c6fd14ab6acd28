using Microsoft.Graph;
using MimeKit;
using ModernAuth.Mail.Graph;

namespace ModernAuth.Mail.Graph.Tests.Docs;

/// <summary>The C# blocks of docs/graph.md, compiled here (DocsSnippetsTests checks they appear in compiled source).</summary>
internal static class GraphDocSnippets
{
    public static async Task SendAndReadAsync(string tenantId, string clientId, string clientSecret, MimeMessage message)
    {
        var provider = new ClientSecretTokenProvider(tenantId, clientId, clientSecret);
        using var mail = new GraphMailClient(provider, "shared@contoso.com");
        await mail.SendMessageAsync(message);
        var inbox = await mail.FindItemsAsync(GraphWellKnownFolders.Inbox, pageSize: 10);
        var first = await mail.GetItemAsync(inbox.Items[0].Id);
        await mail.MoveItemAsync(first.Id, GraphWellKnownFolders.DeletedItems);
    }

    public static async Task BridgeAsync(MailTokenProvider provider)
    {
        var graph = new GraphServiceClient(new GraphAuthenticationProvider(provider));
        var folder = await graph.Users["shared@contoso.com"].MailFolders["inbox"].GetAsync();
        Console.WriteLine(folder?.TotalItemCount);
    }
}
