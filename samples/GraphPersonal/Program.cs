using System.Text;
using ModernAuth.Mail;
using ModernAuth.Mail.Graph;
using ModernAuth.Mail.Samples;
using ModernAuth.Mail.Testing;

// A user of a personal Microsoft account (outlook.com, hotmail.com, live.com) signs in once with a device code, sends a
// note to themselves through Microsoft Graph and lists the newest messages of their inbox. The sign-in is kept in a token
// cache file, so later runs are silent (set MODERNAUTH_MAIL_TOKEN_CACHE to keep it between runs). Graph needs no IMAP or POP setting in Outlook.com, and personal accounts have
// no EWS. Real account: set MODERNAUTH_MAIL_CLIENT_ID to an app registration that allows personal accounts and public
// client flows, with the delegated Microsoft Graph permissions Mail.ReadWrite and Mail.Send (docs/app-registration.md).
// Without MODERNAUTH_MAIL_CLIENT_ID it runs against the offline sandbox (eng/test-servers.sh start) and a fake Graph.
var clientId = Environment.GetEnvironmentVariable("MODERNAUTH_MAIL_CLIENT_ID");
await using var sandbox = clientId is null ? await SampleSandbox.StartAsync() : null;
await using var fakeGraph = sandbox is null ? null : await SampleGraph.StartAsync(sandbox);
sandbox?.SignInAs(personal: true);
var cacheDirectory = Path.Combine(Path.GetTempPath(), $"modernauth-sample-{Environment.ProcessId}");
var cachePath = Environment.GetEnvironmentVariable("MODERNAUTH_MAIL_TOKEN_CACHE") ?? Path.Combine(cacheDirectory, "token-cache.bin");

var prompts = 0;
DeviceCodeTokenProvider SignIn()
{
    var options = new DeviceCodeTokenProviderOptions
    {
        Cloud = MailCloud.PersonalAccounts,
        TokenCachePath = cachePath,
        DeviceCodeCallback = (code, _) =>
        {
            prompts++;
            Console.WriteLine($"To sign in, open {code.VerificationUri} and enter the code {code.UserCode}.");
            return Task.CompletedTask;
        },
    };
    if (sandbox is not null)
    {
        options.UseFakeEntraId(sandbox.Server);
    }

    return new DeviceCodeTokenProvider(clientId ?? SampleSandbox.PublicAppId, options);
}

try
{
    // The first token signs the user in; it names the account, which is the mailbox (/me) the client opens.
    var provider = SignIn();
    var token = await provider.GetTokenAsync(new MailTokenRequest(MailProtocol.Graph));
    var account = token.Account ?? throw new InvalidOperationException("The sign-in returned no account name.");
    Console.WriteLine($"signed in as {account}; the token is {(token.IsJwt ? "a JWT" : "opaque, as personal accounts' tokens are (normal)")}, fingerprint {token.Fingerprint}");

    using var mail = new GraphMailClient(provider, account, fakeGraph?.ClientOptions());
    var subject = $"GraphPersonal {Guid.NewGuid():N}";
    await mail.SendMimeAsync(Encoding.UTF8.GetBytes(
        $"From: {account}\r\nTo: {account}\r\nSubject: {subject}\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nA note to self, sent through Microsoft Graph.\r\n"));

    // Delivery is asynchronous (usually seconds): look again for up to a minute.
    var inbox = await mail.FindItemsAsync(GraphWellKnownFolders.Inbox, pageSize: 5);
    for (var attempt = 0; attempt < 30 && inbox.Items.All(m => m.Subject != subject); attempt++)
    {
        await Task.Delay(TimeSpan.FromSeconds(2));
        inbox = await mail.FindItemsAsync(GraphWellKnownFolders.Inbox, pageSize: 5);
    }

    foreach (var message in inbox.Items)
    {
        Console.WriteLine($"  {message.ReceivedDateTime:yyyy-MM-dd HH:mm}  {message.From}  {message.Subject}");
    }

    // A later run: a new provider on the same cache file gets its token without asking the user again.
    await SignIn().GetTokenAsync(new MailTokenRequest(MailProtocol.Graph));
    var found = inbox.Items.Any(m => m.Subject == subject);
    Console.WriteLine($"GraphPersonal: {(found ? "sent a note to self and found it" : "sent a note to self but did not find it")} in the inbox of {account} through Microsoft Graph; device code prompts: {prompts} (the second sign-in came from the cache){(sandbox is null ? string.Empty : " (sandbox)")}.");
    return found && prompts == 1 ? 0 : 1;
}
catch (Exception e) when (SampleGraph.Explain(e))
{
    // GraphMailException or MailAuthenticationException: ErrorCode, Message and Remedy say what happened and the fix
    // (for example graph_access_policy_denied, with the PowerShell that lets the app into the mailbox).
    return 1;
}
finally
{
    if (Directory.Exists(cacheDirectory))
    {
        Directory.Delete(cacheDirectory, recursive: true);
    }
}
