using MailKit;
using MailKit.Net.Imap;
using MailKit.Net.Pop3;
using MailKit.Net.Smtp;
using MailKit.Security;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using ModernAuth.Mail.MailKit.Internal;

namespace ModernAuth.Mail.MailKit;

/// <summary>
/// Connects a MailKit client to a Microsoft cloud's mail server and authenticates it with a token, in one call. The
/// host, port and TLS mode come from the cloud (<see cref="MailCloud.Imap"/>, <see cref="MailCloud.Pop"/>,
/// <see cref="MailCloud.Smtp"/>); every value can be overridden in <see cref="MailKitConnectOptions"/>. The client is
/// created with a <see cref="MailKitProtocolLogger"/>, so a rejection carries the server's own words.
/// </summary>
/// <example>
/// <code>
/// using var imap = await MailKitConnector.ConnectImapAsync(provider, "shared@contoso.com");
/// var inbox = imap.Inbox;
/// await inbox.OpenAsync(FolderAccess.ReadOnly);
/// </code>
/// </example>
public static class MailKitConnector
{
    /// <summary>Connects an <see cref="ImapClient"/> (default: the cloud's IMAP host, port 993, implicit TLS) and authenticates it.</summary>
    /// <param name="provider">Where tokens come from.</param>
    /// <param name="mailbox">The mailbox to open (XOAUTH2 <c>user=</c>): required for app-only providers; <see langword="null"/> means the signed-in user for delegated ones.</param>
    /// <param name="options">Overrides and settings; <see langword="null"/> for the defaults.</param>
    /// <param name="cancellationToken">Cancels connecting and authenticating.</param>
    /// <returns>The connected, authenticated client. Dispose it when done.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="provider"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="provider"/> is app-only and <paramref name="mailbox"/> is missing.</exception>
    /// <exception cref="MailAuthenticationException">No token could be had or the server rejected it; see <see cref="ImapClientExtensions.AuthenticateAsync"/>.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    /// <exception cref="IOException">The server could not be reached or the connection failed.</exception>
    /// <exception cref="System.Net.Sockets.SocketException">The host name could not be resolved or the connection was refused.</exception>
    /// <exception cref="SslHandshakeException">TLS failed, for example because the server's certificate was not trusted.</exception>
    /// <exception cref="ProtocolException">The server broke the protocol.</exception>
    public static Task<ImapClient> ConnectImapAsync(
        MailTokenProvider provider,
        string? mailbox = null,
        MailKitConnectOptions? options = null,
        CancellationToken cancellationToken = default) =>
        ConnectAsync(logger => new ImapClient(logger), MailProtocol.Imap, provider, mailbox, options, cancellationToken);

    /// <summary>Connects a <see cref="Pop3Client"/> (default: the cloud's POP host, port 995, implicit TLS) and authenticates it.</summary>
    /// <param name="provider">Where tokens come from.</param>
    /// <param name="mailbox">The mailbox to open (XOAUTH2 <c>user=</c>): required for app-only providers; <see langword="null"/> means the signed-in user for delegated ones.</param>
    /// <param name="options">Overrides and settings; <see langword="null"/> for the defaults.</param>
    /// <param name="cancellationToken">Cancels connecting and authenticating.</param>
    /// <returns>The connected, authenticated client. Dispose it when done.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="provider"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="provider"/> is app-only and <paramref name="mailbox"/> is missing.</exception>
    /// <exception cref="MailAuthenticationException">No token could be had or the server rejected it; see <see cref="Pop3ClientExtensions.AuthenticateAsync"/>.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    /// <exception cref="IOException">The server could not be reached or the connection failed.</exception>
    /// <exception cref="System.Net.Sockets.SocketException">The host name could not be resolved or the connection was refused.</exception>
    /// <exception cref="SslHandshakeException">TLS failed, for example because the server's certificate was not trusted.</exception>
    /// <exception cref="ProtocolException">The server broke the protocol.</exception>
    public static Task<Pop3Client> ConnectPop3Async(
        MailTokenProvider provider,
        string? mailbox = null,
        MailKitConnectOptions? options = null,
        CancellationToken cancellationToken = default) =>
        ConnectAsync(logger => new Pop3Client(logger), MailProtocol.Pop, provider, mailbox, options, cancellationToken);

