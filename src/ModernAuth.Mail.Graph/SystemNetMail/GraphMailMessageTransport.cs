using System.Net.Mail;
using MimeKit;
using ModernAuth.Mail.MailKit;

namespace ModernAuth.Mail.Graph;

/// <summary>
/// Sends a <see cref="ModernAuthSmtpClient"/>'s messages through Microsoft Graph (<c>POST /users/{sender}/sendMail</c>
/// with the MIME message) instead of SMTP: for tenants where SMTP AUTH stays off. Old code changes
/// <c>new SmtpClient(host)</c> to <c>new ModernAuthSmtpClient(new GraphMailMessageTransport(provider))</c>.
/// </summary>
/// <remarks>
/// <para>Graph sends from the envelope sender's mailbox (<see cref="MailMessage.Sender"/>, else
/// <see cref="MailMessage.From"/>) and takes the recipients from the message's To, Cc and Bcc (it keeps the Bcc
/// recipients out of the delivered headers itself); the message is saved to Sent Items, as Outlook does.</para>
/// <para>Graph has no SMTP delivery status notifications: <see cref="MailMessage.DeliveryNotificationOptions"/> is
/// ignored. A Graph failure reaches the caller as an <see cref="SmtpException"/> whose
/// <see cref="Exception.InnerException"/> is the <see cref="GraphMailException"/> with its ErrorCode and Remedy.</para>
/// </remarks>
public class GraphMailMessageTransport : MailMessageTransport
{
    private readonly MailTokenProvider _provider;
    private readonly GraphMailClientOptions? _options;
    private readonly Dictionary<string, GraphMailClient> _clients = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Creates a transport that sends with tokens from <paramref name="provider"/>.</summary>
    /// <param name="provider">Where Graph tokens come from (an app-only provider needs the <c>Mail.Send</c> role).</param>
    /// <param name="options">The Graph client's options; <see langword="null"/> for the defaults (global cloud).</param>
    /// <exception cref="ArgumentNullException"><paramref name="provider"/> is <see langword="null"/>.</exception>
    public GraphMailMessageTransport(MailTokenProvider provider, GraphMailClientOptions? options = null)
    {
        _provider = provider ?? throw new ArgumentNullException(nameof(provider));
        _options = options;
    }

    /// <summary>Sends <paramref name="message"/> as <paramref name="sender"/>'s mailbox through Graph.</summary>
    /// <param name="message">The message, with its Bcc header (Graph needs it to find the Bcc recipients).</param>
    /// <param name="sender">The mailbox that sends.</param>
    /// <param name="recipients">Not used: Graph reads the recipients from the message's headers.</param>
    /// <param name="deliveryNotifications">Not used: Graph has no delivery status notifications.</param>
    /// <param name="cancellationToken">Cancels the send.</param>
    /// <returns>A task that completes when Graph has accepted the message.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="message"/> or <paramref name="sender"/> is <see langword="null"/>.</exception>
    /// <exception cref="GraphMailException">Graph refused the request.</exception>
    /// <exception cref="MailAuthenticationException">No token could be had.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public override Task SendAsync(
        MimeMessage message,
        MailboxAddress sender,
        IReadOnlyList<MailboxAddress> recipients,
        DeliveryNotificationOptions deliveryNotifications,
        CancellationToken cancellationToken = default)
    {
        if (message is null)
        {
            throw new ArgumentNullException(nameof(message));
        }

        if (sender is null)
        {
            throw new ArgumentNullException(nameof(sender));
        }

        return ClientFor(sender.Address).SendMessageAsync(message, cancellationToken);
    }

    /// <summary>Disposes the Graph clients, one per sending mailbox.</summary>
    /// <param name="disposing"><see langword="true"/> from <see cref="MailMessageTransport.Dispose()"/>.</param>
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            lock (_clients)
            {
                foreach (var client in _clients.Values)
                {
                    client.Dispose();
                }

                _clients.Clear();
            }
        }

        base.Dispose(disposing);
    }

    private GraphMailClient ClientFor(string mailbox)
    {
        lock (_clients)
        {
            if (!_clients.TryGetValue(mailbox, out var client))
            {
                client = new GraphMailClient(_provider, mailbox, _options);
                _clients.Add(mailbox, client);
            }

            return client;
        }
    }
}
