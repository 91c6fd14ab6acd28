using EwsAppOnly;
using ModernAuth.Mail;
using ModernAuth.Mail.Ews;
using ModernAuth.Mail.Testing;

// App-only EWS against Exchange Online: lists the Inbox of a mailbox and saves its newest messages as .eml files.
// Real tenant: set MODERNAUTH_MAIL_TENANT_ID, MODERNAUTH_MAIL_CLIENT_ID, MODERNAUTH_MAIL_CLIENT_SECRET and
// MODERNAUTH_MAIL_MAILBOX (the app needs the application permission full_access_as_app, admin consented: docs/ews.md).
// Without MODERNAUTH_MAIL_CLIENT_ID it runs offline: it starts a fake Entra ID and a fake EWS server itself
// (ModernAuth.Mail.Testing), with a mailbox holding a few messages. eng/test.sh runs it that way.
var clientId = Environment.GetEnvironmentVariable("MODERNAUTH_MAIL_CLIENT_ID");
var mailbox = Environment.GetEnvironmentVariable("MODERNAUTH_MAIL_MAILBOX") ?? Sandbox.Mailbox;
if (clientId is not null)
{
    var tenantId = Environment.GetEnvironmentVariable("MODERNAUTH_MAIL_TENANT_ID");
    var clientSecret = Environment.GetEnvironmentVariable("MODERNAUTH_MAIL_CLIENT_SECRET");
    if (string.IsNullOrEmpty(tenantId) || string.IsNullOrEmpty(clientSecret))
    {
        Console.Error.WriteLine("Set MODERNAUTH_MAIL_TENANT_ID, MODERNAUTH_MAIL_CLIENT_SECRET and MODERNAUTH_MAIL_MAILBOX too, then run again. See docs/ews.md.");
        return 2;
    }

    await EwsSnippets.AppOnlyInboxAsync(tenantId, clientId, clientSecret, mailbox);
    return 0;
}

// The sandbox: the same calls, with the token provider and the EWS client pointed at the fakes.
using var entra = new FakeEntraId();
entra.RegisterApplication(Sandbox.TenantId, Sandbox.ClientId).WithSecret(Sandbox.Secret);
await using var server = await FakeEwsServer.StartAsync(entra, Sandbox.TenantId);
var fake = server.AddMailbox(mailbox);
for (var i = 1; i <= 3; i++)
{
    fake.AddMessage("inbox", $"Invoice {40 + i}");
}

var provider = new ClientSecretTokenProvider(Sandbox.TenantId, Sandbox.ClientId, Sandbox.Secret, new ClientSecretTokenProviderOptions().UseFakeEntraId(entra));
using var transport = server.CreateTrustingHandler();
using var ews = new EwsClient(provider, mailbox, new EwsClientOptions { Endpoint = server.Endpoint, Transport = transport });
var inbox = await ews.GetFolderAsync(EwsFolderId.Inbox);
Console.WriteLine($"{inbox.DisplayName}: {inbox.TotalCount} items, {inbox.UnreadCount} unread");

// The .eml files go to a temporary directory, not wherever the sample was started.
var output = Directory.CreateTempSubdirectory("ews-app-only-").FullName;
Environment.CurrentDirectory = output;
await EwsSnippets.ExportInboxAsync(ews, maxMessages: 10);
var saved = Directory.GetFiles(output, "*.eml").Length;
Directory.Delete(output, recursive: true);
Console.WriteLine($"EwsAppOnly: read the Inbox of {mailbox} and saved {saved} message(s) over EWS with an app-only token (sandbox).");
return saved == inbox.TotalCount ? 0 : 1;

/// <summary>The sandbox's tenant, app registration and mailbox (made up; they only open the fakes this process starts).</summary>
internal static class Sandbox
{
    public const string TenantId = "11111111-2222-3333-4444-555555555555";
    public const string ClientId = "6a3f1c52-0e1b-4a7e-9d51-5c8f0b0e7a11";
    public const string Secret = "sandbox-secret-known-to-the-fake-entra-id-only";
    public const string Mailbox = "shared@contoso.test";
}
