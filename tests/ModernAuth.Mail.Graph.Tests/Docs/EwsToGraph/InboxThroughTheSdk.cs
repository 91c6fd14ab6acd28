// docs/ews-to-graph.md, "Everything else": the block below is the doc's, word for word (EwsToGraphSnippetsTests runs it).
using ModernAuth.Mail.Graph;

public static class InboxThroughTheSdk
{
    // EWS: service.FindItems(WellKnownFolderName.Inbox, new ItemView(10) { PropertySet = ... }) with chosen properties.
    public static async Task<IReadOnlyList<string>> NewestSubjectsAsync(GraphMailClient mail)
    {
        var page = await mail.Graph.Users[mail.Mailbox].MailFolders["inbox"].Messages.GetAsync(request =>
        {
            request.QueryParameters.Top = 10;
            request.QueryParameters.Select = ["subject", "from", "receivedDateTime"];
            request.QueryParameters.Orderby = ["receivedDateTime desc"];
        });
        return page?.Value?.Select(m => m.Subject ?? "(no subject)").ToList() ?? [];
    }
}
