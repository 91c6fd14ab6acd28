using GraphAppOnly;
using ModernAuth.Mail;
using ModernAuth.Mail.Graph;
using ModernAuth.Mail.Samples;
using ModernAuth.Mail.Testing;

// App-only Microsoft Graph: a service sends a report as a shared mailbox and reads it back from that mailbox's Inbox.
// Real tenant: set MODERNAUTH_MAIL_TENANT_ID, MODERNAUTH_MAIL_CLIENT_ID, MODERNAUTH_MAIL_CLIENT_SECRET and
// MODERNAUTH_MAIL_MAILBOX (the shared mailbox). The app needs the Microsoft Graph application permissions Mail.ReadWrite
// and Mail.Send with admin consent, best scoped to that mailbox with an application access policy (docs/graph.md).
// Without MODERNAUTH_MAIL_CLIENT_ID it runs against the offline sandbox (eng/test-servers.sh start) and a fake Graph.
var clientId = Environment.GetEnvironmentVariable("MODERNAUTH_MAIL_CLIENT_ID");
await using var sandbox = clientId is null ? await SampleSandbox.StartAsync() : null;
await using var fakeGraph = sandbox is null ? null : await SampleGraph.StartAsync(sandbox);
var tenantId = Environment.GetEnvironmentVariable("MODERNAUTH_MAIL_TENANT_ID") ?? sandbox?.TenantId
    ?? throw new InvalidOperationException("Set MODERNAUTH_MAIL_TENANT_ID.");
var clientSecret = Environment.GetEnvironmentVariable("MODERNAUTH_MAIL_CLIENT_SECRET") ?? sandbox?.Secret
    ?? throw new InvalidOperationException("Set MODERNAUTH_MAIL_CLIENT_SECRET.");
var mailbox = Environment.GetEnvironmentVariable("MODERNAUTH_MAIL_MAILBOX") ?? SampleGraph.SharedMailbox;

var options = new ClientSecretTokenProviderOptions();
if (sandbox is not null)
{
    options.UseFakeEntraId(sandbox.Server);
}

var provider = new ClientSecretTokenProvider(tenantId, clientId ?? SampleSandbox.SecretAppId, clientSecret, options);

// The only difference in the sandbox: the client talks to the fake Graph instead of graph.microsoft.com.
using var mail = new GraphMailClient(provider, mailbox, fakeGraph?.ClientOptions());
var subject = $"GraphAppOnly {Guid.NewGuid():N}";
try
{
    var size = await SharedMailbox.SendReportAsync(mail, subject);
    Console.WriteLine($"sent '{subject}' as {mailbox} with a {size / 1024} KB attachment through {mail.Endpoint}");
    var received = await SharedMailbox.ReadAsync(mail, subject, TimeSpan.FromSeconds(60));
    if (received is null)
    {
        Console.Error.WriteLine($"GraphAppOnly: the message did not arrive in the Inbox of {mailbox} within 60 s.");
        return 1;
    }

    var attachment = received.Attachments.OfType<MimeKit.MimePart>().Single();
    Console.WriteLine($"GraphAppOnly: sent and read back '{received.Subject}' ({attachment.FileName}) in the Inbox of {mailbox} through Microsoft Graph with an app-only token{(sandbox is null ? string.Empty : " (sandbox)")}.");
    return 0;
}
catch (Exception e) when (SampleGraph.Explain(e))
{
    // GraphMailException or MailAuthenticationException: ErrorCode, Message and Remedy say what happened and the fix
    // (for example graph_access_policy_denied, with the PowerShell that lets the app into the mailbox).
    return 1;
}
