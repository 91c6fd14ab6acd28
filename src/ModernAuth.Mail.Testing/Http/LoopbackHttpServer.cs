using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace ModernAuth.Mail.Testing.Internal;

/// <summary>
/// A small HTTP/1.1 server over TLS on 127.0.0.1 (a free port) that hosts the fakes with nothing beyond the base
/// runtime, so that a tool using the fakes does not need the ASP.NET Core runtime. It reads requests with
/// <c>Content-Length</c> or chunked bodies (and answers <c>Expect: 100-continue</c>), hands each to the handler with its
/// body in full, and writes the handler's buffered answer with <c>Content-Length</c>; connections are kept alive and
/// served concurrently. Limits answer as Kestrel does: 413 for a body over the cap, 431 for headers over 32 KB, 400 for
/// broken framing, 501 for a transfer coding other than chunked.
/// </summary>
internal sealed class LoopbackHttpServer : IAsyncDisposable
{
    /// <summary>Kestrel's default body cap (about 28.6 MB).</summary>
    public const long DefaultMaxRequestBodySize = 30_000_000;
    private const int MaxRequestLineLength = 8 * 1024;
    private const int MaxHeaderBytes = 32 * 1024;
    private const int MaxHeaderCount = 100;
    private static readonly TimeSpan KeepAliveTimeout = TimeSpan.FromMinutes(2);
    private static readonly TimeSpan HandshakeTimeout = TimeSpan.FromSeconds(10);

    private readonly TcpListener _listener;
    private readonly X509Certificate2 _certificate;
    private readonly Func<LoopbackHttpContext, CancellationToken, Task> _handler;
    private readonly TimeSpan _shutdownTimeout;
    private readonly long _maxRequestBodySize;
    private readonly CancellationTokenSource _stopping = new();
    private readonly ConcurrentDictionary<Connection, Task> _connections = new();
    private readonly Task _acceptLoop;
    private int _disposed;

    private LoopbackHttpServer(X509Certificate2 certificate, Func<LoopbackHttpContext, CancellationToken, Task> handler, TimeSpan shutdownTimeout, long maxRequestBodySize)
    {
        _certificate = certificate;
        _handler = handler;
        _shutdownTimeout = shutdownTimeout;
        _maxRequestBodySize = maxRequestBodySize;
        _listener = new TcpListener(IPAddress.Loopback, 0);
        _listener.Start(512);
        BaseAddress = new Uri("https://127.0.0.1:" + ((IPEndPoint)_listener.LocalEndpoint).Port.ToString(CultureInfo.InvariantCulture));
        _acceptLoop = AcceptLoopAsync();
    }

    /// <summary>The address, for example <c>https://127.0.0.1:41234</c>.</summary>
    public Uri BaseAddress { get; }

    /// <summary>Starts listening at once.</summary>
    /// <param name="certificate">The TLS server certificate, with its private key.</param>
    /// <param name="handler">Fills in the response of each request; the token is cancelled when the client goes away or the server stops.</param>
    /// <param name="shutdownTimeout">How long requests still running may hold up <see cref="DisposeAsync"/>.</param>
    /// <param name="maxRequestBodySize">The largest request body, in bytes (413 beyond it).</param>
    public static LoopbackHttpServer Start(X509Certificate2 certificate, Func<LoopbackHttpContext, CancellationToken, Task> handler, TimeSpan shutdownTimeout, long maxRequestBodySize = DefaultMaxRequestBodySize) =>
        new(certificate, handler, shutdownTimeout, maxRequestBodySize);

    /// <summary>
    /// Stops accepting, closes idle connections, gives running requests <c>shutdownTimeout</c> to finish (their token
    /// is cancelled first, so requests hanging on purpose end at once) and then closes every connection.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _stopping.CancelAsync().ConfigureAwait(false);
        _listener.Stop();
        await _acceptLoop.ConfigureAwait(false);
        foreach (var connection in _connections.Keys)
        {
            if (!connection.Busy)
            {
                connection.Close();
            }
        }

