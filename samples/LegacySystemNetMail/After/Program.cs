using ModernAuth.Mail;
using ModernAuth.Mail.MailKit;
using ModernAuth.Mail.Samples;
using ModernAuth.Mail.Testing;

// AFTER: the same legacy sender moved to OAuth 2.0: MailKit with a ModernAuth.Mail token provider (app-only, client
// secret). Real tenant: MODERNAUTH_MAIL_TENANT_ID, _CLIENT_ID, _CLIENT_SECRET, _MAILBOX (the sender), _TO.
// Without MODERNAUTH_MAIL_CLIENT_ID it runs against the offline sandbox.
var clientId = Environment.GetEnvironmentVariable("MODERNAUTH_MAIL_CLIENT_ID");
await using var sandbox = clientId is null ? await SampleSandbox.StartAsync() : null;
var tenantId = Environment.GetEnvironmentVariable("MODERNAUTH_MAIL_TENANT_ID") ?? sandbox?.TenantId
    ?? throw new InvalidOperationException("Set MODERNAUTH_MAIL_TENANT_ID.");
var clientSecret = Environment.GetEnvironmentVariable("MODERNAUTH_MAIL_CLIENT_SECRET") ?? sandbox?.Secret
    ?? throw new InvalidOperationException("Set MODERNAUTH_MAIL_CLIENT_SECRET.");
var sender = Environment.GetEnvironmentVariable("MODERNAUTH_MAIL_MAILBOX") ?? SampleSandbox.WorkUser;
var recipient = Environment.GetEnvironmentVariable("MODERNAUTH_MAIL_TO") ?? SampleSandbox.WorkUser;

var options = new ClientSecretTokenProviderOptions();
var connect = new MailKitConnectOptions();
if (sandbox is not null)
{
    options.UseFakeEntraId(sandbox.Server);
    connect.Cloud = sandbox.Cloud(MailCloud.Global);
    connect.ServerCertificateValidationCallback = sandbox.TrustServerCertificate;
}

var provider = new ClientSecretTokenProvider(tenantId, clientId ?? SampleSandbox.SecretAppId, clientSecret, options);
await LegacySystemNetMail.OAuthSenders.SendWithMailKitAsync(provider, sender, recipient, connect);
Console.WriteLine($"LegacySystemNetMail/After: sent to {recipient} as {sender} over SMTP with XOAUTH2: no password anywhere.");
return 0;
