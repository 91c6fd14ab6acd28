namespace ModernAuth.Mail.Relay;

/// <summary>The upstream SMTP server the relay delivers to.</summary>
public class RelayUpstreamOptions
{
    private TimeSpan _timeout = TimeSpan.FromMinutes(1);

    /// <summary>Creates options with the defaults.</summary>
    public RelayUpstreamOptions()
    {
    }

    /// <summary>
    /// The cloud whose SMTP endpoint is the default. Default <see langword="null"/>: the cloud of each route's token
    /// provider (its <c>Cloud</c> setting, <c>Global</c> unless set).
    /// </summary>
    public string? Cloud { get; set; }

    /// <summary>The host. Default: the cloud's (<c>smtp.office365.com</c>).</summary>
    public string? Host { get; set; }

    /// <summary>The port. Default: the cloud's (587).</summary>
    public int? Port { get; set; }

    /// <summary>The TLS mode. Default: the cloud's (<see cref="MailTlsMode.StartTls"/>). <see cref="MailTlsMode.None"/> sends tokens in clear text: loopback tests only.</summary>
    public MailTlsMode? TlsMode { get; set; }

    /// <summary>
    /// A certificate file (PEM or DER) the upstream server must present, trusted even when self-signed (on-premises
    /// Exchange, test servers). Default <see langword="null"/>: the operating system's validation.
    /// </summary>
    public string? TrustedCertificatePath { get; set; }

    /// <summary>Whether the upstream certificate's revocation is checked. Default <see langword="true"/>.</summary>
    public bool CheckCertificateRevocation { get; set; } = true;

    /// <summary>The name the relay gives in <c>EHLO</c>. Default: the machine's name.</summary>
    public string? LocalDomain { get; set; }

    /// <summary>How long one network operation with the upstream may take. Default 1 minute.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is not positive.</exception>
    public TimeSpan Timeout
    {
        get => _timeout;
        set => _timeout = value > TimeSpan.Zero ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "The upstream timeout must be positive.");
    }
}
