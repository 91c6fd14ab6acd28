using DeviceCodePersonalImap;
using ModernAuth.Mail;
using ModernAuth.Mail.Diagnostics;
using ModernAuth.Mail.Samples;
using ModernAuth.Mail.Testing;

// A user of a personal Microsoft account (outlook.com, hotmail.com, live.com) signs in once with a device code and
// reads their inbox over IMAP; later runs are silent from the token cache file. Real account: set
// MODERNAUTH_MAIL_CLIENT_ID to an app registration that allows personal accounts and public client flows
// (docs/app-registration.md) and turn IMAP on in Outlook.com's settings. Without it, it runs against the sandbox.
var clientId = Environment.GetEnvironmentVariable("MODERNAUTH_MAIL_CLIENT_ID");
await using var sandbox = clientId is null ? await SampleSandbox.StartAsync() : null;
var cachePath = Environment.GetEnvironmentVariable("MODERNAUTH_MAIL_TOKEN_CACHE")
    ?? Path.Combine(Path.GetTempPath(), $"modernauth-sample-{Environment.ProcessId}", "token-cache.bin");

// 1. The personal account: authority /consumers, the delegated IMAP scope; the token is opaque (EwA.../EwB...).
sandbox?.SignInAs(personal: true);
var personal = Personal.CreateProvider(clientId ?? SampleSandbox.PublicAppId, cachePath, sandbox);
var token = await personal.GetTokenAsync(new MailTokenRequest(MailProtocol.Imap));
var inspection = new TokenInspector(new TokenInspectorOptions { Protocol = MailProtocol.Imap, AppOnly = false, Cloud = personal.Cloud }).Inspect(token.Token);
Console.WriteLine($"personal account {token.Account}: token is {inspection.Summary.Kind} ({(inspection.HasErrors ? "with errors" : "no errors: an opaque token is normal")}), fingerprint {token.Fingerprint}");

if (sandbox is null)
{
    // Against Outlook.com the same token opens the mailbox.
    Console.WriteLine($"DeviceCodePersonalImap: {await Personal.CountInboxAsync(personal, null)} message(s) in the inbox of {token.Account}.");
    return 0;
}

// 2. In the sandbox, the local Dovecot validates JWTs only (it has the fake Entra ID's signing key, and a personal
// account's token is opaque and encrypted: only Microsoft can read it), so the IMAP part runs with the sandbox's work
// account instead, signed in through the same device code flow against the sandbox tenant.
sandbox.SignInAs(personal: false);
var work = new DeviceCodeTokenProvider(SampleSandbox.PublicAppId, new DeviceCodeTokenProviderOptions
{
    TenantId = sandbox.TenantId,
    Cloud = sandbox.Cloud(MailCloud.Global),
    TokenCachePath = cachePath + ".work",
    DeviceCodeCallback = Personal.ShowCodeAsync,
}.UseFakeEntraId(sandbox.Server));
var count = await Personal.CountInboxAsync(work, sandbox);
Console.WriteLine($"DeviceCodePersonalImap: personal token acquired (opaque, normal); IMAP read {count} message(s) as {SampleSandbox.WorkUser} (the sandbox's Dovecot reads JWTs only).");
return 0;
