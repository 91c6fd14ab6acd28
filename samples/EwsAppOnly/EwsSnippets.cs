using System.Text;
using ModernAuth.Mail;
using ModernAuth.Mail.Ews;

namespace EwsAppOnly;

/// <summary>docs/ews.md's code. Each snippet is shown verbatim in the docs (a test checks it).</summary>
public static class EwsSnippets
{
    public static async Task AppOnlyInboxAsync(string tenantId, string clientId, string clientSecret, string mailbox)
    {
        // snippet: app-only
        var provider = new ClientSecretTokenProvider(tenantId, clientId, clientSecret);
        using var ews = new EwsClient(provider, mailbox);
        var inbox = await ews.GetFolderAsync(EwsFolderId.Inbox);
        Console.WriteLine($"{inbox.DisplayName}: {inbox.TotalCount} items, {inbox.UnreadCount} unread");
        // end-snippet

        await ExportInboxAsync(ews, maxMessages: 10);
    }

    public static async Task ExportInboxAsync(EwsClient ews, int maxMessages)
    {
        // snippet: paging
        var saved = 0;
        int? offset = 0;
        while (offset is not null && saved < maxMessages)
        {
            var page = await ews.FindItemsAsync(EwsFolderId.Inbox, offset.Value, pageSize: 50);
            foreach (var summary in page.Items.Take(maxMessages - saved))
            {
                var message = await ews.GetItemAsync(summary.Id, includeMimeContent: true);
                await File.WriteAllBytesAsync($"message-{++saved}.eml", message.GetMimeContent());
            }

            offset = page.NextOffset;
        }
        // end-snippet
    }

    public static async Task DelegatedAsync(string tenantId, string clientId)
    {
        // snippet: delegated
        var provider = new DeviceCodeTokenProvider(clientId, new DeviceCodeTokenProviderOptions { TenantId = tenantId });
        using var ews = new EwsClient(provider, "adele@contoso.com");
        var drafts = await ews.GetFolderAsync(EwsFolderId.Drafts);
        // end-snippet
        Console.WriteLine(drafts);
    }

    public static async Task SendAsync(EwsClient ews)
    {
        // snippet: send
        var mime = Encoding.UTF8.GetBytes(
            "From: shared@contoso.com\r\nTo: bob@fabrikam.com\r\nSubject: Invoice 42\r\n" +
            "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nPlease find the invoice attached.\r\n");
        await ews.SendMimeAsync(mime, saveCopy: true);

        var draft = await ews.CreateItemFromMimeAsync(mime);
        await ews.SendItemAsync(draft);
        // end-snippet
    }

    public static async Task MoveAndDeleteAsync(EwsClient ews, EwsItemId itemId)
    {
        // snippet: move-delete
        var movedId = await ews.MoveItemAsync(itemId, EwsFolderId.WellKnown("archive"));
        await ews.DeleteItemAsync(movedId ?? itemId, EwsDeleteMode.SoftDelete);
        // end-snippet
    }

    public static async Task<string?> SyncAsync(EwsClient ews, string? syncState)
    {
        // snippet: sync
        EwsSyncResult result;
        do
        {
            try
            {
                result = await ews.SyncFolderItemsAsync(EwsFolderId.Inbox, syncState);
            }
            catch (EwsException e) when (e.ResponseCode == "ErrorInvalidSyncStateData")
            {
                result = await ews.SyncFolderItemsAsync(EwsFolderId.Inbox, syncState: null);
            }

            foreach (var change in result.Changes)
            {
                Console.WriteLine($"{change.ChangeType} {change.ItemId.Id} {change.Item?.Subject}");
            }

            syncState = result.SyncState;
        }
        while (!result.IncludesLastItemInRange);
        // end-snippet
        return syncState;
    }

    public static async Task<string> HandlerAsync(MailTokenProvider provider, string soapEnvelope)
    {
        // snippet: handler
        var handler = new EwsAuthenticationHandler(provider, "shared@contoso.com")
        {
            InnerHandler = new HttpClientHandler(),
        };
        using var http = new HttpClient(handler);
        using var content = new StringContent(soapEnvelope, Encoding.UTF8, "text/xml");
        using var response = await http.PostAsync(new Uri("https://outlook.office365.com/EWS/Exchange.asmx"), content);
        var xml = await response.Content.ReadAsStringAsync();
        // end-snippet
        return xml;
    }

    public static async Task ErrorsAsync(EwsClient ews)
    {
        // snippet: errors
        try
        {
            await ews.GetFolderAsync(EwsFolderId.Inbox);
        }
        catch (MailAuthenticationException e)
        {
            Console.Error.WriteLine($"{e.ErrorCode}: {e.Message}");
        }
        catch (EwsException e) when (e.IsRetryable)
        {
            Console.Error.WriteLine($"Try again in {e.RetryAfter ?? TimeSpan.FromMinutes(1)}: {e.ResponseCode ?? e.ErrorCode}");
        }
        // end-snippet
    }

    public static EwsClient OnPremises(string clientId)
    {
        // snippet: on-premises
        var cloud = MailCloud.Global with { ExchangeResource = new Uri("https://mail.contoso.com") };
        var provider = new DeviceCodeTokenProvider(clientId, new DeviceCodeTokenProviderOptions { Cloud = cloud, TenantId = "contoso.com" });
        var ews = new EwsClient(provider, "adele@contoso.com", new EwsClientOptions
        {
            Endpoint = new Uri("https://mail.contoso.com/EWS/Exchange.asmx"),
            RequestServerVersion = "Exchange2013_SP1",
        });
        // end-snippet
        return ews;
    }
}
