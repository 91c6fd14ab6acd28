using System.Net.Mail;
using LegacySystemNetMail;
using ModernAuth.Mail;
using ModernAuth.Mail.MailKit;
using ModernAuth.Mail.Samples;
using ModernAuth.Mail.Testing;

// AFTER: the same legacy sender moved to OAuth 2.0. Only the client changed: ModernAuthSmtpClient with a token provider
// (app-only, client secret) instead of SmtpClient with a password; the messages, the Send calls and the catch blocks
// stay. docs/smtpclient.md shows the diff with Before/Program.cs, and a test checks that nothing else differs.
// With a real tenant: new ClientSecretTokenProvider(tenantId, clientId, clientSecret) and no connect options (the
// client then sends to smtp.office365.com:587 with STARTTLS).
await using var sandbox = await SampleSandbox.StartAsync();
var sender = SampleSandbox.WorkUser;
var recipient = Environment.GetEnvironmentVariable("MODERNAUTH_MAIL_TO") ?? SampleSandbox.WorkUser;
var provider = new ClientSecretTokenProvider(sandbox.TenantId, SampleSandbox.SecretAppId, sandbox.Secret, new ClientSecretTokenProviderOptions().UseFakeEntraId(sandbox.Server));
var connect = new MailKitConnectOptions { Cloud = sandbox.Cloud(MailCloud.Global), ServerCertificateValidationCallback = sandbox.TrustServerCertificate };

using var client = new ModernAuthSmtpClient(provider, connect)
{
    EnableSsl = true,
};
foreach (var message in LegacyMessages.Create(sender, recipient, cc: recipient, bcc: recipient, tag: "(sample)"))
{
    using (message)
    {
        client.Send(message);
    }
}

await client.SendMailAsync(sender, recipient, "The short form (sample)", "Sent with SendMailAsync(from, to, subject, body).");
Console.WriteLine($"LegacySystemNetMail: sent {LegacyMessages.Count + 1} messages to {recipient} with {client.GetType().FullName}.");
return 0;
