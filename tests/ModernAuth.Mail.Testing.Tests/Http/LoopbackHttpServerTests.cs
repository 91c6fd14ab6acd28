using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Text;
using ModernAuth.Mail.Testing.Internal;

namespace ModernAuth.Mail.Testing.Tests;

/// <summary>The fakes' own HTTP/1.1 server: framing, keep-alive, limits, concurrency and shutdown, on the wire.</summary>
public sealed class LoopbackHttpServerTests
{
    private static readonly Lazy<System.Security.Cryptography.X509Certificates.X509Certificate2> Certificate = new(LoopbackHttps.CreateCertificate);

    [Fact]
    public async Task KeepAlive_TwoRequestsOnOneConnection_BothAnswered()
    {
        var seen = 0;
        await using var server = Start(async (context, ct) =>
        {
            Interlocked.Increment(ref seen);
            await context.Response.WriteAsync($"{context.Request.Method} {context.Request.Url.PathAndQuery} {Encoding.UTF8.GetString(context.Request.Body)}", ct);
        });
        await using var client = await RawClient.ConnectAsync(server);

        await client.SendAsync("POST /one?x=1 HTTP/1.1\r\nHost: localhost\r\nContent-Length: 5\r\n\r\nhello");
        var first = await client.ReadResponseAsync();
        await client.SendAsync("GET /two HTTP/1.1\r\nHost: localhost\r\n\r\n");
        var second = await client.ReadResponseAsync();

        Assert.Equal(200, first.Status);
        Assert.Equal("POST /one?x=1 hello", first.Body);
        Assert.Equal("GET /two ", second.Body);
        Assert.Equal(2, seen);
    }

    [Fact]
    public async Task ChunkedBody_IsReadInFullAndTheConnectionStaysUsable()
    {
        await using var server = Start((context, ct) => context.Response.WriteAsync(Encoding.UTF8.GetString(context.Request.Body), ct));
        await using var client = await RawClient.ConnectAsync(server);

        await client.SendAsync("PUT /upload HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\n\r\n5;ext=1\r\nhello\r\n7\r\n, world\r\n0\r\nX-Trailer: t\r\n\r\n");
        var chunked = await client.ReadResponseAsync();
        await client.SendAsync("GET / HTTP/1.1\r\nHost: localhost\r\n\r\n");
        var next = await client.ReadResponseAsync();

        Assert.Equal("hello, world", chunked.Body);
        Assert.Equal(200, next.Status);
    }

    [Fact]
    public async Task Head_GetsTheLengthWithoutABody_And204HasNeither()
    {
        await using var server = Start(async (context, ct) =>
        {
            if (context.Request.Url.AbsolutePath == "/empty")
            {
                context.Response.StatusCode = 204;
                context.Response.Headers["Retry-After"] = "7";
                return;
            }

            context.Response.ContentType = "text/plain";
            await context.Response.WriteAsync("twelve bytes", ct);
        });
        await using var client = await RawClient.ConnectAsync(server);

        await client.SendAsync("HEAD / HTTP/1.1\r\nHost: localhost\r\n\r\n");
        var head = await client.ReadResponseAsync(expectBody: false);
        await client.SendAsync("GET /empty HTTP/1.1\r\nHost: localhost\r\n\r\n");
        var empty = await client.ReadResponseAsync(expectBody: false);
        await client.SendAsync("GET / HTTP/1.1\r\nHost: localhost\r\n\r\n");
        var get = await client.ReadResponseAsync();

        Assert.Equal("12", head.Headers["Content-Length"]);
        Assert.Equal(string.Empty, head.Body);
        Assert.Equal(204, empty.Status);
        Assert.False(empty.Headers.ContainsKey("Content-Length"));
        Assert.Equal("7", empty.Headers["Retry-After"]);
        Assert.Equal("twelve bytes", get.Body);
    }

    [Fact]
    public async Task Path_DecodedAsAspNetCoreDecodesIt_ButSlashQuestionMarkAndPercentStayEscaped()
    {
        // Graph's SDK escapes '@' in /users/{id}: the fakes were written against ASP.NET Core's decoded Request.Path.
        string? seen = null;
        await using var server = Start((context, ct) =>
        {
            seen = context.Request.Url.AbsolutePath + context.Request.Url.Query;
            context.Response.StatusCode = 204;
            return Task.CompletedTask;
        });
        using var http = new HttpClient(LoopbackHttps.CreateTrustingHandler(Certificate.Value.RawData));

        using var response = await http.GetAsync(new Uri(server.BaseAddress, "/v1.0/users/a%40contoso.test/f%2Fg%3Fh%25i?x=%40"));

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        Assert.Equal("/v1.0/users/a@contoso.test/f%2Fg%3Fh%25i?x=%40", seen);
    }

