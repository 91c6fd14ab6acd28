namespace ModernAuth.Mail.PowerShell.Sending;

/// <summary>What Send-ModernAuthMailMessage -PassThru returns: the message's id, sender, how many recipients, how and where it was sent.</summary>
public sealed class ModernAuthMailSendResult
{
    internal ModernAuthMailSendResult(string messageId, string from, int recipients, ModernAuthMailTransport via, string server, TimeSpan elapsed)
    {
        MessageId = messageId;
        From = from;
        Recipients = recipients;
        Via = via;
        Server = server;
        Elapsed = elapsed;
    }

    /// <summary>The Message-Id header (without angle brackets).</summary>
    public string MessageId { get; }

    /// <summary>The sender's address.</summary>
    public string From { get; }

    /// <summary>To, Cc and Bcc together.</summary>
    public int Recipients { get; }

    /// <summary>How it was sent.</summary>
    public ModernAuthMailTransport Via { get; }

    /// <summary>The SMTP server (host:port) or the Graph or EWS host.</summary>
    public string Server { get; }

    /// <summary>How long signing in, connecting and sending took.</summary>
    public TimeSpan Elapsed { get; }
}