    /// <summary>Connects an <see cref="SmtpClient"/> (default: the cloud's SMTP host, port 587, STARTTLS) and authenticates it.</summary>
    /// <param name="provider">Where tokens come from.</param>
    /// <param name="mailbox">The mailbox to send as (XOAUTH2 <c>user=</c>): required for app-only providers; <see langword="null"/> means the signed-in user for delegated ones.</param>
    /// <param name="options">Overrides and settings; <see langword="null"/> for the defaults.</param>
    /// <param name="cancellationToken">Cancels connecting and authenticating.</param>
    /// <returns>The connected, authenticated client. Dispose it when done.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="provider"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="provider"/> is app-only and <paramref name="mailbox"/> is missing.</exception>
    /// <exception cref="MailAuthenticationException">No token could be had or the server rejected it; see <see cref="SmtpClientExtensions.AuthenticateAsync"/>.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    /// <exception cref="IOException">The server could not be reached or the connection failed.</exception>
    /// <exception cref="System.Net.Sockets.SocketException">The host name could not be resolved or the connection was refused.</exception>
    /// <exception cref="SslHandshakeException">TLS failed, for example because the server's certificate was not trusted.</exception>
    /// <exception cref="ProtocolException">The server broke the protocol.</exception>
    public static Task<SmtpClient> ConnectSmtpAsync(
        MailTokenProvider provider,
        string? mailbox = null,
        MailKitConnectOptions? options = null,
        CancellationToken cancellationToken = default) =>
        ConnectSmtpAsync(logger => new SmtpClient(logger), provider, mailbox, options, cancellationToken);

    /// <summary>Connects and authenticates an SMTP client of a derived type (the drop-in client's, which sets DSN and collects refused recipients).</summary>
    internal static Task<TClient> ConnectSmtpAsync<TClient>(
        Func<IProtocolLogger, TClient> create,
        MailTokenProvider provider,
        string? mailbox,
        MailKitConnectOptions? options,
        CancellationToken cancellationToken)
        where TClient : SmtpClient =>
        ConnectAsync(
            logger =>
            {
                var client = create(logger);
                if (!string.IsNullOrWhiteSpace(options?.LocalDomain))
                {
                    client.LocalDomain = options!.LocalDomain;
                }

                return client;
            },
            MailProtocol.Smtp,
            provider,
            mailbox,
            options,
            cancellationToken);

    internal static SecureSocketOptions ToSecureSocketOptions(MailTlsMode mode) => mode switch
    {
        MailTlsMode.Implicit => SecureSocketOptions.SslOnConnect,
        MailTlsMode.StartTls => SecureSocketOptions.StartTls,
        MailTlsMode.None => SecureSocketOptions.None,
        _ => throw new ArgumentOutOfRangeException(nameof(mode), mode, "Unknown TLS mode."),
    };

    private static async Task<TClient> ConnectAsync<TClient>(
        Func<IProtocolLogger, TClient> create,
        MailProtocol protocol,
        MailTokenProvider provider,
        string? mailbox,
        MailKitConnectOptions? options,
        CancellationToken cancellationToken)
        where TClient : MailService
    {
        if (provider is null)
        {
            throw new ArgumentNullException(nameof(provider));
        }

        // Checked before connecting, so a missing mailbox costs no connection.
        mailbox = provider.CreateRequest(protocol, mailbox).Mailbox;

        options ??= new MailKitConnectOptions();
        var cloud = options.Cloud ?? provider.Cloud;
        var endpoint = cloud.GetEndpoint(protocol);
        var host = string.IsNullOrWhiteSpace(options.Host) ? endpoint.Host : options.Host!.Trim();
        var port = options.Port ?? endpoint.Port;
        var tls = ToSecureSocketOptions(options.TlsMode ?? endpoint.TlsMode);
        if (port is <= 0 or > 65535)
        {
            throw new ArgumentException($"The port {port} is not a TCP port.", nameof(options));
        }

        cancellationToken.ThrowIfCancellationRequested();
        var logger = (ILogger?)options.LoggerFactory?.CreateLogger("ModernAuth.Mail.MailKit") ?? NullLogger.Instance;
        var client = create(new MailKitProtocolLogger(options.ProtocolLogger));
        try
        {
            client.Timeout = (int)options.Timeout.TotalMilliseconds;
            client.CheckCertificateRevocation = options.CheckCertificateRevocation;
            if (options.ServerCertificateValidationCallback is not null)
            {
                client.ServerCertificateValidationCallback = options.ServerCertificateValidationCallback;
            }

            Task Connect(CancellationToken ct)
            {
                Log.Connecting(logger, protocol, host + ":" + port.ToString(System.Globalization.CultureInfo.InvariantCulture) + " (" + tls + ")");
                return client.ConnectAsync(host, port, tls, ct);
            }

            await Connect(cancellationToken).ConfigureAwait(false);
            await OAuthAuthenticator.AuthenticateAsync(client, protocol, provider, mailbox, options, Connect, cancellationToken).ConfigureAwait(false);
            return client;
        }
        catch
        {
            client.Dispose();
            throw;
        }
    }
}
