namespace ModernAuth.Mail;

/// <summary>How a mail connection is secured.</summary>
public enum MailTlsMode
{
    /// <summary>TLS from the first byte (IMAP 993, POP 995, SMTP 465).</summary>
    Implicit = 0,

    /// <summary>Plain connection upgraded with STARTTLS before authenticating (SMTP 587).</summary>
    StartTls = 1,

    /// <summary>No TLS. Only for loopback test servers: tokens would travel in clear text.</summary>
    None = 2,
}