    [Fact]
    public async Task HttpClient_RetryAfterAndContentTypePassThrough()
    {
        await using var server = Start(async (context, ct) =>
        {
            context.Response.StatusCode = 429;
            context.Response.ContentType = "application/json";
            context.Response.Headers["Retry-After"] = "3";
            await context.Response.WriteAsync("{\"error\":\"throttled\"}", ct);
        });
        using var http = new HttpClient(LoopbackHttps.CreateTrustingHandler(Certificate.Value.RawData));

        using var response = await http.GetAsync(new Uri(server.BaseAddress, "/x"));

        Assert.Equal(HttpStatusCode.TooManyRequests, response.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(3), response.Headers.RetryAfter?.Delta);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("{\"error\":\"throttled\"}", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task BodyOverTheCap_413AndTheHandlerNeverRuns()
    {
        var ran = false;
        await using var server = LoopbackHttpServer.Start(Certificate.Value, (_, _) => { ran = true; return Task.CompletedTask; }, TimeSpan.FromSeconds(2), maxRequestBodySize: 100);
        await using var client = await RawClient.ConnectAsync(server);
        await using var chunkedClient = await RawClient.ConnectAsync(server);

        await client.SendAsync("POST / HTTP/1.1\r\nHost: localhost\r\nContent-Length: 101\r\n\r\n");
        var declared = await client.ReadResponseAsync();
        await chunkedClient.SendAsync("POST / HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\n\r\n65\r\n" + new string('x', 101) + "\r\n0\r\n\r\n");
        var chunked = await chunkedClient.ReadResponseAsync();

        Assert.Equal(413, declared.Status);
        Assert.Equal("close", declared.Headers["Connection"]);
        Assert.Equal(413, chunked.Status);
        Assert.False(ran);
    }

    [Theory]
    [InlineData("GET / HTTP/1.1\r\nHost: localhost\r\nX-Big: {big}\r\n\r\n", 431)]
    [InlineData("GET /HTTP/1.1\r\n\r\n", 400)]
    [InlineData("GET / HTTP/2.0\r\n\r\n", 505)]
    [InlineData("POST / HTTP/1.1\r\nHost: localhost\r\nContent-Length: ten\r\n\r\n", 400)]
    [InlineData("POST / HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: gzip\r\n\r\n", 501)]
    [InlineData("POST / HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", 400)]
    public async Task BadRequests_AnsweredWithTheirStatusAndClosed(string request, int status)
    {
        await using var server = Start((_, _) => Task.CompletedTask);
        await using var client = await RawClient.ConnectAsync(server);

        await client.SendAsync(request.Replace("{big}", new string('b', 40 * 1024), StringComparison.Ordinal));
        var response = await client.ReadResponseAsync();

        Assert.Equal(status, response.Status);
        Assert.Equal(0, await client.ReadToEndAsync());
    }

    [Fact]
    public async Task Expect100Continue_TheServerAsksForTheBody()
    {
        await using var server = Start((context, ct) => context.Response.WriteAsync(Encoding.UTF8.GetString(context.Request.Body), ct));
        await using var client = await RawClient.ConnectAsync(server);

        await client.SendAsync("POST / HTTP/1.1\r\nHost: localhost\r\nExpect: 100-continue\r\nContent-Length: 4\r\n\r\n");
        var interim = await client.ReadResponseAsync(expectBody: false);
        await client.SendAsync("body");
        var final = await client.ReadResponseAsync();

        Assert.Equal(100, interim.Status);
        Assert.Equal("body", final.Body);
    }

    [Fact]
    public async Task ConcurrentConnections_AreServedAtTheSameTime()
    {
        const int count = 16;
        var arrived = 0;
        var all = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var server = Start(async (context, ct) =>
        {
            // Each request waits for every other: this finishes only if all are in the handler at once.
            if (Interlocked.Increment(ref arrived) == count)
            {
                all.SetResult();
            }

            await all.Task.WaitAsync(ct);
            await context.Response.WriteAsync("ok", ct);
        });
        using var http = new HttpClient(new SocketsHttpHandler
        {
            SslOptions = new SslClientAuthenticationOptions { RemoteCertificateValidationCallback = (_, _, _, _) => true },
            MaxConnectionsPerServer = count,
        });

        var answers = await Task.WhenAll(Enumerable.Range(0, count).Select(i => http.GetStringAsync(new Uri(server.BaseAddress, "/" + i))).ToArray()).WaitAsync(TimeSpan.FromSeconds(30));

        Assert.All(answers, a => Assert.Equal("ok", a));
    }

    [Fact]
    public async Task ClientGoesAway_TheHandlerSeesRequestAborted()
    {
        var aborted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var server = Start(async (context, ct) =>
        {
            using var registration = ct.Register(() => aborted.TrySetResult());
            started.SetResult();
            await Task.Delay(Timeout.Infinite, ct);
        });
        var client = await RawClient.ConnectAsync(server);

        await client.SendAsync("GET /hang HTTP/1.1\r\nHost: localhost\r\n\r\n");
        await started.Task.WaitAsync(TimeSpan.FromSeconds(10));
        await client.DisposeAsync();

        await aborted.Task.WaitAsync(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task Dispose_WithAHangingRequestAndAnIdleConnection_StopsPromptlyAndRefusesNewConnections()
    {
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var server = Start(async (_, ct) =>
        {
            started.TrySetResult();
            await Task.Delay(Timeout.Infinite, ct);
        });
        await using var hanging = await RawClient.ConnectAsync(server);
        await using var idle = await RawClient.ConnectAsync(server);
        await hanging.SendAsync("GET / HTTP/1.1\r\nHost: localhost\r\n\r\n");
        await started.Task.WaitAsync(TimeSpan.FromSeconds(10));
        var watch = System.Diagnostics.Stopwatch.StartNew();

        await server.DisposeAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(10));

        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(2), $"Stopping took {watch.Elapsed}.");
        Assert.Equal(0, await hanging.ReadToEndAsync());
        Assert.Equal(0, await idle.ReadToEndAsync());
        using var refused = new TcpClient();
        await Assert.ThrowsAnyAsync<SocketException>(() => refused.ConnectAsync(IPAddress.Loopback, server.BaseAddress.Port));
    }

    [Fact]
    public async Task HandlerThrows_500AndTheConnectionCloses()
    {
        await using var server = Start((_, _) => throw new InvalidOperationException("boom"));
        await using var client = await RawClient.ConnectAsync(server);

        await client.SendAsync("GET / HTTP/1.1\r\nHost: localhost\r\n\r\n");
        var response = await client.ReadResponseAsync();

        Assert.Equal(500, response.Status);
        Assert.DoesNotContain("boom", response.Body, StringComparison.Ordinal);
        Assert.Equal(0, await client.ReadToEndAsync());
    }

    private static LoopbackHttpServer Start(Func<LoopbackHttpContext, CancellationToken, Task> handler) =>
        LoopbackHttpServer.Start(Certificate.Value, handler, TimeSpan.FromSeconds(2));

    private sealed record RawResponse(int Status, Dictionary<string, string> Headers, string Body);

    /// <summary>A TLS connection written and read byte by byte, so framing is what the test says.</summary>
    private sealed class RawClient : IAsyncDisposable
    {
        private readonly TcpClient _tcp;
        private readonly SslStream _tls;

        private RawClient(TcpClient tcp, SslStream tls)
        {
            _tcp = tcp;
            _tls = tls;
        }

        public static async Task<RawClient> ConnectAsync(LoopbackHttpServer server)
        {
            var tcp = new TcpClient();
            await tcp.ConnectAsync(IPAddress.Loopback, server.BaseAddress.Port);
            var tls = new SslStream(tcp.GetStream(), false, (_, _, _, _) => true);
            await tls.AuthenticateAsClientAsync("localhost");
            return new RawClient(tcp, tls);
        }

        public async Task SendAsync(string text)
        {
            await _tls.WriteAsync(Encoding.Latin1.GetBytes(text));
            await _tls.FlushAsync();
        }

        public async Task<RawResponse> ReadResponseAsync(bool expectBody = true)
        {
            var head = new StringBuilder();
            while (!head.ToString().EndsWith("\r\n\r\n", StringComparison.Ordinal))
            {
                head.Append((char)await ReadByteAsync());
            }

            var lines = head.ToString().Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
            var status = int.Parse(lines[0].Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture);
            var headers = lines.Skip(1).Select(l => l.Split(": ", 2)).ToDictionary(p => p[0], p => p[1], StringComparer.OrdinalIgnoreCase);
            var body = new byte[expectBody && headers.TryGetValue("Content-Length", out var length) ? int.Parse(length, System.Globalization.CultureInfo.InvariantCulture) : 0];
            for (var i = 0; i < body.Length; i++)
            {
                body[i] = await ReadByteAsync();
            }

            return new RawResponse(status, headers, Encoding.UTF8.GetString(body));
        }

        /// <summary>How many more bytes come before the server closes the connection (within 10 s).</summary>
        public async Task<int> ReadToEndAsync()
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            var buffer = new byte[1024];
            var total = 0;
            try
            {
                int read;
                while ((read = await _tls.ReadAsync(buffer, timeout.Token)) > 0)
                {
                    total += read;
                }
            }
            catch (IOException)
            {
                // A reset is a close too.
            }

            return total;
        }

        public ValueTask DisposeAsync()
        {
            _tls.Dispose();
            _tcp.Dispose();
            return ValueTask.CompletedTask;
        }

        private async Task<byte> ReadByteAsync()
        {
            var one = new byte[1];
            return await _tls.ReadAsync(one) == 1 ? one[0] : throw new EndOfStreamException("The server closed the connection.");
        }
    }
}
