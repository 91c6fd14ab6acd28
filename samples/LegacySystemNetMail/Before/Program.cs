using System.Net;
using System.Net.Mail;
using LegacySystemNetMail;
using ModernAuth.Mail.Samples;

// BEFORE: a legacy System.Net.Mail sender with a password. Against Exchange Online this stops working: SMTP AUTH Basic
// is turned off by default at the end of December 2026 and then removed ("550 5.7.30 Basic authentication is not
// supported for Client Submission."). In the sandbox it logs in to the local Postfix as its password user.
// After/Program.cs is this file with SmtpClient swapped for ModernAuthSmtpClient; docs/smtpclient.md shows the diff,
// and a test checks that nothing else differs.
await using var sandbox = await SampleSandbox.StartAsync();
var sender = SampleSandbox.WorkUser;
var recipient = Environment.GetEnvironmentVariable("MODERNAUTH_MAIL_TO") ?? SampleSandbox.WorkUser;
#pragma warning disable SYSLIB0014 // System.Net.Mail has no certificate hook of its own: trust the sandbox's process-wide.
ServicePointManager.ServerCertificateValidationCallback = sandbox.TrustServerCertificate;
#pragma warning restore SYSLIB0014

using var client = new SmtpClient(sandbox.Host, sandbox.SubmissionPort)
{
    EnableSsl = true,
    Credentials = new NetworkCredential(sandbox.PasswordUser, sandbox.Password),
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
