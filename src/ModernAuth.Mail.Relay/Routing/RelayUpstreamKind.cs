namespace ModernAuth.Mail.Relay;

/// <summary>How a route delivers its mail upstream.</summary>
public enum RelayUpstreamKind
{
    /// <summary>SMTP submission with XOAUTH2 (<see cref="RelayOptions.Upstream"/>; Exchange Online: <c>smtp.office365.com:587</c>). The default.</summary>
    Smtp = 0,

    /// <summary>
    /// Microsoft Graph <c>sendMail</c> with the message as MIME (<see cref="RelayOptions.Graph"/>; Exchange Online:
    /// <c>https://graph.microsoft.com</c>), for tenants that keep SMTP AUTH off. The app needs the <c>Mail.Send</c>
    /// permission (and <c>Mail.ReadWrite</c> for messages over about 3 MB, which go as a draft with upload sessions).
    /// </summary>
    Graph = 1,
}
