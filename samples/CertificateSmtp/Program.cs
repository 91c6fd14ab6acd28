using ModernAuth.Mail;
using ModernAuth.Mail.MailKit;
using ModernAuth.Mail.Samples;
using ModernAuth.Mail.Testing;

// App-only with a certificate: send a message over SMTP (XOAUTH2 on smtp.office365.com:587 with STARTTLS).
// Real tenant: set MODERNAUTH_MAIL_TENANT_ID, MODERNAUTH_MAIL_CLIENT_ID, MODERNAUTH_MAIL_CERTIFICATE_PATH (a .pfx,
// password in MODERNAUTH_MAIL_CERTIFICATE_PASSWORD), MODERNAUTH_MAIL_MAILBOX (the sender) and MODERNAUTH_MAIL_TO.
// The app needs SMTP.SendAsApp, an Exchange service principal and the right to send as the mailbox
// (docs/app-registration.md). Without MODERNAUTH_MAIL_CLIENT_ID it runs against the offline sandbox.
var clientId = Environment.GetEnvironmentVariable("MODERNAUTH_MAIL_CLIENT_ID");
await using var sandbox = clientId is null ? await SampleSandbox.StartAsync() : null;
var tenantId = Environment.GetEnvironmentVariable("MODERNAUTH_MAIL_TENANT_ID") ?? sandbox?.TenantId
    ?? throw new InvalidOperationException("Set MODERNAUTH_MAIL_TENANT_ID.");
var certificatePath = Environment.GetEnvironmentVariable("MODERNAUTH_MAIL_CERTIFICATE_PATH");
var certificate = certificatePath is not null
    ? ClientCertificateSource.FromPfxFile(certificatePath, Environment.GetEnvironmentVariable("MODERNAUTH_MAIL_CERTIFICATE_PASSWORD"))
    : ClientCertificateSource.FromCertificate(sandbox?.Certificate ?? throw new InvalidOperationException("Set MODERNAUTH_MAIL_CERTIFICATE_PATH."));
var sender = Environment.GetEnvironmentVariable("MODERNAUTH_MAIL_MAILBOX") ?? SampleSandbox.WorkUser;
var recipient = Environment.GetEnvironmentVariable("MODERNAUTH_MAIL_TO") ?? SampleSandbox.WorkUser;

var options = new ClientCertificateTokenProviderOptions();
var connect = new MailKitConnectOptions();
if (sandbox is not null)
{
    options.UseFakeEntraId(sandbox.Server);
    connect.Cloud = sandbox.Cloud(MailCloud.Global);
    connect.ServerCertificateValidationCallback = sandbox.TrustServerCertificate;
}

var provider = new ClientCertificateTokenProvider(tenantId, clientId ?? SampleSandbox.CertificateAppId, certificate, options);
var messageId = await CertificateSmtp.Sender.SendAsync(provider, sender, recipient, "Sent with a certificate", "App-only OAuth 2.0 over SMTP.", connect);
Console.WriteLine($"CertificateSmtp: sent <{messageId}> from {sender} to {recipient} over SMTP with an app-only token (certificate).");
return 0;
