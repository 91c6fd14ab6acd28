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
    /// Where a listener that speaks TLS from the first byte binds (<c>0.0.0.0:465</c>, the "SMTPS" style some devices
    /// need), as <c>address:port</c>, beside the <see cref="Listen"/> endpoints that offer <c>STARTTLS</c>. Needs
    /// <see cref="CertificatePath"/>. Default: none.
    /// </summary>
    public IList<string> ImplicitTlsListen { get; } = new List<string>();

    /// <summary>
    /// A PFX file with the certificate and private key the listener offers with <c>STARTTLS</c> (and on
    /// <see cref="ImplicitTlsListen"/>). Default <see langword="null"/>: no <c>STARTTLS</c>.
    /// </summary>
    public string? CertificatePath { get; set; }

    /// <summary>The password of <see cref="CertificatePath"/>. Default <see langword="null"/>: none.</summary>
    public string? CertificatePassword { get; set; }

    /// <summary>
    /// Whether relay accounts may log in (<c>AUTH PLAIN</c>/<c>LOGIN</c>) on a connection without TLS, where the
    /// password crosses the network in clear. <see langword="true"/>: from any client (say so only for a network you
    /// trust). <see langword="false"/>: never. Default <see langword="null"/>: only from
    /// <see cref="AuthenticationWithoutTlsNetworks"/>, and also from loopback when no <see cref="CertificatePath"/> is
    /// configured; everyone else must use <c>STARTTLS</c> or <see cref="ImplicitTlsListen"/> first (<c>AUTH</c> is not
    /// offered to them before TLS, and is answered <c>538 5.7.11</c>).
    /// </summary>
    public bool? AllowAuthenticationWithoutTls { get; set; }

    /// <summary>
    /// Client networks (CIDR) whose devices may log in without TLS (old printers that cannot do TLS), when
    /// <see cref="AllowAuthenticationWithoutTls"/> is not set. Default: none.
    /// </summary>
    public IList<string> AuthenticationWithoutTlsNetworks { get; } = new List<string>();

    /// <summary>Failed-login back-off and lockout, per client address and per relay account.</summary>
    public RelayLoginThrottlingOptions LoginThrottling { get; set; } = new();

    /// <summary>The largest message accepted, in bytes; larger ones get <c>552 5.3.4</c>. Default 35 MB (Exchange Online's default limit).</summary>
    public int MaxMessageSize { get; set; } = 35 * 1024 * 1024;

    /// <summary>The most recipients one message may have; more get <c>452 4.5.3</c>. Default 1,000.</summary>
    public int MaxRecipients { get; set; } = 1000;

    /// <summary>The most connections served at once; more get <c>421 4.3.2</c> and are closed. Default 200.</summary>
    public int MaxConnections { get; set; } = 200;

    /// <summary>
    /// The most connections one client address (an IPv6 client: its /64) may hold at once, so one host never locks
    /// the others out; more get <c>421 4.7.0</c>. Default 20. 0: no limit beyond <see cref="MaxConnections"/>.
    /// </summary>
    public int MaxConnectionsPerClient { get; set; } = 20;

    /// <summary>
    /// The most connections one client address (an IPv6 client: its /64) may open per minute; more get
    /// <c>421 4.7.0</c>. Default 300. 0: no limit.
    /// </summary>
    public int MaxConnectionRatePerClient { get; set; } = 300;

    /// <summary>
    /// The most message data held in memory at once while messages are received, over all connections, in bytes (the
    /// SMTP library keeps a message in memory until its end); a message that would go over it is read to its end and
    /// answered <c>452 4.3.1</c>, so the client retries later. Default 512 MB.
    /// </summary>
    public long MaxReceiveMemory { get; set; } = 512L * 1024 * 1024;

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

    /// <summary>How routes with <see cref="RelayRouteOptions.Upstream"/> <see cref="RelayUpstreamKind.Graph"/> reach Microsoft Graph. Default: each route's provider's cloud.</summary>
    public RelayGraphOptions Graph { get; set; } = new();

    /// <summary>Retries, lifetime, pacing and bounces.</summary>
    public RelayDeliveryOptions Delivery { get; set; } = new();

    /// <summary>
    /// The spool directory: messages wait here between <c>250</c> and delivery. Required. Holds <c>queue/</c>,
    /// <c>dead/</c>, <c>tmp/</c> and, with <see cref="ArchiveDelivered"/>, <c>archive/</c>.
    /// </summary>
    public string? SpoolDirectory { get; set; }

    /// <summary>Whether delivered messages move to <c>archive/</c> instead of being deleted. Default <see langword="false"/>.</summary>
    public bool ArchiveDelivered { get; set; }

    /// <summary>
    /// The least free space the spool's disk must keep, in bytes; below it (or below it once the message is written)
    /// new messages get <c>452 4.3.1</c> and the client retries later. Default 100 MB.
    /// </summary>
    public long MinimumFreeDiskSpace { get; set; } = 100L * 1024 * 1024;

    /// <summary>The most messages the queue may hold; more get <c>452 4.3.1</c>. Default 100,000. 0: no limit.</summary>
    public int MaxQueuedMessages { get; set; } = 100_000;

    /// <summary>
    /// A pickup directory: apps that drop <c>.eml</c> files (System.Net.Mail's <c>SpecifiedPickupDirectory</c>, CDO,
    /// IIS's pickup folder) keep working. Each file is taken atomically into the spool; its envelope comes from IIS's
    /// <c>x-sender</c>/<c>x-receiver</c> lines, else from the headers. Files that cannot be taken go to
    /// <c>badmail/</c> beside it with a <c>.reason</c> file. Default <see langword="null"/>: none.
    /// </summary>
    public string? PickupDirectory { get; set; }

    /// <summary>How often the pickup directory is scanned (besides file-system notifications). Default 5 seconds.</summary>
    public TimeSpan PickupInterval { get; set; } = TimeSpan.FromSeconds(5);
}
