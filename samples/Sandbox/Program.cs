using System.Diagnostics;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using MailKit;
using MailKit.Net.Imap;
using MailKit.Net.Smtp;
using MailKit.Search;
using MailKit.Security;
using MimeKit;
using ModernAuth.Mail;
using ModernAuth.Mail.Diagnostics;
using ModernAuth.Mail.Testing;
using Sandbox;

// The offline sandbox: everything real except the identity provider. Real MSAL talks to a fake Entra ID over
// HTTPS loopback; real Dovecot and Postfix validate its tokens; MailKit speaks XOAUTH2.
var servers = SandboxServers.Load();
using var signingKey = RSA.Create();
signingKey.ImportFromPem(File.ReadAllText(servers.PrivateKeyPem));
await using var entra = new FakeEntraId(new FakeEntraIdOptions { SigningKey = signingKey, KeyId = servers.KeyId });
await using var server = await entra.StartHttpsServerAsync();
Step($"Fake Entra ID listening on {server.BaseAddress} (tenant {servers.TenantId})");

const string SecretAppId = "6a3f1c52-0e1b-4a7e-9d51-5c8f0b0e7a11";
const string CertificateAppId = "0d6c3a9e-51f4-4c1b-8a77-2f3e4d5c6b7a";
const string PublicAppId = "3c2b1a09-8f7e-4d6c-b5a4-938271605f4e";
var secret = Convert.ToBase64String(RandomNumberGenerator.GetBytes(30));
using var certificate = CreateCertificate();
entra.RegisterApplication(servers.TenantId, SecretAppId).WithSecret(secret);
entra.RegisterApplication(servers.TenantId, CertificateAppId).WithCertificate(X509CertificateLoader.LoadCertificate(certificate.Export(X509ContentType.Cert)));
entra.RegisterApplication(servers.TenantId, PublicAppId).AsPublicClient();
entra.DeviceCodeUser = entra.AddUser(servers.TenantId, "adele@contoso.test", "Adele Vance");

// 1. App-only with a client secret.
var secretProvider = new ClientSecretTokenProvider(servers.TenantId, SecretAppId, secret, new ClientSecretTokenProviderOptions().UseFakeEntraId(server));
var smtpToken = await Timed("client secret: token for SMTP as sender@contoso.test", () => secretProvider.GetTokenAsync(new MailTokenRequest(MailProtocol.Smtp, "sender@contoso.test")).AsTask());
await Timed("client secret: the same token again (cache, no request)", () => secretProvider.GetTokenAsync(new MailTokenRequest(MailProtocol.Smtp, "sender@contoso.test")).AsTask());
Inspect(smtpToken, MailProtocol.Smtp, appOnly: true, "sender@contoso.test", SecretAppId);

// 2. App-only with a certificate.
var certificateProvider = new ClientCertificateTokenProvider(servers.TenantId, CertificateAppId, ClientCertificateSource.FromCertificate(certificate),
    new ClientCertificateTokenProviderOptions().UseFakeEntraId(server));
var imapToken = await Timed("client certificate: token for IMAP as adele@contoso.test", () => certificateProvider.GetTokenAsync(new MailTokenRequest(MailProtocol.Imap, "adele@contoso.test")).AsTask());

// 3. A user signs in with a device code; a second provider (as a second run would) is silent from the cache file.
var cacheDirectory = Directory.CreateTempSubdirectory("modernauth-sandbox-").FullName;
DeviceCodeTokenProvider DeviceCode() => new(PublicAppId, new DeviceCodeTokenProviderOptions
{
    TenantId = servers.TenantId,
    TokenCachePath = Path.Combine(cacheDirectory, "token-cache.bin"),
    DeviceCodeCallback = (code, _) =>
    {
        Console.WriteLine($"   device code: open {code.VerificationUri} and enter {code.UserCode} (the fake Entra ID approves as Adele)");
        return Task.CompletedTask;
    },
}.UseFakeEntraId(server));
var delegated = await Timed("device code: sign in as a user for IMAP", () => DeviceCode().GetTokenAsync(new MailTokenRequest(MailProtocol.Imap)).AsTask());
var before = entra.RequestCount;
await Timed("device code: a new provider reads the persisted sign-in", () => DeviceCode().GetTokenAsync(new MailTokenRequest(MailProtocol.Imap)).AsTask());
Console.WriteLine($"   requests to Entra ID for the second run: {entra.RequestCount - before}");
Inspect(delegated, MailProtocol.Imap, appOnly: false, "adele@contoso.test", PublicAppId);

