namespace ModernAuth.Mail.Relay;

/// <summary>
/// Everything the relay needs, bindable from configuration (the <c>Relay</c> section of <c>appsettings.json</c> in
/// <c>docs/relay.md</c>). Checked when the relay starts: a wrong value fails the start with a message naming its key.
/// Nobody may relay unless a network range or a relay account allows it: the relay is never open.
/// </summary>
public class RelayOptions
{
    /// <summary>Creates options with the defaults.</summary>
    public RelayOptions()
    {
    }

    /// <summary>
    /// Where the listener binds, as <c>address:port</c> (<c>127.0.0.1:2525</c>, <c>[::1]:2525</c>, <c>0.0.0.0:25</c>).
    /// Port 0 picks a free port (see <see cref="RelayServer.Endpoints"/>). Default: <c>127.0.0.1:2525</c> only.
    /// </summary>
    public IList<string> Listen { get; } = new List<string>();

    /// <summary>The name in the greeting and <c>EHLO</c> reply. Default <c>modernauth-mail-relay</c>.</summary>
    public string ServerName { get; set; } = "modernauth-mail-relay";

    /// <summary>
    /// A PFX file with the certificate and private key the listener offers with <c>STARTTLS</c>. Default
    /// <see langword="null"/>: no <c>STARTTLS</c>.
    /// </summary>
    public string? CertificatePath { get; set; }

    /// <summary>The password of <see cref="CertificatePath"/>. Default <see langword="null"/>: none.</summary>
    public string? CertificatePassword { get; set; }

    /// <summary>
    /// Whether relay accounts may log in (<c>AUTH PLAIN</c>/<c>LOGIN</c>) on a connection without TLS. Legacy devices
    /// often cannot do TLS; relay passwords are local to the relay and never forwarded. Default <see langword="true"/>.
    /// </summary>
    public bool AllowAuthenticationWithoutTls { get; set; } = true;

    /// <summary>The largest message accepted, in bytes; larger ones get <c>552 5.3.4</c>. Default 35 MB (Exchange Online's default limit).</summary>
    public int MaxMessageSize { get; set; } = 35 * 1024 * 1024;

    /// <summary>The most recipients one message may have; more get <c>452 4.5.3</c>. Default 1,000.</summary>
    public int MaxRecipients { get; set; } = 1000;

    /// <summary>The most connections served at once; more get <c>421 4.3.2</c> and are closed. Default 200.</summary>
    public int MaxConnections { get; set; } = 200;

    /// <summary>How long a client may take to send one command line. Default 2 minutes.</summary>
    public TimeSpan CommandTimeout { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>How long a connection may stay silent (between commands or within message data) before it is closed. Default 2 minutes.</summary>
    public TimeSpan IdleTimeout { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>The longest a connection may last. Default 30 minutes.</summary>
    public TimeSpan SessionTimeout { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>Client networks allowed to relay without logging in, each with the senders it may use.</summary>
    public IList<RelayNetworkOptions> Networks { get; } = new List<RelayNetworkOptions>();

    /// <summary>Local relay accounts that may log in with <c>AUTH PLAIN</c>/<c>LOGIN</c>, each with the senders it may use.</summary>
    public IList<RelayAccountOptions> Accounts { get; } = new List<RelayAccountOptions>();

    /// <summary>Which upstream mailbox and token provider deliver a sender's mail; the first matching route wins. At least one is required.</summary>
    public IList<RelayRouteOptions> Routes { get; } = new List<RelayRouteOptions>();

    /// <summary>
    /// Token providers made in code (not bound from configuration), by the name routes give as
    /// <see cref="RelayRouteOptions.Provider"/>; they take precedence over providers registered with
    /// <c>AddModernAuthMail()</c> under the same name.
    /// </summary>
    public IDictionary<string, MailTokenProvider> TokenProviders { get; } = new Dictionary<string, MailTokenProvider>(StringComparer.OrdinalIgnoreCase);

    /// <summary>The upstream SMTP server. Default: the cloud's submission endpoint (Exchange Online: smtp.office365.com:587, STARTTLS).</summary>
    public RelayUpstreamOptions Upstream { get; set; } = new();

    /// <summary>Retries, lifetime, pacing and bounces.</summary>
    public RelayDeliveryOptions Delivery { get; set; } = new();

    /// <summary>
    /// The spool directory: messages wait here between <c>250</c> and delivery. Required. Holds <c>queue/</c>,
    /// <c>dead/</c>, <c>tmp/</c> and, with <see cref="ArchiveDelivered"/>, <c>archive/</c>.
    /// </summary>
    public string? SpoolDirectory { get; set; }

    /// <summary>Whether delivered messages move to <c>archive/</c> instead of being deleted. Default <see langword="false"/>.</summary>
    public bool ArchiveDelivered { get; set; }
}
