using System.Collections.Concurrent;
using System.Net.Sockets;
using System.Text;

namespace ModernAuth.Mail.Relay.Tests.Support;

/// <summary>
/// A scripted SMTP server on loopback for the upstream replies the shared Postfix cannot be made to give without
/// changing it for everyone: throttling (<c>451 4.7.500 Server busy</c>, Exchange's <c>5.2.0</c> submission quota).
/// It speaks the real wire format to the relay's real MailKit client (EHLO, AUTH XOAUTH2, MAIL, RCPT, DATA, RSET,
/// QUIT), counts connections, and keeps each accepted message.
/// </summary>
public sealed class FakeUpstream : LoopbackServer
{
    private int _transactions;

    /// <summary>Messages accepted (250 after the data), as their raw text.</summary>
    public ConcurrentQueue<string> Accepted { get; } = new();

    /// <summary>
    /// The reply to a transaction's <c>MAIL FROM</c> (its number counting from 0 over all connections), or null for 250.
    /// </summary>
    public Func<int, string?> MailFromReply { get; set; } = _ => null;

    /// <summary>The reply after a transaction's data, or null for 250.</summary>
    public Func<int, string?> DataReply { get; set; } = _ => null;

    protected override async Task HandleAsync(TcpClient client)
    {
        using (client)
        {
            try
            {
                var stream = client.GetStream();
                using var reader = new StreamReader(stream, Encoding.Latin1);
                async Task Reply(string line) => await stream.WriteAsync(Encoding.ASCII.GetBytes(line + "\r\n"), Stop.Token);
                await Reply("220 fake.upstream ESMTP");
                var transaction = -1;
                while (await reader.ReadLineAsync(Stop.Token) is { } line)
                {
                    var verb = line.Split(' ', 2)[0].ToUpperInvariant();
                    switch (verb)
                    {
                        case "EHLO":
                            await Reply("250-fake.upstream\r\n250-PIPELINING\r\n250-8BITMIME\r\n250 AUTH XOAUTH2");
                            break;
                        case "AUTH":
                            await Reply("235 2.7.0 Authentication successful");
                            break;
                        case "MAIL":
                            transaction = Interlocked.Increment(ref _transactions) - 1;
                            var mail = MailFromReply(transaction);
                            await Reply(mail ?? "250 2.1.0 Sender OK");
                            if (mail is not null && mail.StartsWith("421", StringComparison.Ordinal))
                            {
                                return;
                            }

                            break;
                        case "RCPT":
                            await Reply("250 2.1.5 Recipient OK");
                            break;
                        case "DATA":
                            await Reply("354 Start mail input; end with <CRLF>.<CRLF>");
                            var data = new StringBuilder();
                            while (await reader.ReadLineAsync(Stop.Token) is { } dataLine && dataLine != ".")
                            {
                                data.Append(dataLine).Append("\r\n");
                            }

                            var after = DataReply(transaction);
                            if (after is null)
                            {
                                Accepted.Enqueue(data.ToString());
                            }

                            await Reply(after ?? "250 2.0.0 OK queued");
                            break;
                        case "QUIT":
                            await Reply("221 2.0.0 Bye");
                            return;
                        default:
                            await Reply("250 2.0.0 OK");
                            break;
                    }
                }
            }
            catch (Exception ex) when (ex is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
            {
            }
        }
    }
}
