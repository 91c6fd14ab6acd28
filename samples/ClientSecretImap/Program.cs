using ModernAuth.Mail;
using ModernAuth.Mail.MailKit;
using ModernAuth.Mail.Samples;
using ModernAuth.Mail.Testing;

// App-only with a client secret: read the newest messages of a mailbox over IMAP.
// Real tenant: set MODERNAUTH_MAIL_TENANT_ID, MODERNAUTH_MAIL_CLIENT_ID, MODERNAUTH_MAIL_CLIENT_SECRET and
// MODERNAUTH_MAIL_MAILBOX (the app needs IMAP.AccessAsApp, an Exchange service principal and FullAccess on the
// mailbox: docs/app-registration.md). Without MODERNAUTH_MAIL_CLIENT_ID it runs against the offline sandbox.
var clientId = Environment.GetEnvironmentVariable("MODERNAUTH_MAIL_CLIENT_ID");
await using var sandbox = clientId is null ? await SampleSandbox.StartAsync() : null;
var tenantId = Environment.GetEnvironmentVariable("MODERNAUTH_MAIL_TENANT_ID") ?? sandbox?.TenantId
    ?? throw new InvalidOperationException("Set MODERNAUTH_MAIL_TENANT_ID.");
var clientSecret = Environment.GetEnvironmentVariable("MODERNAUTH_MAIL_CLIENT_SECRET") ?? sandbox?.Secret
    ?? throw new InvalidOperationException("Set MODERNAUTH_MAIL_CLIENT_SECRET.");
var mailbox = Environment.GetEnvironmentVariable("MODERNAUTH_MAIL_MAILBOX") ?? SampleSandbox.WorkUser;

var options = new ClientSecretTokenProviderOptions();
var connect = new MailKitConnectOptions();
if (sandbox is not null)
{
    options.UseFakeEntraId(sandbox.Server);
    connect.Cloud = sandbox.Cloud(MailCloud.Global);
    connect.ServerCertificateValidationCallback = sandbox.TrustServerCertificate;
}

var provider = new ClientSecretTokenProvider(tenantId, clientId ?? SampleSandbox.SecretAppId, clientSecret, options);
var subjects = await ClientSecretImap.Inbox.NewestSubjectsAsync(provider, mailbox, connect);
foreach (var subject in subjects)
{
    Console.WriteLine($"  {subject}");
}

Console.WriteLine($"ClientSecretImap: read {subjects.Count} newest message(s) of {mailbox} over IMAP with an app-only token.");
return 0;
