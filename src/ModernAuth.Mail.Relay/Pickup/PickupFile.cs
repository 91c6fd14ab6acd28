using System.Text;
using MimeKit;

namespace ModernAuth.Mail.Relay.Internal;

/// <summary>
/// A pickup file's envelope and message. IIS's format (also what System.Net.Mail's <c>SpecifiedPickupDirectory</c>
/// writes) starts with <c>X-Sender:</c> and <c>X-Receiver:</c> lines that are the envelope, not part of the message:
/// they are taken off and the rest is kept byte for byte. Without them the envelope comes from the headers
/// (<c>Sender</c> or <c>From</c>; <c>To</c>, <c>Cc</c> and <c>Bcc</c>), and the <c>Bcc</c> header is removed.
/// </summary>
internal sealed record PickupFile(string Sender, IReadOnlyList<string> Recipients, byte[] Message)
{
    public static PickupFile Read(byte[] file)
    {
        string? sender = null;
        var recipients = new List<string>();
        var at = 0;
        while (at < file.Length)
        {
            var end = Array.IndexOf(file, (byte)'\n', at);
            if (end < 0)
            {
                break;
            }

            var line = Encoding.ASCII.GetString(file, at, end - at).TrimEnd('\r');
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            var name = colon > 0 ? line[..colon].Trim() : string.Empty;
            if (name.Equals("x-sender", StringComparison.OrdinalIgnoreCase))
            {
                sender = Address(line[(colon + 1)..]);
            }
            else if (name.Equals("x-receiver", StringComparison.OrdinalIgnoreCase))
            {
                recipients.Add(Address(line[(colon + 1)..]));
            }
            else
            {
                break;
            }

            at = end + 1;
        }

        if (sender is not null && recipients.Count > 0)
        {
            return new PickupFile(sender, recipients, file[at..]);
        }

        // No IIS envelope lines: the headers say who.
        using var input = new MemoryStream(file, at, file.Length - at, writable: false);
        using var message = MimeMessage.Load(input);
        sender ??= (message.Sender ?? message.From.Mailboxes.FirstOrDefault())?.Address
            ?? throw new InvalidDataException("the file has no X-Sender line and no From or Sender header.");
        if (recipients.Count == 0)
        {
            recipients.AddRange(message.To.Mailboxes.Concat(message.Cc.Mailboxes).Concat(message.Bcc.Mailboxes).Select(m => m.Address).Distinct(StringComparer.OrdinalIgnoreCase));
        }

        if (recipients.Count == 0)
        {
            throw new InvalidDataException("the file has no X-Receiver line and no To, Cc or Bcc header.");
        }

        message.Headers.RemoveAll(HeaderId.Bcc);
        using var output = new MemoryStream();
        message.WriteTo(FormatOptions.Default, output);
        return new PickupFile(sender, recipients, output.ToArray());
    }

    private static string Address(string text)
    {
        var value = text.Trim().Trim('<', '>').Trim();
        if (value.Length == 0 || value.IndexOf('@', StringComparison.Ordinal) <= 0 || value.IndexOfAny([' ', '<', '>', ',', '\t']) >= 0)
        {
            throw new InvalidDataException($"'{text.Trim()}' is not an address in an X-Sender or X-Receiver line.");
        }

        return value;
    }
}
