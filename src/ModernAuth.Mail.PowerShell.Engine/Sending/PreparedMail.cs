using MimeKit;

namespace ModernAuth.Mail.PowerShell.Engine.Sending;

/// <summary>
/// A composed message and where it goes, ready to send. Opaque to the cmdlets on purpose: they must not touch MimeKit's
/// types, which live only in the module's own load context.
/// </summary>
internal sealed class PreparedMail
{
    internal PreparedMail(MimeMessage message, string server)
    {
        Message = message;
        Server = server;
    }

    internal MimeMessage Message { get; }

    /// <summary>The SMTP server (host:port) or the Graph or EWS host.</summary>
    public string Server { get; }
}
