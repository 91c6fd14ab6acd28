using System.Text;
using MailKit;

namespace ModernAuth.Mail.MailKit;

/// <summary>
/// The protocol logger to give a MailKit client that <c>AuthenticateAsync</c> will authenticate. It does two things:
/// it keeps the server's lines of each authentication, so that a rejection is reported with the server's own words
/// (MailKit's IMAP and POP3 clients throw "Authentication failed." and drop them), and it passes the conversation on to
/// an optional inner logger with every token, XOAUTH2 and OAUTHBEARER string, <c>LOGIN</c> password and <c>PLAIN</c>
/// string replaced by <c>********</c>.
/// </summary>
/// <remarks>
/// <see cref="MailKitConnector"/> creates one for every client it connects. When you create the client yourself, pass
/// one to its constructor: <c>new ImapClient(new MailKitProtocolLogger())</c>, or
/// <c>new ImapClient(new MailKitProtocolLogger(new ProtocolLogger("imap.log")))</c> to also write a log. MailKit disposes
/// the logger (and so the inner logger) when the client is disposed. Like MailKit's own loggers, one instance serves one
/// client.
/// </remarks>
public sealed class MailKitProtocolLogger : IProtocolLogger
{
    internal const string Mask = "********";
    private const int MaxCapturedLines = 64;
    private const int MaxLineLength = 4096;
    private static readonly byte[] MaskBytes = Encoding.ASCII.GetBytes(Mask);

    private readonly IProtocolLogger? _inner;
    private readonly object _gate = new();
    private readonly List<string> _captured = new();
    private readonly List<byte> _serverLine = new();
    private bool _capturing;
    private bool _authenticating;
    private ClientLineState _clientLine = ClientLineState.Start;
    private bool _disposed;

    /// <summary>Creates a logger that keeps the server's words of each authentication and writes no log.</summary>
    public MailKitProtocolLogger()
        : this(null)
    {
    }

    /// <summary>Creates a logger that also passes the conversation, with secrets masked, to <paramref name="inner"/>.</summary>
    /// <param name="inner">
    /// The logger to write to, for example MailKit's <c>ProtocolLogger</c> on a file or stream; <see langword="null"/>
    /// for none. It receives client lines with secrets already masked, and is disposed with this logger.
    /// </param>
    public MailKitProtocolLogger(IProtocolLogger? inner)
    {
        _inner = inner;
    }

    private enum ClientLineState
    {
        // At the start of a line: a command may be kept.
        Start,

        // Inside a line whose rest is secret; nothing masked yet.
        Masking,

        // Inside a line whose secret part has been replaced by the mask.
        Masked,
    }

    /// <summary>
    /// Set by the MailKit client: finds the secrets of the authentication commands the client sends (the
    /// <c>AUTHENTICATE</c>, <c>AUTH</c>, <c>LOGIN</c>, <c>USER</c>/<c>PASS</c> arguments), so they can be masked.
    /// </summary>
    public IAuthenticationSecretDetector? AuthenticationSecretDetector { get; set; }

    /// <summary>Where the client last connected, from <see cref="LogConnect(Uri)"/>: used to reconnect for a retry.</summary>
    internal Uri? LastConnectedUri { get; private set; }

    /// <inheritdoc/>
    public void LogConnect(Uri uri)
    {
        if (uri is null)
        {
            throw new ArgumentNullException(nameof(uri));
        }

        lock (_gate)
        {
            LastConnectedUri = uri;
            _serverLine.Clear();
            _clientLine = ClientLineState.Start;
            _inner?.LogConnect(uri);
        }
    }

    /// <inheritdoc/>
    public void LogClient(byte[] buffer, int offset, int count)
    {
        ValidateArguments(buffer, offset, count);
        lock (_gate)
        {
            if (_inner is null || _disposed)
            {
                return;
            }

            var masked = _authenticating ? MaskAuthentication(buffer, offset, count) : MaskDetectedSecrets(buffer, offset, count);
            if (masked is null)
            {
                _inner.LogClient(buffer, offset, count);
            }
            else
            {
                _inner.LogClient(masked, 0, masked.Length);
            }
        }
    }

