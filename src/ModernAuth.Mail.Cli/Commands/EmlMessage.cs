using MimeKit;

namespace ModernAuth.Mail.Cli.Commands;

/// <summary>
/// <c>send --eml</c>: a finished message from a file or standard input, and its envelope as <c>sendmail -t</c> takes it
/// (the sender from Sender or From, the recipients from To, Cc and Bcc) unless <c>--from</c> / <c>--to</c> name them.
/// </summary>
internal sealed class EmlMessage
{
    private EmlMessage(MimeMessage message, string source)
    {
        Message = message;
        Source = source;
    }

    public MimeMessage Message { get; }

    /// <summary>Where the message came from, for messages: the path, or "standard input".</summary>
    public string Source { get; }

    /// <summary>Reads and parses the message at <paramref name="path"/>, or standard input for <c>-</c>.</summary>
    /// <exception cref="UsageException">The file is missing or unreadable, the input is empty, or it is not a MIME message.</exception>
    public static async Task<EmlMessage> LoadAsync(string path, CliConsole console, CancellationToken cancellationToken)
    {
        var source = path == "-" ? "standard input" : path;
        byte[] bytes;
        try
        {
            if (path == "-")
            {
                if (console.OpenStandardInput is { } open)
                {
                    await using var input = open();
                    using var buffer = new MemoryStream();
                    await input.CopyToAsync(buffer, cancellationToken);
                    bytes = buffer.ToArray();
                }
                else
                {
                    bytes = System.Text.Encoding.UTF8.GetBytes(await console.In.ReadToEndAsync(cancellationToken));
                }
            }
            else if (!File.Exists(path))
            {
                throw new UsageException($"The message file {path} does not exist (--eml). Give the path of an .eml file, or '-' to read the message from standard input.");
            }
            else
            {
                bytes = await File.ReadAllBytesAsync(path, cancellationToken);
            }
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException)
        {
            throw new UsageException($"{source} could not be read (--eml): {error.Message}");
        }

        if (bytes.AsSpan().Trim((byte)'\n').Trim((byte)'\r').Trim((byte)' ').IsEmpty)
        {
            throw new UsageException($"The message from {source} is empty (--eml): give a whole message, headers and body, as an .eml file holds it.");
        }

        MimeMessage message;
        try
        {
            using var stream = new MemoryStream(bytes, writable: false);
            message = await MimeMessage.LoadAsync(stream, cancellationToken);
        }
        catch (FormatException error)
        {
            throw new UsageException($"The message from {source} is not a MIME message (--eml): {error.Message} It must start with headers (From:, To:, Subject:) followed by an empty line and the body.");
        }

        // MimeKit takes almost any text as a body without headers: a message needs at least one header it can send by.
        if (message.Headers.Count == 0)
        {
            throw new UsageException($"The message from {source} has no headers (--eml): it must start with headers (From:, To:, Subject:) followed by an empty line and the body.");
        }

        // What sendmail adds to a message that lacks them, so the message can be found and threaded.
        if (string.IsNullOrEmpty(message.MessageId))
        {
            message.MessageId = MimeKit.Utils.MimeUtils.GenerateMessageId();
        }

        if (!message.Headers.Contains(HeaderId.Date))
        {
            message.Date = TimeProvider.System.GetLocalNow();
        }

        return new EmlMessage(message, source);
    }

    /// <summary>The envelope sender: <paramref name="from"/>, else the Sender header, else the first From mailbox, else <see langword="null"/>.</summary>
    public MailboxAddress? EnvelopeSender(MailboxAddress? from) =>
        from ?? Message.Sender ?? Message.From.Mailboxes.FirstOrDefault();

    /// <summary>The envelope recipients: <paramref name="to"/> when given, else every To, Cc and Bcc mailbox (groups expanded), without repeats.</summary>
    /// <exception cref="UsageException">There is no recipient.</exception>
    public IReadOnlyList<MailboxAddress> EnvelopeRecipients(IReadOnlyList<MailboxAddress> to)
    {
        var recipients = to.Count > 0 ? to : Message.To.Mailboxes.Concat(Message.Cc.Mailboxes).Concat(Message.Bcc.Mailboxes).ToList();
        var unique = recipients.DistinctBy(r => r.Address, StringComparer.OrdinalIgnoreCase).ToList();
        return unique.Count > 0
            ? unique
            : throw new UsageException($"The message from {Source} has no recipients: it has no To, Cc or Bcc header with an address. Add one, or give the recipients with --to.");
    }
}
