namespace ModernAuth.Mail.PowerShell.Engine.Sending;

/// <summary>Where and how a message is sent.</summary>
internal sealed class SendOptions
{
    public MailTransport Transport { get; init; } = MailTransport.Smtp;

    /// <summary>The cloud with the settings' server overrides (SMTP server, Graph and EWS endpoints).</summary>
    public MailCloud Cloud { get; init; } = MailCloud.Global;

    /// <summary>-SmtpServer: a host (or host:port) replacing the cloud's SMTP server.</summary>
    public string? SmtpServer { get; init; }

    /// <summary>-Port: replaces the SMTP port (465 means implicit TLS; any other STARTTLS).</summary>
    public int? Port { get; init; }

    /// <summary>The mailbox the token is for (app-only: the one sent from; delegated: the signed-in user, or null).</summary>
    public string? Mailbox { get; init; }

    /// <summary>-TrustedCertificatePath: a server certificate to accept besides the system's trust.</summary>
    public string? TrustedCertificatePath { get; init; }

    /// <summary>-DeliveryNotificationOption: SMTP delivery status notifications (DSN); Graph and EWS have none.</summary>
    public System.Net.Mail.DeliveryNotificationOptions DeliveryNotification { get; init; }

    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(100);
}
