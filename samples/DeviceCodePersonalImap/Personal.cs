using MailKit;
using ModernAuth.Mail;
using ModernAuth.Mail.MailKit;
using ModernAuth.Mail.Samples;
using ModernAuth.Mail.Testing;

namespace DeviceCodePersonalImap;

/// <summary>The parts of the sample that docs/getting-started.md shows.</summary>
public static class Personal
{
    public static DeviceCodeTokenProvider CreateProvider(string clientId, string cachePath, SampleSandbox? sandbox)
    {
        var options = new DeviceCodeTokenProviderOptions
        {
            Cloud = MailCloud.PersonalAccounts,
            TokenCachePath = cachePath,
            DeviceCodeCallback = ShowCodeAsync,
        };
        if (sandbox is not null)
        {
            options.UseFakeEntraId(sandbox.Server);
        }

        return new DeviceCodeTokenProvider(clientId, options);
    }

    public static Task ShowCodeAsync(DeviceCodeInfo code, CancellationToken cancellationToken)
    {
        Console.WriteLine($"To sign in, open {code.VerificationUri} and enter the code {code.UserCode}.");
        return Task.CompletedTask;
    }

    public static async Task<int> CountInboxAsync(MailTokenProvider provider, SampleSandbox? sandbox)
    {
        // The IMAP server is the provider's cloud's: the cloud is given once, to the provider.
        var options = new MailKitConnectOptions { ServerCertificateValidationCallback = sandbox?.TrustServerCertificate };
        using var imap = await MailKitConnector.ConnectImapAsync(provider, mailbox: null, options);
        await imap.Inbox.OpenAsync(FolderAccess.ReadOnly);
        var count = imap.Inbox.Count;
        await imap.DisconnectAsync(true);
        return count;
    }
}
