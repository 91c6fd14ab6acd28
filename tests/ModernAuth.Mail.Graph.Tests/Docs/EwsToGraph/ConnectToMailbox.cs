// docs/ews-to-graph.md, "Connecting": the block below is the doc's, word for word (EwsToGraphSnippetsTests runs it).
using ModernAuth.Mail;
using ModernAuth.Mail.Graph;

public static class ConnectToMailbox
{
    // EWS: ExchangeService + OAuthCredentials + ImpersonatedUserId + the X-AnchorMailbox header.
    public static GraphMailClient AppOnly(string tenantId, string clientId, string clientSecret, string mailbox)
    {
        var provider = new ClientSecretTokenProvider(tenantId, clientId, clientSecret);
        return new GraphMailClient(provider, mailbox);
    }

    // EWS: ExchangeService + OAuthCredentials for the signed-in user (no impersonation).
    public static GraphMailClient Delegated(string tenantId, string clientId, string userAddress)
    {
        var provider = new DeviceCodeTokenProvider(clientId, new DeviceCodeTokenProviderOptions { TenantId = tenantId });
        return new GraphMailClient(provider, userAddress);
    }
}