        var all = Task.WhenAll(_connections.Values);
        if (await Task.WhenAny(all, Task.Delay(_shutdownTimeout)).ConfigureAwait(false) != all)
        {
            foreach (var connection in _connections.Keys)
            {
                connection.Close();
            }
        }

        await all.ConfigureAwait(false);
        _stopping.Dispose();
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stopping.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = await _listener.AcceptSocketAsync(_stopping.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                if (_stopping.IsCancellationRequested)
                {
                    return;
                }

                continue;
            }

            socket.NoDelay = true;
            var connection = new Connection(socket);
            var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _connections[connection] = RunConnectionAsync(connection, started.Task);
            started.SetResult();
        }
    }

    private async Task RunConnectionAsync(Connection connection, Task started)
    {
        await started.ConfigureAwait(false);
        try
        {
            await ServeConnectionAsync(connection).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException or OperationCanceledException or AuthenticationException or HttpFramingException)
        {
            // The client went away, the TLS handshake failed or the server is stopping: the connection just ends.
        }
        finally
        {
            connection.Close();
            _connections.TryRemove(connection, out _);
        }
    }

    private async Task ServeConnectionAsync(Connection connection)
    {
        using (var handshake = CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token))
        {
            handshake.CancelAfter(HandshakeTimeout);
            await connection.Tls.AuthenticateAsServerAsync(new SslServerAuthenticationOptions
            {
                ServerCertificate = _certificate,
                ClientCertificateRequired = false,
                ApplicationProtocols = [SslApplicationProtocol.Http11],
            }, handshake.Token).ConfigureAwait(false);
        }

        var reader = new HttpConnectionReader(connection.Tls);
        while (!_stopping.IsCancellationRequested)
        {
            LoopbackHttpRequest? request;
            bool keepAlive;
            using (var idle = CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token))
            {
                idle.CancelAfter(KeepAliveTimeout);
                try
                {
                    (request, keepAlive) = await ReadRequestAsync(reader, connection, idle.Token).ConfigureAwait(false);
                }
                catch (HttpFramingException e)
                {
                    await WriteErrorAsync(connection, e.StatusCode).ConfigureAwait(false);
                    await LingerAsync(connection).ConfigureAwait(false);
                    return;
                }
            }

            if (request is null)
            {
                return;
            }

            connection.Busy = true;
            if (!await ServeRequestAsync(connection, reader, request, keepAlive).ConfigureAwait(false) || !keepAlive)
            {
                return;
            }

            connection.Busy = false;
        }
    }

    private async Task<bool> ServeRequestAsync(Connection connection, HttpConnectionReader reader, LoopbackHttpRequest request, bool keepAlive)
    {
        using var aborted = CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token);

        // Read ahead while the handler runs: end of stream means the client gave up (a cancelled HttpClient call
        // closes its connection), which the handler sees as RequestAborted, as with Kestrel.
        if (!reader.HasBufferedData)
        {
            _ = reader.StartFill().ContinueWith(
                static (read, state) =>
                {
                    if (read.IsFaulted || read.IsCanceled || read.Result == 0)
                    {
                        try
                        {
                            ((CancellationTokenSource)state!).Cancel();
                        }
                        catch (ObjectDisposedException)
                        {
                        }
                    }
                },
                aborted,
                CancellationToken.None,
                TaskContinuationOptions.ExecuteSynchronously,
                TaskScheduler.Default);
        }

        var context = new LoopbackHttpContext(request, aborted.Token);
        try
        {
            await _handler(context, aborted.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (aborted.IsCancellationRequested)
        {
            return false;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // As Kestrel does for an application exception before the response started.
            await WriteResponseAsync(connection, request.Method, new LoopbackHttpResponse { StatusCode = 500 }, keepAlive: false).ConfigureAwait(false);
            return false;
        }

        if (context.Aborted)
        {
            return false;
        }

        await WriteResponseAsync(connection, request.Method, context.Response, keepAlive).ConfigureAwait(false);
        return true;
    }

    private async Task<(LoopbackHttpRequest? Request, bool KeepAlive)> ReadRequestAsync(HttpConnectionReader reader, Connection connection, CancellationToken cancellationToken)
    {
        string? requestLine;
        do
        {
            // RFC 9112 2.2: ignore at least one empty line before the request line.
            requestLine = await reader.ReadLineAsync(MaxRequestLineLength, 414, cancellationToken).ConfigureAwait(false);
            if (requestLine is null)
            {
                return (null, false);
            }
        }
        while (requestLine.Length == 0);

        var parts = requestLine.Split(' ');
        if (parts.Length != 3 || parts[0].Length == 0 || parts[1].Length == 0)
        {
            throw new HttpFramingException(400, "Malformed request line.");
        }

        var (method, target, version) = (parts[0], parts[1], parts[2]);
        if (version is not ("HTTP/1.1" or "HTTP/1.0"))
        {
            throw new HttpFramingException(505, "Only HTTP/1.1 and HTTP/1.0 are served.");
        }

        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        var headerBytes = 0;
        while (true)
        {
            var line = await reader.ReadLineAsync(MaxHeaderBytes, 431, cancellationToken).ConfigureAwait(false)
                ?? throw new HttpFramingException(400, "The connection closed inside the headers.");
            if (line.Length == 0)
            {
                break;
            }

            headerBytes += line.Length + 2;
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (headerBytes > MaxHeaderBytes || headers.Count >= MaxHeaderCount)
            {
                throw new HttpFramingException(431, "The request headers are too large.");
            }

            if (colon <= 0 || char.IsWhiteSpace(line[colon - 1]) || char.IsWhiteSpace(line[0]))
            {
                throw new HttpFramingException(400, "Malformed header line.");
            }

            var name = line[..colon];
            var value = line[(colon + 1)..].Trim(' ', '\t');
            headers[name] = headers.TryGetValue(name, out var earlier) ? earlier + ", " + value : value;
        }

        var keepAlive = version == "HTTP/1.1";
        if (headers.TryGetValue("Connection", out var connectionHeader))
        {
            foreach (var token in connectionHeader.Split(',', StringSplitOptions.TrimEntries))
            {
                if (token.Equals("close", StringComparison.OrdinalIgnoreCase))
                {
                    keepAlive = false;
                }
                else if (token.Equals("keep-alive", StringComparison.OrdinalIgnoreCase))
                {
                    keepAlive = true;
                }
            }
        }

        Uri? url;
        if (target.StartsWith('/'))
        {
            var host = headers.TryGetValue("Host", out var h) && h.Length > 0 ? h : BaseAddress.Authority;
            Uri.TryCreate("https://" + host + DecodePath(target), UriKind.Absolute, out url);
        }
        else
        {
            Uri.TryCreate(target, UriKind.Absolute, out url);
        }

        if (url is null)
        {
            throw new HttpFramingException(400, "Malformed request target.");
        }

        using var body = new MemoryStream();
        if (headers.TryGetValue("Transfer-Encoding", out var coding))
        {
            if (!coding.Equals("chunked", StringComparison.OrdinalIgnoreCase))
            {
                throw new HttpFramingException(501, "Only the chunked transfer coding is served.");
            }

            await ContinueAsync(connection, headers, cancellationToken).ConfigureAwait(false);
            await ReadChunkedAsync(reader, body, cancellationToken).ConfigureAwait(false);
        }
        else if (headers.TryGetValue("Content-Length", out var lengthText))
        {
            if (!long.TryParse(lengthText, NumberStyles.None, CultureInfo.InvariantCulture, out var length))
            {
                throw new HttpFramingException(400, "Malformed Content-Length.");
            }

            if (length > _maxRequestBodySize)
            {
                throw new HttpFramingException(413, "The request body is too large.");
            }

            if (length > 0)
            {
                await ContinueAsync(connection, headers, cancellationToken).ConfigureAwait(false);
                await reader.ReadExactlyAsync(length, body, cancellationToken).ConfigureAwait(false);
            }
        }

        return (new LoopbackHttpRequest(method, url, headers, body.ToArray()), keepAlive);
    }

    private async Task ReadChunkedAsync(HttpConnectionReader reader, MemoryStream body, CancellationToken cancellationToken)
    {
        while (true)
        {
            var line = await reader.ReadLineAsync(MaxRequestLineLength, 400, cancellationToken).ConfigureAwait(false)
                ?? throw new HttpFramingException(400, "The connection closed inside a chunked body.");
            var semicolon = line.IndexOf(';', StringComparison.Ordinal);
            var sizeText = (semicolon < 0 ? line : line[..semicolon]).Trim();
            if (!long.TryParse(sizeText, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var size) || size < 0)
            {
                throw new HttpFramingException(400, "Malformed chunk size.");
            }

            if (size == 0)
            {
                // Trailers, ignored, up to the empty line.
                while ((await reader.ReadLineAsync(MaxHeaderBytes, 431, cancellationToken).ConfigureAwait(false) ?? string.Empty).Length > 0)
                {
                }

                return;
            }

            if (body.Length + size > _maxRequestBodySize)
            {
                throw new HttpFramingException(413, "The request body is too large.");
            }

            await reader.ReadExactlyAsync(size, body, cancellationToken).ConfigureAwait(false);
            if (await reader.ReadLineAsync(2, 400, cancellationToken).ConfigureAwait(false) is not { Length: 0 })
            {
                throw new HttpFramingException(400, "A chunk does not end in CRLF.");
            }
        }
    }

    private static async Task ContinueAsync(Connection connection, Dictionary<string, string> headers, CancellationToken cancellationToken)
    {
        if (headers.TryGetValue("Expect", out var expect) && expect.Equals("100-continue", StringComparison.OrdinalIgnoreCase))
        {
            await connection.Tls.WriteAsync("HTTP/1.1 100 Continue\r\n\r\n"u8.ToArray(), cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// After an error answer to a request not read in full: ends the sending side and reads (and drops) what the client
    /// still sends, for a moment, so that closing does not reset the connection before the client has read the answer.
    /// </summary>
    private static async Task LingerAsync(Connection connection)
    {
        try
        {
            connection.Socket.Shutdown(SocketShutdown.Send);
            using var linger = new CancellationTokenSource(TimeSpan.FromSeconds(1));
            var buffer = new byte[16 * 1024];
            var total = 0;
            int read;
            while (total < 1024 * 1024 && (read = await connection.Tls.ReadAsync(buffer, linger.Token).ConfigureAwait(false)) > 0)
            {
                total += read;
            }
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException or OperationCanceledException)
        {
        }
    }

    private static Task WriteErrorAsync(Connection connection, int statusCode) =>
        WriteResponseAsync(connection, "GET", new LoopbackHttpResponse { StatusCode = statusCode }, keepAlive: false);

    private static async Task WriteResponseAsync(Connection connection, string method, LoopbackHttpResponse response, bool keepAlive)
    {
        var status = response.StatusCode;
        var head = new StringBuilder();
        head.Append(CultureInfo.InvariantCulture, $"HTTP/1.1 {status} {ReasonPhrase(status)}\r\n");
        head.Append("Date: ").Append(TimeProvider.System.GetUtcNow().ToString("r", CultureInfo.InvariantCulture)).Append("\r\n");
        foreach (var (name, value) in response.Headers)
        {
            if (name.Equals("Content-Length", StringComparison.OrdinalIgnoreCase) || name.Equals("Transfer-Encoding", StringComparison.OrdinalIgnoreCase) ||
                name.Equals("Connection", StringComparison.OrdinalIgnoreCase) || name.Equals("Content-Type", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            if (name.AsSpan().IndexOfAny('\r', '\n') >= 0 || value.AsSpan().IndexOfAny('\r', '\n') >= 0)
            {
                throw new InvalidOperationException($"The response header '{name}' contains a line break.");
            }

            head.Append(name).Append(": ").Append(value).Append("\r\n");
        }

        var body = response.GetBody();
        var bodyAllowed = status is not (204 or 304) and >= 200;
        if (bodyAllowed)
        {
            if (response.ContentType is not null)
            {
                head.Append("Content-Type: ").Append(response.ContentType).Append("\r\n");
            }

            // HEAD: the length the body would have, and no body (RFC 9110 9.3.2).
            head.Append(CultureInfo.InvariantCulture, $"Content-Length: {body.Count}\r\n");
        }

        if (!keepAlive)
        {
            head.Append("Connection: close\r\n");
        }

        head.Append("\r\n");
        var bytes = Encoding.Latin1.GetBytes(head.ToString());
        var sendBody = bodyAllowed && body.Count > 0 && !method.Equals("HEAD", StringComparison.OrdinalIgnoreCase);
        if (sendBody && body.Count <= 64 * 1024)
        {
            var combined = new byte[bytes.Length + body.Count];
            bytes.CopyTo(combined, 0);
            body.AsSpan().CopyTo(combined.AsSpan(bytes.Length));
            await connection.Tls.WriteAsync(combined).ConfigureAwait(false);
        }
        else
        {
            await connection.Tls.WriteAsync(bytes).ConfigureAwait(false);
            if (sendBody)
            {
                await connection.Tls.WriteAsync(body.AsMemory()).ConfigureAwait(false);
            }
        }

        await connection.Tls.FlushAsync().ConfigureAwait(false);
    }

    private static string ReasonPhrase(int status) => status switch
    {
        100 => "Continue",
        200 => "OK",
        201 => "Created",
        202 => "Accepted",
        204 => "No Content",
        302 => "Found",
        304 => "Not Modified",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        409 => "Conflict",
        413 => "Content Too Large",
        414 => "URI Too Long",
        416 => "Range Not Satisfiable",
        429 => "Too Many Requests",
        431 => "Request Header Fields Too Large",
        500 => "Internal Server Error",
        501 => "Not Implemented",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        505 => "HTTP Version Not Supported",
        _ => Enum.IsDefined((HttpStatusCode)status) ? ((HttpStatusCode)status).ToString() : "Status",
    };

    private sealed class Connection
    {
        private int _closed;
        private volatile bool _busy;

        public Connection(Socket socket)
        {
            Socket = socket;
            Tls = new SslStream(new NetworkStream(socket, ownsSocket: true), leaveInnerStreamOpen: false);
        }

        public Socket Socket { get; }

        public SslStream Tls { get; }

        /// <summary>Whether a request is being served (shutdown lets it finish first).</summary>
        public bool Busy
        {
            get => _busy;
            set => _busy = value;
        }

        public void Close()
        {
            if (Interlocked.Exchange(ref _closed, 1) == 0)
            {
                Tls.Dispose();
            }
        }
    }

    // The path decoded as ASP.NET Core's Request.Path is (what the fakes were written against): every escape but %2F,
    // so /users/a%40contoso.com reads as /users/a@contoso.com; the query is left as sent.
    private static string DecodePath(string target)
    {
        var query = target.IndexOf('?');
        var path = query < 0 ? target : target.Substring(0, query);
        var rest = query < 0 ? string.Empty : target.Substring(query);
        var segments = path.Split(new[] { "%2F", "%2f" }, StringSplitOptions.None);
        return string.Join("%2F", segments.Select(Unescape)) + rest;

        // A decoded '%', '?' or '#' would change what the URL means: those stay escaped.
        static string Unescape(string segment) =>
            Uri.UnescapeDataString(segment).Replace("%", "%25").Replace("?", "%3F").Replace("#", "%23");
    }
}
