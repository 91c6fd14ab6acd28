using EwsAppOnly;

// App-only EWS against Exchange Online: lists the Inbox of a mailbox and saves its newest messages as .eml files.
// Needs an app registration with the application permission full_access_as_app (admin consented).
var tenantId = Environment.GetEnvironmentVariable("EWS_TENANT_ID");
var clientId = Environment.GetEnvironmentVariable("EWS_CLIENT_ID");
var clientSecret = Environment.GetEnvironmentVariable("EWS_CLIENT_SECRET");
var mailbox = Environment.GetEnvironmentVariable("EWS_MAILBOX");
if (string.IsNullOrEmpty(tenantId) || string.IsNullOrEmpty(clientId) || string.IsNullOrEmpty(clientSecret) || string.IsNullOrEmpty(mailbox))
{
    Console.Error.WriteLine("Set EWS_TENANT_ID, EWS_CLIENT_ID, EWS_CLIENT_SECRET and EWS_MAILBOX, then run again. See docs/ews.md.");
    return 2;
}

await EwsSnippets.AppOnlyInboxAsync(tenantId, clientId, clientSecret, mailbox);
return 0;
