namespace ModernAuth.Mail.PowerShell.Engine.Sending;

/// <summary>What was sent: the Message-Id the server got, how, and where.</summary>
internal sealed record SentMail(string MessageId, string From, int Recipients, MailTransport Transport, string Server, TimeSpan Elapsed);