// 4. Send over SMTP with XOAUTH2 (app-only token, as sender@contoso.test), read it back over IMAP (app-only, adele's mailbox).
var subject = $"Sandbox {Guid.NewGuid():N}";
await Timed("SMTP: send with XOAUTH2 to adele@contoso.test", async () =>
{
    using var smtp = new SmtpClient { ServerCertificateValidationCallback = TrustSandboxCertificate };
    await smtp.ConnectAsync(servers.Host, servers.Submission, SecureSocketOptions.StartTls);
    await smtp.AuthenticateAsync(new SaslMechanismOAuth2(smtpToken.Account!, smtpToken.Token));
    var message = new MimeMessage { Subject = subject };
    message.From.Add(MailboxAddress.Parse("sender@contoso.test"));
    message.To.Add(MailboxAddress.Parse("adele@contoso.test"));
    message.Body = new TextPart("plain") { Text = "Sent with OAuth 2.0 through ModernAuth.Mail." };
    await smtp.SendAsync(message);
    await smtp.DisconnectAsync(true);
    return "sent";
});
var found = await Timed("IMAP: find it in adele@contoso.test's inbox with XOAUTH2", async () =>
{
    using var imap = new ImapClient { ServerCertificateValidationCallback = TrustSandboxCertificate };
    await imap.ConnectAsync(servers.Host, servers.Imaps, SecureSocketOptions.SslOnConnect);
    await imap.AuthenticateAsync(new SaslMechanismOAuth2(imapToken.Account!, imapToken.Token));
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

bool TrustSandboxCertificate(object sender, X509Certificate? presented, X509Chain? chain, System.Net.Security.SslPolicyErrors errors) =>
    presented is not null && presented.GetCertHashString() == X509CertificateLoader.LoadCertificateFromFile(servers.TlsCertificate).GetCertHashString();

static void Step(string text) => Console.WriteLine($"== {text}");

static async Task<T> Timed<T>(string what, Func<Task<T>> action)
{
    var watch = Stopwatch.StartNew();
    var result = await action();
    Console.WriteLine($"== {what}: {Describe(result)} ({watch.Elapsed.TotalMilliseconds:F1} ms)");
    return result;
}

static string Describe(object? value) => value is MailAccessToken token ? token.ToString() : value?.ToString() ?? string.Empty;

static void Inspect(MailAccessToken token, MailProtocol protocol, bool appOnly, string mailbox, string clientId)
{
    var result = new TokenInspector(new TokenInspectorOptions { Protocol = protocol, AppOnly = appOnly, Mailbox = mailbox, ClientId = clientId }).Inspect(token.Token);
    Console.WriteLine($"   inspection ({protocol}, {(appOnly ? "app-only" : "delegated")}):");
    foreach (var line in MailFindingFormatter.FormatText(result).Split('\n', StringSplitOptions.RemoveEmptyEntries))
    {
        Console.WriteLine("     " + line);
    }
}

static X509Certificate2 CreateCertificate()
{
    using var rsa = RSA.Create(2048);
    var request = new CertificateRequest("CN=ModernAuth.Mail sandbox app", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
    using var created = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(7));
    return X509CertificateLoader.LoadPkcs12(created.Export(X509ContentType.Pkcs12), null);
}
