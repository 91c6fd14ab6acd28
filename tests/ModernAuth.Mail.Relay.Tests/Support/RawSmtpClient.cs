using System.Net;
using System.Net.Sockets;
using System.Text;

namespace ModernAuth.Mail.Relay.Tests.Support;

/// <summary>A bare SMTP client that sends exactly the bytes a test gives, to test malformed and hostile input.</summary>
public sealed class RawSmtpClient : IAsyncDisposable
{
    private readonly TcpClient _client;
    private Stream? _stream;
    private readonly StringBuilder _buffer = new();

    private RawSmtpClient(IPAddress? from) => _client = from is null ? new TcpClient() : new TcpClient(new IPEndPoint(from, 0));

    /// <summary>Connects, from <paramref name="from"/> when given (127.0.0.2 is another client address on loopback).</summary>
    public static async Task<RawSmtpClient> ConnectAsync(IPEndPoint endpoint, IPAddress? from = null)
    {
        var client = new RawSmtpClient(from);
        await client._client.ConnectAsync(endpoint);
        client._stream = client._client.GetStream();
        return client;
    }

    /// <summary>Starts TLS on the connection (after a 220 to STARTTLS), trusting any certificate.</summary>
    public async Task StartTlsAsync()
    {
        var ssl = new System.Net.Security.SslStream(_stream!, leaveInnerStreamOpen: false, (_, _, _, _) => true);
        await ssl.AuthenticateAsClientAsync("relay.test");
        _stream = ssl;
    }

    public Task SendAsync(string text) => _stream!.WriteAsync(Encoding.Latin1.GetBytes(text)).AsTask();

    public Task SendBytesAsync(byte[] bytes) => _stream!.WriteAsync(bytes).AsTask();

    /// <summary>Sends a command line (CRLF added) and reads the full (possibly multi-line) reply.</summary>
    public async Task<string> CommandAsync(string line)
    {
        await SendAsync(line + "\r\n");
        return await ReadReplyAsync();
    }

    /// <summary>Reads one full reply; null when the server closed the connection.</summary>
    public async Task<string?> TryReadReplyAsync(TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(20));
        var lines = new List<string>();
        var chunk = new byte[4096];
        while (true)
        {
            var text = _buffer.ToString();
            var newline = text.IndexOf("\r\n", StringComparison.Ordinal);
            if (newline >= 0)
            {
                var line = text[..newline];
                _buffer.Remove(0, newline + 2);
                lines.Add(line);
                if (line.Length < 4 || line[3] != '-')
                {
                    return string.Join("\n", lines);
                }

                continue;
            }

            int read;
            try
            {
                read = await _stream!.ReadAsync(chunk, cts.Token);
            }
            catch (IOException)
            {
                return lines.Count > 0 ? string.Join("\n", lines) : null;
            }

            if (read == 0)
            {
                return lines.Count > 0 ? string.Join("\n", lines) : null;
            }

            _buffer.Append(Encoding.Latin1.GetString(chunk, 0, read));
        }
    }

    public async Task<string> ReadReplyAsync(TimeSpan? timeout = null) =>
        await TryReadReplyAsync(timeout) ?? throw new IOException("The relay closed the connection without a reply.");

    public async ValueTask DisposeAsync()
    {
        _client.Dispose();
        await Task.CompletedTask;
    }
}
