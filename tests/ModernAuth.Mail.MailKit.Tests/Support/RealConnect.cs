using MailKit;

namespace ModernAuth.Mail.MailKit.Tests.Support;

public static class RealConnect
{
    public static async Task<MailService> ConnectAsync(MailServers servers, MailProtocol protocol, MailTokenProvider provider, string? mailbox, Action<MailKitConnectOptions>? configure = null, CancellationToken cancellationToken = default)
    {
        var options = servers.ConnectOptions(protocol);
        configure?.Invoke(options);
        return protocol switch
        {
            MailProtocol.Imap => await MailKitConnector.ConnectImapAsync(provider, mailbox, options: options, cancellationToken: cancellationToken),
            MailProtocol.Pop => await MailKitConnector.ConnectPop3Async(provider, mailbox, options: options, cancellationToken: cancellationToken),
            _ => await MailKitConnector.ConnectSmtpAsync(provider, mailbox, options: options, cancellationToken: cancellationToken),
        };
    }

    /// <summary>The final reply each real server gives a rejected token (FACTS.md).</summary>
    public static string DovecotFailure(MailProtocol protocol) => protocol switch
    {
        MailProtocol.Imap => "NO [AUTHENTICATIONFAILED] Authentication failed.",
        MailProtocol.Pop => "-ERR [AUTH] Authentication failed.",
        _ => "535 5.7.8 Error: authentication failed",
    };
}
