using MailKit;
using MailKit.Net.Imap;
using MailKit.Net.Pop3;
using MailKit.Net.Smtp;
using MailKit.Security;
using ModernAuth.Mail.Cli.Configuration;
using ModernAuth.Mail.MailKit;

namespace ModernAuth.Mail.Cli.Commands;

/// <summary>Connects MailKit clients to the configured servers (the sandbox's certificate trusted).</summary>
internal static class MailConnections
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    public static MailService Create(MailProtocol protocol, CliSettings settings)
    {
        // The ModernAuth.Mail protocol logger keeps the server's words for diagnosis and never records a token.
        var logger = new MailKitProtocolLogger();
        MailService client = protocol switch
        {
            MailProtocol.Imap => new ImapClient(logger),
            MailProtocol.Pop => new Pop3Client(logger),
            MailProtocol.Smtp => new SmtpClient(logger),
            _ => throw new ArgumentOutOfRangeException(nameof(protocol), protocol, "EWS is not a MailKit protocol."),
        };
        client.Timeout = (int)Timeout.TotalMilliseconds;
        if (settings.Sandbox is { } sandbox)
        {
            client.ServerCertificateValidationCallback = sandbox.TrustServers;
            client.CheckCertificateRevocation = false;
        }

        return client;
    }

    /// <summary>An EWS client for the mailbox (app-only: impersonated), or a configuration error when the cloud has no EWS.</summary>
    public static Ews.EwsClient CreateEws(MailTokenProvider provider, string mailbox, CliSettings settings)
    {
        if (settings.Cloud.Ews is null)
        {
            throw new ConfigurationException(settings.Sandbox is not null
                ? "The sandbox's personal accounts have no EWS (like Outlook.com): use IMAP, POP or SMTP, or drop --cloud personal to use the sandbox's EWS server."
                : $"The cloud {settings.Cloud.Name} offers no EWS (personal accounts have none): use IMAP, POP or SMTP, or set --ews-url for an on-premises Exchange with Hybrid Modern Auth.");
        }

        // The sandbox's own EWS server has a self-signed certificate: trust exactly it (an --ews-url elsewhere is not affected).
        var transport = settings.Sandbox is { } sandbox && settings.Cloud.Ews == sandbox.Ews.Endpoint ? sandbox.EwsTransport : null;
        return new Ews.EwsClient(provider, mailbox, new Ews.EwsClientOptions { Endpoint = settings.Cloud.Ews, Timeout = Timeout, Transport = transport });
    }

    public static MailServerEndpoint Endpoint(MailProtocol protocol, CliSettings settings) => settings.Cloud.GetEndpoint(protocol);

    public static Task ConnectAsync(MailService client, MailServerEndpoint endpoint, CancellationToken cancellationToken) =>
        client.ConnectAsync(endpoint.Host, endpoint.Port, endpoint.TlsMode switch
        {
            MailTlsMode.Implicit => SecureSocketOptions.SslOnConnect,
            MailTlsMode.StartTls => SecureSocketOptions.StartTls,
            _ => SecureSocketOptions.None,
        }, cancellationToken);

    public static Task AuthenticateAsync(MailService client, MailProtocol protocol, MailTokenProvider provider, string? mailbox, CliSettings settings, CancellationToken cancellationToken)
    {
        // The provider was made with the run's cloud, so diagnostics take it from there.
        return client switch
        {
            ImapClient imap => imap.AuthenticateAsync(provider, mailbox, cancellationToken: cancellationToken),
            Pop3Client pop => pop.AuthenticateAsync(provider, mailbox, cancellationToken: cancellationToken),
            SmtpClient smtp => smtp.AuthenticateAsync(provider, mailbox, cancellationToken: cancellationToken),
            _ => throw new ArgumentOutOfRangeException(nameof(protocol), protocol, "Unknown client."),
        };
    }

    public static async Task DisconnectQuietlyAsync(MailService client)
    {
        try
        {
            if (client.IsConnected)
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
                await client.DisconnectAsync(true, timeout.Token);
            }
        }
        catch (Exception error) when (error is IOException or ProtocolException or CommandException or OperationCanceledException or System.Net.Sockets.SocketException)
        {
            // Leaving is best effort: the result is already known.
        }
    }
}
