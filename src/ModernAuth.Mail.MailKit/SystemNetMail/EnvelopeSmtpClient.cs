using MailKit;
using MailKit.Net.Smtp;
using MimeKit;
using SystemNetMail = System.Net.Mail;

namespace ModernAuth.Mail.MailKit;

/// <summary>
/// MailKit's SMTP client with System.Net.Mail's envelope habits: <c>NOTIFY=</c> from
/// <see cref="SystemNetMail.MailMessage.DeliveryNotificationOptions"/>, and a refused recipient does not stop the others
/// (SmtpClient sends to the rest, then throws <see cref="SystemNetMail.SmtpFailedRecipientsException"/>).
/// </summary>
internal sealed class EnvelopeSmtpClient : SmtpClient
{
    private readonly SystemNetMail.DeliveryNotificationOptions _notify;
    private readonly List<SystemNetMail.SmtpFailedRecipientException> _refused = new();

    public EnvelopeSmtpClient(IProtocolLogger logger, SystemNetMail.DeliveryNotificationOptions notify)
        : base(logger)
    {
        _notify = notify;
    }

    /// <summary>The recipients the server refused, in envelope order.</summary>
    public IReadOnlyList<SystemNetMail.SmtpFailedRecipientException> Refused => _refused;

    /// <summary>SmtpClient's exception for refused recipients: the one, or all of them when more than one.</summary>
    public static Exception RecipientFailure(IReadOnlyList<SystemNetMail.SmtpFailedRecipientException> refused, int recipients) =>
        refused.Count == 1
            ? refused[0]
            : new SystemNetMail.SmtpFailedRecipientsException(
                refused.Count == recipients ? "Unable to send to all recipients." : "Unable to send to a recipient.",
                refused.ToArray());

    protected override DeliveryStatusNotification? GetDeliveryStatusNotifications(MimeMessage message, MailboxAddress mailbox)
    {
        if (_notify == SystemNetMail.DeliveryNotificationOptions.None)
        {
            return null;
        }

        if ((_notify & SystemNetMail.DeliveryNotificationOptions.Never) != 0)
        {
            return DeliveryStatusNotification.Never;
        }

        DeliveryStatusNotification notify = 0;
        if ((_notify & SystemNetMail.DeliveryNotificationOptions.OnSuccess) != 0)
        {
            notify |= DeliveryStatusNotification.Success;
        }

        if ((_notify & SystemNetMail.DeliveryNotificationOptions.OnFailure) != 0)
        {
            notify |= DeliveryStatusNotification.Failure;
        }

        if ((_notify & SystemNetMail.DeliveryNotificationOptions.Delay) != 0)
        {
            notify |= DeliveryStatusNotification.Delay;
        }

        return notify == 0 ? null : notify;
    }

    protected override void OnRecipientNotAccepted(MimeMessage message, MailboxAddress mailbox, SmtpResponse response) =>
        _refused.Add(new SystemNetMail.SmtpFailedRecipientException((SystemNetMail.SmtpStatusCode)(int)response.StatusCode, mailbox.Address, response.Response));

    protected override void OnNoRecipientsAccepted(MimeMessage message) => throw RecipientFailure(_refused, _refused.Count);
}
