using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace ModernAuth.Mail.MailKit.Tests.Support;

/// <summary>
/// A loopback server that speaks just enough IMAP, POP3 or SMTP (no TLS) to advertise its SASL mechanisms and answer
/// each authentication with a recorded reply, so recorded Exchange Online answers can be replayed through MailKit and
/// the adapter. It counts authentication attempts and connections.
/// </summary>
public sealed class ScriptedMailServer : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly MailProtocol _protocol;
    private readonly Func<int, string> _authReply;
    private readonly string[] _mechanisms;
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentBag<Task> _sessions = new();
    private readonly Task _acceptLoop;
    private int _authAttempts;
    private int _connections;
    private int _messagesAccepted;

    /// <param name="protocol">IMAP, POP or SMTP.</param>
    /// <param name="authReply">
    /// The reply to the n-th authentication (1-based): for IMAP the text after the tag (<c>NO AUTHENTICATE failed.</c>),
    /// for POP3 and SMTP the whole reply; several lines separated by <c>\r\n</c>. <c>OK</c> / <c>+OK</c> / <c>235</c> accept.
    /// </param>
    /// <param name="mechanisms">The SASL mechanisms advertised.</param>
    public ScriptedMailServer(MailProtocol protocol, Func<int, string> authReply, params string[] mechanisms)
    {
        _protocol = protocol;
        _authReply = authReply;
        _mechanisms = mechanisms.Length == 0 ? new[] { "XOAUTH2" } : mechanisms;
        _listener.Start();
        _acceptLoop = AcceptAsync();
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    /// <summary>Closes the connection right after replying to the n-th authentication when this returns <see langword="true"/>.</summary>
    public Func<int, bool> CloseAfterReply { get; set; } = _ => false;

    public int AuthAttempts => Volatile.Read(ref _authAttempts);

    /// <summary>SMTP: the addresses <c>RCPT TO</c> refuses with <c>550 5.1.1</c>; every other one is accepted.</summary>
    public IReadOnlyCollection<string> RefusedRecipients { get; init; } = Array.Empty<string>();

    /// <summary>SMTP: how many messages <c>DATA</c> accepted.</summary>
    public int MessagesAccepted => Volatile.Read(ref _messagesAccepted);

    public int Connections => Volatile.Read(ref _connections);

    public MailKitConnectOptions ConnectOptions() => new()
    {
        Host = "127.0.0.1",
        Port = Port,
        TlsMode = MailTlsMode.None,
        Timeout = TimeSpan.FromSeconds(10),
    };

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        try
        {
            await _acceptLoop;
        }
        catch (Exception ex) when (ex is ObjectDisposedException or SocketException or OperationCanceledException)
        {
        }

        await Task.WhenAll(_sessions.ToArray()).WaitAsync(TimeSpan.FromSeconds(5)).ContinueWith(_ => { }, TaskScheduler.Default);
        _stop.Dispose();
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            var socket = await _listener.AcceptTcpClientAsync(_stop.Token);
            Interlocked.Increment(ref _connections);
            _sessions.Add(Task.Run(() => ServeAsync(socket)));
        }
    }

    private async Task ServeAsync(TcpClient socket)
    {
        using var _ = socket;
        try
        {
            var stream = socket.GetStream();
            using var reader = new StreamReader(stream, Encoding.ASCII);
            await using var writer = new StreamWriter(stream, Encoding.ASCII) { NewLine = "\r\n", AutoFlush = true };
            var ct = _stop.Token;
            switch (_protocol)
            {
                case MailProtocol.Imap:
                    await ServeImapAsync(reader, writer, ct);
                    break;
                case MailProtocol.Pop:
                    await ServePopAsync(reader, writer, ct);
                    break;
                default:
                    await ServeSmtpAsync(reader, writer, ct);
                    break;
            }
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException or OperationCanceledException or SocketException)
        {
        }
    }

    private async Task ServeImapAsync(StreamReader reader, StreamWriter writer, CancellationToken ct)
    {
        var capability = "IMAP4rev1 SASL-IR " + string.Join(" ", _mechanisms.Select(m => "AUTH=" + m));
        await writer.WriteLineAsync($"* OK [CAPABILITY {capability}] Scripted IMAP ready.");
        while (await reader.ReadLineAsync(ct) is { } line)
        {
            var parts = line.Split(' ', 4);
            var tag = parts[0];
            var command = parts.Length > 1 ? parts[1].ToUpperInvariant() : string.Empty;
            switch (command)
            {
                case "CAPABILITY":
                    await writer.WriteLineAsync($"* CAPABILITY {capability}");
                    await writer.WriteLineAsync($"{tag} OK CAPABILITY completed.");
                    break;
                case "AUTHENTICATE":
                    if (parts.Length < 4)
                    {
                        await writer.WriteLineAsync("+ ");
                        await reader.ReadLineAsync(ct);
                    }

                    var attempt = Interlocked.Increment(ref _authAttempts);
                    foreach (var replyLine in _authReply(attempt).Split("\r\n"))
                    {
                        await writer.WriteLineAsync(replyLine.StartsWith('*') || replyLine.StartsWith('+') ? replyLine : $"{tag} {replyLine}");
                    }

                    if (CloseAfterReply(attempt))
                    {
                        return;
                    }

                    break;
                case "LOGOUT":
                    await writer.WriteLineAsync("* BYE Scripted IMAP logging out.");
                    await writer.WriteLineAsync($"{tag} OK LOGOUT completed.");
                    return;
                case "NOOP":
                    await writer.WriteLineAsync($"{tag} OK NOOP completed.");
                    break;
                default:
                    await writer.WriteLineAsync($"{tag} BAD Command unknown to the scripted server.");
                    break;
            }
        }
    }

    private async Task ServePopAsync(StreamReader reader, StreamWriter writer, CancellationToken ct)
    {
        await writer.WriteLineAsync("+OK Scripted POP3 ready.");
        while (await reader.ReadLineAsync(ct) is { } line)
        {
            var parts = line.Split(' ', 3);
            switch (parts[0].ToUpperInvariant())
            {
                case "CAPA":
                    await writer.WriteLineAsync("+OK");
                    await writer.WriteLineAsync("USER");
                    await writer.WriteLineAsync("SASL " + string.Join(" ", _mechanisms));
                    await writer.WriteLineAsync(".");
                    break;
                case "AUTH":
                    if (parts.Length < 3)
                    {
                        await writer.WriteLineAsync("+ ");
                        await reader.ReadLineAsync(ct);
                    }

                    var attempt = Interlocked.Increment(ref _authAttempts);
                    await writer.WriteLineAsync(_authReply(attempt));
                    if (CloseAfterReply(attempt))
                    {
                        return;
                    }

                    break;
                case "STAT":
                    await writer.WriteLineAsync("+OK 0 0");
                    break;
                case "QUIT":
                    await writer.WriteLineAsync("+OK Bye.");
                    return;
                default:
                    await writer.WriteLineAsync("-ERR Command unknown to the scripted server.");
                    break;
            }
        }
    }

    private async Task ServeSmtpAsync(StreamReader reader, StreamWriter writer, CancellationToken ct)
    {
        await writer.WriteLineAsync("220 scripted.test ESMTP ready");
        while (await reader.ReadLineAsync(ct) is { } line)
        {
            var parts = line.Split(' ', 3);
            switch (parts[0].ToUpperInvariant())
            {
                case "EHLO":
                    await writer.WriteLineAsync("250-scripted.test Hello");
                    await writer.WriteLineAsync("250-AUTH " + string.Join(" ", _mechanisms));
                    await writer.WriteLineAsync("250 8BITMIME");
                    break;
                case "AUTH":
                    if (parts.Length < 3)
                    {
                        await writer.WriteLineAsync("334 ");
                        await reader.ReadLineAsync(ct);
                    }

                    var attempt = Interlocked.Increment(ref _authAttempts);
                    await writer.WriteLineAsync(_authReply(attempt));
                    if (CloseAfterReply(attempt))
                    {
                        return;
                    }

                    break;
                case "QUIT":
                    await writer.WriteLineAsync("221 2.0.0 Bye");
                    return;
                case "MAIL":
                case "RSET":
                    await writer.WriteLineAsync("250 2.1.0 Ok");
                    break;
                case "RCPT":
                    var refused = RefusedRecipients.Any(r => line.Contains("<" + r + ">", StringComparison.OrdinalIgnoreCase));
                    await writer.WriteLineAsync(refused ? "550 5.1.1 Recipient address rejected: User unknown" : "250 2.1.5 Ok");
                    break;
                case "DATA":
                    await writer.WriteLineAsync("354 End data with <CR><LF>.<CR><LF>");
                    while (await reader.ReadLineAsync(ct) is { } data && data != ".")
                    {
                    }

                    Interlocked.Increment(ref _messagesAccepted);
                    await writer.WriteLineAsync("250 2.0.0 Ok: queued");
                    break;
                default:
                    await writer.WriteLineAsync("502 5.5.2 Command unknown to the scripted server.");
                    break;
            }
        }
    }
}
