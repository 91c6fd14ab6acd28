using System.Diagnostics;
using MailKit;
using MailKit.Net.Imap;
using MailKit.Net.Smtp;
using MailKit.Search;
using MailKit.Security;
using MimeKit;
using ModernAuth.Mail;
using ModernAuth.Mail.Diagnostics;
using ModernAuth.Mail.MailKit;
using ModernAuth.Mail.Samples;
using ModernAuth.Mail.Testing;

// The offline sandbox: everything real except the identity provider. Real MSAL talks to a fake Entra ID over
// HTTPS loopback; real Dovecot and Postfix validate its tokens; MailKit speaks XOAUTH2 through the adapter.
await using var sandbox = await SampleSandbox.StartAsync();
Console.WriteLine($"== Fake Entra ID listening on {sandbox.Server.BaseAddress} (tenant {sandbox.TenantId})");

// 1. App-only with a client secret.
var secretProvider = new ClientSecretTokenProvider(sandbox.TenantId, SampleSandbox.SecretAppId, sandbox.Secret, new ClientSecretTokenProviderOptions().UseFakeEntraId(sandbox.Server));
var smtpToken = await Timed("client secret: token for SMTP as sender@contoso.test", () => secretProvider.GetTokenAsync(new MailTokenRequest(MailProtocol.Smtp, "sender@contoso.test")).AsTask());
await Timed("client secret: the same token again (cache, no request)", () => secretProvider.GetTokenAsync(new MailTokenRequest(MailProtocol.Smtp, "sender@contoso.test")).AsTask());
Inspect(smtpToken, MailProtocol.Smtp, appOnly: true, "sender@contoso.test", SampleSandbox.SecretAppId);

// 2. App-only with a certificate.
var certificateProvider = new ClientCertificateTokenProvider(sandbox.TenantId, SampleSandbox.CertificateAppId, ClientCertificateSource.FromCertificate(sandbox.Certificate),
    new ClientCertificateTokenProviderOptions().UseFakeEntraId(sandbox.Server));
await Timed("client certificate: token for IMAP as adele@contoso.test", () => certificateProvider.GetTokenAsync(new MailTokenRequest(MailProtocol.Imap, SampleSandbox.WorkUser)).AsTask());

// 3. A user signs in with a device code; a second provider (as a second run would) is silent from the cache file.
var cacheDirectory = Directory.CreateTempSubdirectory("modernauth-sandbox-").FullName;
DeviceCodeTokenProvider DeviceCode() => new(SampleSandbox.PublicAppId, new DeviceCodeTokenProviderOptions
{
    TenantId = sandbox.TenantId,
    TokenCachePath = Path.Combine(cacheDirectory, "token-cache.bin"),
    DeviceCodeCallback = (code, _) =>
    {
        Console.WriteLine($"   device code: open {code.VerificationUri} and enter {code.UserCode} (the fake Entra ID approves as Adele)");
        return Task.CompletedTask;
    },
}.UseFakeEntraId(sandbox.Server));
var delegated = await Timed("device code: sign in as a user for IMAP", () => DeviceCode().GetTokenAsync(new MailTokenRequest(MailProtocol.Imap)).AsTask());
var before = sandbox.Entra.RequestCount;
await Timed("device code: a new provider reads the persisted sign-in", () => DeviceCode().GetTokenAsync(new MailTokenRequest(MailProtocol.Imap)).AsTask());
Console.WriteLine($"   requests to Entra ID for the second run: {sandbox.Entra.RequestCount - before}");
Inspect(delegated, MailProtocol.Imap, appOnly: false, SampleSandbox.WorkUser, SampleSandbox.PublicAppId);

// 4. Send over SMTP with XOAUTH2 (app-only, as sender@contoso.test), read it back over IMAP (app-only, adele's mailbox).
var subject = $"Sandbox {Guid.NewGuid():N}";
await Timed("SMTP: send with XOAUTH2 to adele@contoso.test", async () =>
{
    using var smtp = new SmtpClient(new MailKitProtocolLogger()) { ServerCertificateValidationCallback = sandbox.TrustServerCertificate };
    await smtp.ConnectAsync(sandbox.Host, sandbox.SubmissionPort, SecureSocketOptions.StartTls);
    await smtp.AuthenticateAsync(secretProvider, "sender@contoso.test");
    var message = new MimeMessage { Subject = subject };
    message.From.Add(MailboxAddress.Parse("sender@contoso.test"));
    message.To.Add(MailboxAddress.Parse(SampleSandbox.WorkUser));
    message.Body = new TextPart("plain") { Text = "Sent with OAuth 2.0 through ModernAuth.Mail." };
    await smtp.SendAsync(message);
    await smtp.DisconnectAsync(true);
    return "sent";
});
var found = await Timed("IMAP: find it in adele@contoso.test's inbox with XOAUTH2", async () =>
{
    using var imap = new ImapClient(new MailKitProtocolLogger()) { ServerCertificateValidationCallback = sandbox.TrustServerCertificate };
    await imap.ConnectAsync(sandbox.Host, sandbox.ImapsPort, SecureSocketOptions.SslOnConnect);
    await imap.AuthenticateAsync(certificateProvider, SampleSandbox.WorkUser);
    await imap.Inbox.OpenAsync(FolderAccess.ReadOnly);
    var deadline = Stopwatch.StartNew();
    while (deadline.Elapsed < TimeSpan.FromSeconds(20))
    {
        var uids = await imap.Inbox.SearchAsync(SearchQuery.SubjectContains(subject));
        if (uids.Count > 0)
        {
            var message = await imap.Inbox.GetMessageAsync(uids[0]);
            return $"\"{message.Subject}\" from {message.From}";
        }

        await Task.Delay(200);
        await imap.NoOpAsync();
    }

    throw new InvalidOperationException("The message did not arrive within 20 seconds: see the Postfix log in the servers' state directory.");
});
Console.WriteLine();
Console.WriteLine($"Done: tokens from three flows, inspected, and mail sent and read with OAuth ({found}).");
return 0;

static async Task<T> Timed<T>(string what, Func<Task<T>> action)
{
    var watch = Stopwatch.StartNew();
    var result = await action();
    Console.WriteLine($"== {what}: {(result is MailAccessToken token ? token.ToString() : result?.ToString())} ({watch.Elapsed.TotalMilliseconds:F1} ms)");
    return result;
}

static void Inspect(MailAccessToken token, MailProtocol protocol, bool appOnly, string mailbox, string clientId)
{
    var result = new TokenInspector(new TokenInspectorOptions { Protocol = protocol, AppOnly = appOnly, Mailbox = mailbox, ClientId = clientId }).Inspect(token.Token);
    Console.WriteLine($"   inspection ({protocol}, {(appOnly ? "app-only" : "delegated")}):");
    foreach (var line in MailFindingFormatter.FormatText(result).Split('\n', StringSplitOptions.RemoveEmptyEntries))
    {
        Console.WriteLine("     " + line);
    }
}
