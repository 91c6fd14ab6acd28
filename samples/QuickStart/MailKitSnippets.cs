using MailKit;
using MailKit.Net.Imap;
using MailKit.Net.Smtp;
using MailKit.Search;
using MailKit.Security;
using MimeKit;
using ModernAuth.Mail;
using ModernAuth.Mail.MailKit;

namespace QuickStart;

/// <summary>The MailKit adapter's examples in README.md and docs/mailkit.md, shown verbatim (a test checks it).</summary>
public static class MailKitSnippets
{
    public static async Task ConnectImapAsync(string tenantId, string clientId, string clientSecret)
    {
        // snippet: mailkit-connect
        var provider = new ClientSecretTokenProvider(tenantId, clientId, clientSecret);
        using var imap = await MailKitConnector.ConnectImapAsync(provider, "shared@contoso.com");
        await imap.Inbox.OpenAsync(FolderAccess.ReadOnly);
        var unread = await imap.Inbox.SearchAsync(SearchQuery.NotSeen);
        // end-snippet
        Console.WriteLine(unread.Count);
    }

    public static async Task OwnClientSmtpAsync(MailTokenProvider provider, MimeMessage message)
    {
        // snippet: mailkit-own-client
        using var smtp = new SmtpClient(new MailKitProtocolLogger(new ProtocolLogger("smtp.log")));
        await smtp.ConnectAsync("smtp.office365.com", 587, SecureSocketOptions.StartTls);
        await smtp.AuthenticateAsync(provider, "sender@contoso.com");
        await smtp.SendAsync(message);
        // end-snippet
    }

    public static async Task PersonalAccountAsync(string clientId)
    {
        // snippet: mailkit-personal
        var provider = new DeviceCodeTokenProvider(clientId, new DeviceCodeTokenProviderOptions { Cloud = MailCloud.PersonalAccounts });
        using var imap = await MailKitConnector.ConnectImapAsync(provider);
        // end-snippet
        await imap.DisconnectAsync(quit: true);
    }

    public static async Task HandleRejectionAsync(MailTokenProvider provider)
    {
        // snippet: mailkit-rejection
        try
        {
            using var imap = await MailKitConnector.ConnectImapAsync(provider, "shared@contoso.com");
        }
        catch (MailAuthenticationException ex)
        {
            Console.Error.WriteLine($"{ex.ErrorCode}: {ex.ServerResponse}");
            Console.Error.WriteLine($"Fix: {ex.Remedy}");
            if (ex.IsRetryable && ex.RetryAfter is { } wait)
            {
                await Task.Delay(wait);
            }
        }
        // end-snippet
    }

    public static async Task OverrideEndpointAsync(MailTokenProvider provider)
    {
        // snippet: mailkit-options
        var options = new MailKitConnectOptions
        {
            Host = "127.0.0.1",
            Port = 11993,
            TlsMode = MailTlsMode.Implicit,
            ServerCertificateValidationCallback = (_, certificate, _, _) => certificate?.GetCertHashString() == "8F3A...",
            ProtocolLogger = new ProtocolLogger("imap.log"),
            Timeout = TimeSpan.FromSeconds(30),
        };
        using var imap = await MailKitConnector.ConnectImapAsync(provider, "adele@contoso.test", options: options);
        // end-snippet
        await imap.DisconnectAsync(quit: true);
    }
}
