// docs/graph.md, "The SDK client with your provider": the block below is the doc's, word for word (GraphDocSnippetsTests runs it).
using Microsoft.Graph;
using ModernAuth.Mail;
using ModernAuth.Mail.Graph;

public static class GraphSdkWithProvider
{
    public static GraphServiceClient Create(MailTokenProvider provider) =>
        new(new GraphAuthenticationProvider(provider));

    public static async Task<int?> InboxCountAsync(GraphServiceClient graph, string mailbox)
    {
        var folder = await graph.Users[mailbox].MailFolders["inbox"].GetAsync();
        return folder?.TotalItemCount;
    }
}
