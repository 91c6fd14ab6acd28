using ModernAuth.Mail.Samples;

// BEFORE: a legacy sender with a password. Against Exchange Online this stops working: SMTP AUTH Basic is turned off
// by default at the end of December 2026 and then removed ("550 5.7.30 Basic authentication is not supported for
// Client Submission."). In the sandbox it logs in to the local Postfix as its password user.
await using var sandbox = await SampleSandbox.StartAsync();
var recipient = Environment.GetEnvironmentVariable("MODERNAUTH_MAIL_TO") ?? SampleSandbox.WorkUser;
LegacySystemNetMail.PasswordSenders.SendWithSystemNetMail(sandbox.Host, sandbox.SubmissionPort, sandbox.PasswordUser, sandbox.Password, recipient, sandbox.TrustServerCertificate);
await LegacySystemNetMail.PasswordSenders.SendWithMailKitAsync(sandbox.Host, sandbox.SubmissionPort, sandbox.PasswordUser, sandbox.Password, recipient, sandbox.TrustServerCertificate);
Console.WriteLine($"LegacySystemNetMail/Before: sent two messages to {recipient} with a password (System.Net.Mail and MailKit): this is what stops working.");
return 0;
