using System.Net.Mail;
using System.Text;

namespace ModernAuth.Mail.PowerShell.Engine.Sending;

/// <summary>A message as Send-MailMessage's parameters describe it. Attachments are full file paths, already resolved.</summary>
internal sealed class OutgoingMail
{
    public string From { get; init; } = string.Empty;

    public IReadOnlyList<string> To { get; init; } = [];

    public IReadOnlyList<string> Cc { get; init; } = [];

    public IReadOnlyList<string> Bcc { get; init; } = [];

    public IReadOnlyList<string> ReplyTo { get; init; } = [];

    public string? Subject { get; init; }

    public string? Body { get; init; }

    public bool BodyAsHtml { get; init; }

    /// <summary>The charset of the subject and body. Default UTF-8 (Send-MailMessage's default, ASCII, turns every other character into '?').</summary>
    public Encoding Encoding { get; init; } = new UTF8Encoding(false);

    public MailPriority Priority { get; init; } = MailPriority.Normal;

    public IReadOnlyList<string> Attachments { get; init; } = [];

    public int RecipientCount => To.Count + Cc.Count + Bcc.Count;
}
