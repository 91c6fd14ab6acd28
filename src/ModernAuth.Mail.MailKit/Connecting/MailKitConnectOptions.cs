using System.Net.Security;
using MailKit;

namespace ModernAuth.Mail.MailKit;

/// <summary>
/// Where and how <see cref="MailKitConnector"/> connects, on top of how it authenticates
/// (<see cref="MailKitAuthenticationOptions"/>). Host, port and TLS mode default to the cloud's
/// (<see cref="MailCloud.Imap"/>, <see cref="MailCloud.Pop"/>, <see cref="MailCloud.Smtp"/>); set any of them to override it.
/// </summary>
public class MailKitConnectOptions : MailKitAuthenticationOptions
{
    private TimeSpan _timeout = TimeSpan.FromMinutes(2);

    /// <summary>Creates options with the defaults.</summary>
    public MailKitConnectOptions()
    {
    }

    /// <summary>The server's host name. Default <see langword="null"/>: the cloud's host for the protocol.</summary>
    public string? Host { get; set; }

    /// <summary>The server's port. Default <see langword="null"/>: the cloud's port (IMAP 993, POP 995, SMTP 587).</summary>
    public int? Port { get; set; }

    /// <summary>
    /// How the connection is secured. Default <see langword="null"/>: the cloud's mode (implicit TLS for IMAP and POP,
    /// STARTTLS for SMTP). <see cref="MailTlsMode.None"/> sends the token in clear text: only for loopback test servers.
    /// </summary>
    public MailTlsMode? TlsMode { get; set; }

    /// <summary>
    /// Validates the server's certificate. Default <see langword="null"/>: the operating system's validation. Tests
    /// against a loopback server with a self-signed certificate set a callback that trusts exactly that certificate.
    /// </summary>
    public RemoteCertificateValidationCallback? ServerCertificateValidationCallback { get; set; }

    /// <summary>Whether the server certificate's revocation is checked. Default <see langword="true"/>.</summary>
    public bool CheckCertificateRevocation { get; set; } = true;

    /// <summary>
    /// Receives the conversation with the server, for example <c>new MailKit.ProtocolLogger("imap.log")</c> or a
    /// <see cref="Stream"/>-based <c>ProtocolLogger</c>. Tokens and XOAUTH2/OAUTHBEARER strings are replaced by
    /// <c>********</c> before it sees them. The returned client owns it and disposes it with itself, as MailKit does.
    /// Default <see langword="null"/>: no protocol log.
    /// </summary>
    public IProtocolLogger? ProtocolLogger { get; set; }

    /// <summary>How long a network operation (connect, read, write) may take. Default 2 minutes (MailKit's).</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is not positive, or longer than <see cref="int.MaxValue"/> milliseconds.</exception>
    public TimeSpan Timeout
    {
        get => _timeout;
        set => _timeout = value > TimeSpan.Zero && value.TotalMilliseconds <= int.MaxValue
            ? value
            : throw new ArgumentOutOfRangeException(nameof(value), value, "Timeout must be positive and at most int.MaxValue milliseconds.");
    }

    /// <summary>
    /// The name the SMTP client gives in <c>EHLO</c>. Default <see langword="null"/>: MailKit's choice (the machine's
    /// name). Ignored for IMAP and POP.
    /// </summary>
    public string? LocalDomain { get; set; }
}
