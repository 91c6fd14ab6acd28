using System.Net;
using SmtpServer;

namespace ModernAuth.Mail.Relay.Internal;

/// <summary>What the relay knows of one client connection, kept in the session's properties.</summary>
internal sealed class RelaySession
{
    public const string PropertyKey = "ModernAuth.Mail.Relay:Session";

    public RelaySession(IPEndPoint remote, ConnectionGuard guard)
    {
        Remote = remote;
        Guard = guard;
    }

    public IPEndPoint Remote { get; }

    public ConnectionGuard Guard { get; }

    /// <summary>The relay account the client logged in as, or null.</summary>
    public string? Account { get; set; }

    /// <summary>The senders the logged-in account may use.</summary>
    public SenderPatterns? AccountSenders { get; set; }

    /// <summary>Recipients accepted in the current transaction.</summary>
    public int Recipients { get; set; }

    /// <summary>The client as the spool records it.</summary>
    public string ClientName(string? networkName) => Account is not null ? "account:" + Account : "network:" + Remote.Address + (networkName is null ? string.Empty : " (" + networkName + ")");

    public static RelaySession Get(ISessionContext context) => (RelaySession)context.Properties[PropertyKey];
}
