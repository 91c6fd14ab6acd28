using System.Net.Mail;
using MimeKit;

namespace ModernAuth.Mail.MailKit.Tests.SystemNetMail;

/// <summary>
/// A <see cref="MailMessageTransport"/> that keeps what it is given. It awaits without <c>ConfigureAwait(false)</c>, as
/// app code often does, so under a single-threaded context its continuation needs that context's thread.
/// </summary>
public sealed class RecordingTransport : MailMessageTransport
{
    private readonly List<(MimeMessage Message, MailboxAddress Sender, IReadOnlyList<MailboxAddress> Recipients, DeliveryNotificationOptions Notify)> _sent = new();

    public IReadOnlyList<(MimeMessage Message, MailboxAddress Sender, IReadOnlyList<MailboxAddress> Recipients, DeliveryNotificationOptions Notify)> Sent
    {
        get
        {
            lock (_sent)
            {
                return _sent.ToArray();
            }
        }
    }

    public SynchronizationContext? SeenContext { get; private set; }

    public bool Disposed { get; private set; }

    public override async Task SendAsync(MimeMessage message, MailboxAddress sender, IReadOnlyList<MailboxAddress> recipients, DeliveryNotificationOptions deliveryNotifications, CancellationToken cancellationToken = default)
    {
        SeenContext = SynchronizationContext.Current;
        await Task.Yield();
        lock (_sent)
        {
            _sent.Add((message, sender, recipients, deliveryNotifications));
        }
    }

    protected override void Dispose(bool disposing)
    {
        Disposed = true;
        base.Dispose(disposing);
    }
}