    /// <inheritdoc/>
    public void LogServer(byte[] buffer, int offset, int count)
    {
        ValidateArguments(buffer, offset, count);
        lock (_gate)
        {
            if (_capturing)
            {
                Capture(buffer, offset, count);
            }

            if (!_disposed)
            {
                _inner?.LogServer(buffer, offset, count);
            }
        }
    }

    /// <summary>Disposes the inner logger.</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            _inner?.Dispose();
        }
    }

    /// <summary>
    /// Starts an authentication by this package: until the server's final reply, every line the client sends is masked
    /// except the command and mechanism name, and the server's lines are kept.
    /// </summary>
    internal void BeginAuthentication()
    {
        lock (_gate)
        {
            _captured.Clear();
            _serverLine.Clear();
            _capturing = true;
            _authenticating = true;
            _clientLine = ClientLineState.Start;
        }
    }

    /// <summary>Ends the authentication and returns the server's lines, oldest first.</summary>
    /// <returns>The lines, without line ends.</returns>
    internal IReadOnlyList<string> EndAuthentication()
    {
        lock (_gate)
        {
            if (_serverLine.Count > 0)
            {
                AddCapturedLine();
            }

            _capturing = false;
            _authenticating = false;
            _clientLine = ClientLineState.Start;
            var lines = _captured.ToArray();
            _captured.Clear();
            return lines;
        }
    }

    private void Capture(byte[] buffer, int offset, int count)
    {
        for (var i = offset; i < offset + count; i++)
        {
            var b = buffer[i];
            if (b == (byte)'\n')
            {
                AddCapturedLine();
                if (!_capturing)
                {
                    return;
                }
            }
            else if (b != (byte)'\r' && _serverLine.Count < MaxLineLength)
            {
                _serverLine.Add(b);
            }
        }
    }

    private void AddCapturedLine()
    {
        var line = Encoding.UTF8.GetString(_serverLine.ToArray());
        _serverLine.Clear();
        if (_captured.Count == MaxCapturedLines)
        {
            _captured.RemoveAt(0);
        }

        _captured.Add(line);
        if (IsFinalReply(line))
        {
            // The exchange is over: what the client sends next (CAPABILITY, STAT, MAIL FROM) is no secret, and what the
            // server sends is no longer part of its answer to the token.
            _capturing = false;
            _authenticating = false;
            _clientLine = ClientLineState.Start;
        }
    }

    // A continuation ("+ ...", "334 ...") or an untagged IMAP line ("* ...") comes before the final reply; anything
    // else ("A1 NO ...", "+OK", "-ERR ...", "235 ...", "535 ...") is the final reply to the authentication command.
    private static bool IsFinalReply(string line)
    {
        if (line.Length == 0 || line[0] == '*')
        {
            return false;
        }

        if (line[0] == '+')
        {
            return line.StartsWith("+OK", StringComparison.OrdinalIgnoreCase);
        }

        return !line.StartsWith("334", StringComparison.Ordinal);
    }

    // While this package authenticates, everything the client sends is secret except the command itself
    // ("A00000001 AUTHENTICATE XOAUTH2", "AUTH XOAUTH2"): the initial response, the token sent after a "+" and the
    // answer to an error challenge. Masking all of it does not depend on how MailKit splits its writes.
    private byte[] MaskAuthentication(byte[] buffer, int offset, int count)
    {
        var output = new List<byte>(Math.Min(count, 256));
        var end = offset + count;
        var i = offset;
        while (i < end)
        {
            var lineEnd = i;
            while (lineEnd < end && buffer[lineEnd] != (byte)'\r' && buffer[lineEnd] != (byte)'\n')
            {
                lineEnd++;
            }

            if (lineEnd > i)
            {
                var keep = _clientLine == ClientLineState.Start ? CommandLength(buffer, i, lineEnd) : 0;
                if (keep > 0 && i + keep < lineEnd && buffer[i + keep] == (byte)' ')
                {
                    keep++;
                }
                for (var k = i; k < i + keep; k++)
                {
                    output.Add(buffer[k]);
                }

                if (lineEnd > i + keep && _clientLine != ClientLineState.Masked)
                {
                    output.AddRange(MaskBytes);
                    _clientLine = ClientLineState.Masked;
                }
                else if (_clientLine == ClientLineState.Start)
                {
                    // The line goes on in the next write: mask whatever comes.
                    _clientLine = ClientLineState.Masking;
                }
            }

            // Copy the line end (if any) and start a new line after "\n".
            while (lineEnd < end && (buffer[lineEnd] == (byte)'\r' || buffer[lineEnd] == (byte)'\n'))
            {
                output.Add(buffer[lineEnd]);
                if (buffer[lineEnd] == (byte)'\n')
                {
                    _clientLine = ClientLineState.Start;
                }

                lineEnd++;
            }

            i = lineEnd;
        }

        return output.ToArray();
    }

    // The length of "[tag ]AUTH[ENTICATE] MECHANISM" at the start of a line, or 0 when the line is not such a command.
    private static int CommandLength(byte[] buffer, int start, int end)
    {
        var text = Encoding.ASCII.GetString(buffer, start, Math.Min(end - start, 128));
        var words = text.Split(' ');
        var verb = 0;
        if (words.Length > 1 && !IsAuthVerb(words[0]) && IsAuthVerb(words[1]))
        {
            verb = 1;
        }
        else if (!IsAuthVerb(words[0]))
        {
            return 0;
        }

        if (words.Length < verb + 2)
        {
            return Math.Min(end - start, text.Length);
        }

        var length = 0;
        for (var w = 0; w <= verb + 1; w++)
        {
            length += words[w].Length + (w > 0 ? 1 : 0);
        }

        return Math.Min(length, end - start);
    }

    private static bool IsAuthVerb(string word) =>
        string.Equals(word, "AUTHENTICATE", StringComparison.OrdinalIgnoreCase) || string.Equals(word, "AUTH", StringComparison.OrdinalIgnoreCase);

    // Outside this package's authentications (a LOGIN with a password, a SASL mechanism the caller chose), MailKit's
    // detector finds the secrets, line by line as MailKit's own ProtocolLogger asks it.
    private byte[]? MaskDetectedSecrets(byte[] buffer, int offset, int count)
    {
        var detector = AuthenticationSecretDetector;
        if (detector is null)
        {
            return null;
        }

        List<byte>? output = null;
        var end = offset + count;
        var i = offset;
        while (i < end)
        {
            var start = i;
            while (i < end && buffer[i] != (byte)'\n')
            {
                i++;
            }

            if (i < end)
            {
                i++;
            }

            var secrets = detector.DetectSecrets(buffer, start, i - start);
            if (secrets.Count == 0 && output is null)
            {
                continue;
            }

            output ??= new List<byte>(count);
            if (output.Count == 0 && start > offset)
            {
                AddRange(output, buffer, offset, start - offset);
            }

            var copied = start;
            foreach (var secret in secrets)
            {
                if (secret.StartIndex > copied)
                {
                    AddRange(output, buffer, copied, secret.StartIndex - copied);
                }

                output.AddRange(MaskBytes);
                copied = secret.StartIndex + secret.Length;
            }

            AddRange(output, buffer, copied, i - copied);
        }

        return output?.ToArray();
    }

    private static void AddRange(List<byte> output, byte[] buffer, int offset, int count)
    {
        for (var k = offset; k < offset + count; k++)
        {
            output.Add(buffer[k]);
        }
    }

    private static void ValidateArguments(byte[] buffer, int offset, int count)
    {
        if (buffer is null)
        {
            throw new ArgumentNullException(nameof(buffer));
        }

        if (offset < 0 || offset > buffer.Length)
        {
            throw new ArgumentOutOfRangeException(nameof(offset));
        }

        if (count < 0 || count > buffer.Length - offset)
        {
            throw new ArgumentOutOfRangeException(nameof(count));
        }
    }
}
