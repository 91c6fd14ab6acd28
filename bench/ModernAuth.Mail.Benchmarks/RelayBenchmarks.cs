using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using BenchmarkDotNet.Attributes;
using MailKit.Net.Smtp;
using MailKit.Security;
using MimeKit;
using ModernAuth.Mail.Relay;
using ModernAuth.Mail.Shared;
using ModernAuth.Mail.Testing;

namespace ModernAuth.Mail.Benchmarks;

/// <summary>
/// Messages per second from 20 concurrent legacy clients (MailKit, AUTH PLAIN) through the relay to the real Postfix,
/// against the same clients sending to Postfix directly with the servers' password user. Both modes: one session for
/// many messages, and one connection per message. Each invocation sends a fixed number of messages (BenchmarkDotNet
/// measures the whole batch once per iteration: a short job); the relay spools every message durably (fsync) before
/// its 250. Also <see cref="RunMemoryAsync"/>: memory with 10,000 messages queued while the upstream is unreachable.
/// </summary>
[SimpleJob(launchCount: 1, warmupCount: 1, iterationCount: 5, invocationCount: 1)]
public class RelayBenchmarks
{
    private const int Clients = 20;
    private const string RelayUser = "bench-device";
    private const string RelayPassword = "bench-relay-password";

    private TestServers _servers = null!;
    private RSA _signingKey = null!;
    private FakeEntraId _entra = null!;
    private RelayServer _relay = null!;
    private string _spool = string.Empty;

    /// <summary>Where the clients send: straight to Postfix, or through the relay.</summary>
    [Params("direct", "relay")]
    public string Target { get; set; } = "direct";

    /// <summary>One session for many messages, or one connection per message.</summary>
    [Params("session", "per-message")]
    public string Mode { get; set; } = "session";

    /// <summary>Messages per invocation.</summary>
    [Params(400)]
    public int Messages { get; set; }

    [GlobalSetup]
    public async Task SetupAsync()
    {
        _servers = TestServers.Load();
        (_relay, _entra, _signingKey, _spool) = await StartRelayAsync(_servers, _servers.SubmissionPort);
    }

    [GlobalCleanup]
    public async Task CleanupAsync()
    {
        await _relay.DisposeAsync();
        _entra.Dispose();
        _signingKey.Dispose();
        Directory.Delete(_spool, recursive: true);
    }

    [Benchmark(Description = "20 clients, fixed batch")]
    public Task SendBatchAsync() => SendAsync(_servers, _relay, Target == "relay", Mode == "per-message", Messages);

    /// <summary>Runs every case without BenchmarkDotNet and prints messages per second (<c>relay-throughput [messages]</c>).</summary>
    public static async Task RunThroughputAsync(int messages, TextWriter output)
    {
        var servers = TestServers.Load();
        var (relay, entra, key, spool) = await StartRelayAsync(servers, servers.SubmissionPort);
        try
        {
            output.WriteLine($"{"Target",-8} {"Mode",-12} {"msg/s",8} {"ratio",6}  ({messages} messages, {Clients} clients, best of 3)");
            foreach (var perMessage in new[] { false, true })
            {
                double direct = 0;
                foreach (var viaRelay in new[] { false, true })
                {
                    await SendAsync(servers, relay, viaRelay, perMessage, messages / 4); // warm-up
                    var best = 0.0;
                    for (var round = 0; round < 3; round++)
                    {
                        var watch = Stopwatch.StartNew();
                        await SendAsync(servers, relay, viaRelay, perMessage, messages);
                        best = Math.Max(best, messages / watch.Elapsed.TotalSeconds);
                    }

                    direct = viaRelay ? direct : best;
                    output.WriteLine($"{(viaRelay ? "relay" : "direct"),-8} {(perMessage ? "per-message" : "session"),-12} {best,8:F0} {best / direct,6:F2}");
                }
            }

            var watchDrain = Stopwatch.StartNew();
            while (relay.QueueDepth > 0 && watchDrain.Elapsed < TimeSpan.FromMinutes(5))
            {
                await Task.Delay(100);
            }

            output.WriteLine($"relay queue drained {watchDrain.Elapsed.TotalSeconds:F1} s after the last 250");
        }
        finally
        {
            await relay.DisposeAsync();
            entra.Dispose();
            key.Dispose();
            Directory.Delete(spool, recursive: true);
        }
    }

    /// <summary>
    /// Queues <paramref name="messages"/> messages while the upstream is unreachable (a closed port) and prints the
    /// managed heap and the process's working set before and after (<c>relay-memory [messages]</c>).
    /// </summary>
    public static async Task RunMemoryAsync(int messages, TextWriter output)
    {
        var servers = TestServers.Load();
        int closedPort;
        using (var probe = new TcpListener(IPAddress.Loopback, 0))
        {
            probe.Start();
            closedPort = ((IPEndPoint)probe.LocalEndpoint).Port;
        }

        var (relay, entra, key, spool) = await StartRelayAsync(servers, closedPort);
        try
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
            GC.Collect();
            var heapBefore = GC.GetTotalMemory(forceFullCollection: true);
            var setBefore = Process.GetCurrentProcess().WorkingSet64;
            var watch = Stopwatch.StartNew();
            await SendAsync(servers, relay, viaRelay: true, perMessage: false, messages);
            var elapsed = watch.Elapsed;
            GC.Collect();
            GC.WaitForPendingFinalizers();
            GC.Collect();
            var heapAfter = GC.GetTotalMemory(forceFullCollection: true);
            var process = Process.GetCurrentProcess();
            process.Refresh();
            var queue = await relay.Spool.GetQueueAsync();
            var onDisk = Directory.EnumerateFiles(Path.Combine(spool, "queue")).Sum(f => new FileInfo(f).Length);
            output.WriteLine($"queued {relay.QueueDepth} messages ({queue.Count} in the spool, {onDisk / 1024.0 / 1024.0:F1} MB on disk) in {elapsed.TotalSeconds:F1} s ({messages / elapsed.TotalSeconds:F0} msg/s) with the upstream unreachable");
            output.WriteLine($"managed heap after full GC: {heapBefore / 1024.0 / 1024.0:F1} MB before, {heapAfter / 1024.0 / 1024.0:F1} MB after ({(heapAfter - heapBefore) / (double)messages:F0} bytes per queued message)");
            output.WriteLine($"working set: {setBefore / 1024.0 / 1024.0:F1} MB before, {process.WorkingSet64 / 1024.0 / 1024.0:F1} MB after");
            output.WriteLine($"attempts so far: {queue.Count(e => e.Attempts > 0)} messages tried, last error code {queue.FirstOrDefault(e => e.LastErrorCode is not null)?.LastErrorCode ?? "none"}");
        }
        finally
        {
            await relay.DisposeAsync();
            entra.Dispose();
            key.Dispose();
            Directory.Delete(spool, recursive: true);
        }
    }

    /// <summary>
    /// A genuine device's cold login (a full PBKDF2 check at 600,000 iterations, its verified pair forgotten before
    /// each) while 50 attackers from 50 addresses send wrong passwords as fast as the relay answers, with back-off and
    /// lockout turned off so the flood never stops (the worst case). Prints the latency percentiles
    /// (<c>relay-login-flood [logins]</c>).
    /// </summary>
    public static async Task RunLoginFloodAsync(int logins, TextWriter output)
    {
        var servers = TestServers.Load();
        var (relay, entra, key, spool) = await StartRelayAsync(servers, servers.SubmissionPort, options =>
        {
            options.LoginThrottling.MaxFailures = 0;
            options.LoginThrottling.FailureDelay = TimeSpan.Zero;
        });
        using var stop = new CancellationTokenSource();
        var guesses = 0;
        try
        {
            var attackers = Enumerable.Range(1, 50).Select(i => Task.Run(async () =>
            {
                var from = IPAddress.Parse($"127.0.1.{i}");
                while (!stop.IsCancellationRequested)
                {
                    try
                    {
                        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                        socket.Bind(new IPEndPoint(from, 0));
                        await socket.ConnectAsync(relay.Endpoints[0], stop.Token);
                        using var stream = new NetworkStream(socket);
                        using var reader = new StreamReader(stream, System.Text.Encoding.ASCII);
                        await reader.ReadLineAsync(stop.Token);
                        await stream.WriteAsync("EHLO guesser\r\n"u8.ToArray(), stop.Token);
                        while (await reader.ReadLineAsync(stop.Token) is { } line && line.StartsWith("250-", StringComparison.Ordinal))
                        {
                        }

                        for (var attempt = 0; attempt < 3 && !stop.IsCancellationRequested; attempt++)
                        {
                            var plain = Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes($"\0{RelayUser}\0guess-{Guid.NewGuid():N}"));
                            await stream.WriteAsync(System.Text.Encoding.ASCII.GetBytes("AUTH PLAIN " + plain + "\r\n"), stop.Token);
                            if (await reader.ReadLineAsync(stop.Token) is null)
                            {
                                break;
                            }

                            Interlocked.Increment(ref guesses);
                        }
                    }
                    catch (Exception ex) when (ex is IOException or SocketException or OperationCanceledException)
                    {
                    }
                }
            })).ToArray();

            await Task.Delay(TimeSpan.FromSeconds(3)); // the flood is under way
            var times = new List<double>();
            for (var i = 0; i < logins; i++)
            {
                relay.ForgetVerifiedPasswords();
                using var client = new SmtpClient();
                await client.ConnectAsync(relay.Endpoints[0].Address.ToString(), relay.Endpoints[0].Port, SecureSocketOptions.None);
                var watch = Stopwatch.StartNew();
                await client.AuthenticateAsync(RelayUser, RelayPassword);
                times.Add(watch.Elapsed.TotalMilliseconds);
                await client.DisconnectAsync(true);
            }

            var seconds = 3 + (times.Sum() / 1000);
            await stop.CancelAsync();
            await Task.WhenAll(attackers);
            // The first login is the device's first since the relay started: nothing marks its address as trusted yet,
            // so it queues with the attackers' first checks (each new address's first check is a clean one).
            var first = times[0];
            times.RemoveAt(0);
            times.Sort();
            double Percentile(double p) => times[Math.Min(times.Count - 1, (int)Math.Ceiling(p / 100 * times.Count) - 1)];
            output.WriteLine($"genuine cold logins under a flood from 50 addresses ({logins} logins, {guesses} wrong guesses answered, about {guesses / seconds:F1} a second):");
            output.WriteLine($"first login after the start {first:F0} ms; the other {times.Count}: p50 {Percentile(50):F0} ms, p90 {Percentile(90):F0} ms, p99 {Percentile(99):F0} ms, max {times[^1]:F0} ms (one check alone: {OneCheckMilliseconds():F0} ms)");
        }
        finally
        {
            await relay.DisposeAsync();
            entra.Dispose();
            key.Dispose();
            Directory.Delete(spool, recursive: true);
        }
    }

    /// <summary>
    /// <paramref name="clients"/> clients each send one message of <paramref name="megabytes"/> MB at once (raw SMTP, one
    /// shared buffer, so the clients themselves hold almost nothing); a client answered <c>452 4.3.1</c> (the relay's
    /// receive-memory budget) tries again a second later, as a sending server would. Prints the relay's peak receive
    /// memory, the process's peak working set and how long until every message was spooled
/// (<c>relay-large [clients] [MB] [MaxReceiveMemory in MB]</c>; a budget larger than all the messages shows the relay without one).
    /// </summary>
    public static async Task RunLargeMessagesAsync(int clients, int megabytes, TextWriter output, long budgetMegabytes = 512)
    {
        var servers = TestServers.Load();
        int closedPort;
        using (var probe = new TcpListener(IPAddress.Loopback, 0))
        {
            probe.Start();
            closedPort = ((IPEndPoint)probe.LocalEndpoint).Port;
        }

        var (relay, entra, key, spool) = await StartRelayAsync(servers, closedPort, options =>
        {
            options.Networks.Add(Loopback());
            options.MaxReceiveMemory = budgetMegabytes * 1024 * 1024;
        });
        var line = "0123456789012345678901234567890123456789012345678901234567890123456789012345\r\n"u8.ToArray();
        var body = new byte[megabytes * 1024 * 1024 / line.Length * line.Length];
        for (var at = 0; at < body.Length; at += line.Length)
        {
            line.CopyTo(body, at);
        }

        var process = Process.GetCurrentProcess();
        long peakBudget = 0, peakSet = 0;
        var deferred = 0;
        using var sampling = new CancellationTokenSource();
        var sampler = Task.Run(async () =>
        {
            while (!sampling.IsCancellationRequested)
            {
                process.Refresh();
                peakSet = Math.Max(peakSet, process.WorkingSet64);
                peakBudget = Math.Max(peakBudget, relay.ReceiveMemoryInUse);
                try
                {
                    await Task.Delay(50, sampling.Token);
                }
                catch (OperationCanceledException)
                {
                }
            }
        });
        process.Refresh();
        var before = process.WorkingSet64;
        try
        {
            var watch = Stopwatch.StartNew();
            await Task.WhenAll(Enumerable.Range(0, clients).Select(c => Task.Run(async () =>
            {
                while (true)
                {
                    using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                    await socket.ConnectAsync(relay.Endpoints[0]);
                    using var stream = new NetworkStream(socket);
                    using var reader = new StreamReader(stream, System.Text.Encoding.ASCII);
                    await reader.ReadLineAsync();
                    async Task<string> Command(string text)
                    {
                        await stream.WriteAsync(System.Text.Encoding.ASCII.GetBytes(text + "\r\n"));
                        string? reply;
                        do
                        {
                            reply = await reader.ReadLineAsync() ?? throw new IOException("closed");
                        }
                        while (reply.Length > 3 && reply[3] == '-');
                        return reply;
                    }

                    await Command("EHLO large");
                    await Command($"MAIL FROM:<device{c}@contoso.test>");
                    await Command("RCPT TO:<relay-bench-inbox@contoso.test>");
                    await Command("DATA");
                    await stream.WriteAsync(System.Text.Encoding.ASCII.GetBytes($"Subject: large {c}\r\n\r\n"));
                    await stream.WriteAsync(body);
                    var reply = await Command(".");
                    if (reply.StartsWith("250", StringComparison.Ordinal))
                    {
                        return;
                    }

                    Interlocked.Increment(ref deferred);
                    await Task.Delay(1000);
                }
            })));
            var elapsed = watch.Elapsed;
            await sampling.CancelAsync();
            await sampler;
            output.WriteLine($"{clients} clients x {megabytes} MB sent at once: all {relay.QueueDepth} spooled in {elapsed.TotalSeconds:F1} s; {deferred} answers were 452 4.3.1 (over MaxReceiveMemory, retried after 1 s)");
            output.WriteLine($"peak message data held while receiving: {peakBudget / 1024.0 / 1024.0:F0} MB (MaxReceiveMemory {budgetMegabytes} MB); peak working set {peakSet / 1024.0 / 1024.0:F0} MB (before: {before / 1024.0 / 1024.0:F0} MB)");
        }
        finally
        {
            await relay.DisposeAsync();
            entra.Dispose();
            key.Dispose();
            Directory.Delete(spool, recursive: true);
        }
    }

    private static RelayNetworkOptions Loopback()
    {
        var network = new RelayNetworkOptions { Name = "bench" };
        network.Ranges.Add("127.0.0.0/8");
        network.AllowedSenders.Add("@contoso.test");
        return network;
    }

    private static double OneCheckMilliseconds()
    {
        var hash = RelayPasswordHasher.HashPassword("x");
        var watch = Stopwatch.StartNew();
        RelayPasswordHasher.VerifyPassword("x", hash);
        return watch.Elapsed.TotalMilliseconds;
    }

    private static async Task<(RelayServer Relay, FakeEntraId Entra, RSA Key, string Spool)> StartRelayAsync(TestServers servers, int upstreamPort, Action<RelayOptions>? configure = null)
    {
        var key = servers.CreateSigningKey();
        var entra = new FakeEntraId(new FakeEntraIdOptions { SigningKey = key, KeyId = servers.KeyId });
        var clientId = Guid.NewGuid().ToString();
        entra.RegisterApplication(servers.TenantId, clientId).WithSecret("bench-secret");
        var spool = Directory.CreateTempSubdirectory("modernauth-relay-bench-").FullName;
        var options = new RelayOptions
        {
            SpoolDirectory = spool,
            MaxConnections = 1000,

            // Every benchmark client connects from 127.0.0.1: the per-address limits would measure themselves.
            MaxConnectionsPerClient = 0,
            MaxConnectionRatePerClient = 0,
            Upstream = { Host = servers.Host, Port = upstreamPort, TlsMode = MailTlsMode.StartTls, TrustedCertificatePath = servers.TlsCertificatePath },
            Delivery = { RateLimitCount = 0, InitialRetryDelay = TimeSpan.FromMinutes(10), MaxRetryDelay = TimeSpan.FromMinutes(30) },
        };
        options.Listen.Add("127.0.0.1:0");
        var account = new RelayAccountOptions { UserName = RelayUser, PasswordHash = RelayPasswordHasher.HashPassword(RelayPassword) };
        account.AllowedSenders.Add("@contoso.test");
        options.Accounts.Add(account);
        var route = new RelayRouteOptions { Provider = "bench", Mailbox = "relay-bench@contoso.test" };
        route.Senders.Add("*");
        options.Routes.Add(route);
        options.TokenProviders["bench"] = new ClientSecretTokenProvider(servers.TenantId, clientId, "bench-secret", new ClientSecretTokenProviderOptions().UseFakeEntraId(entra));
        configure?.Invoke(options);
        var relay = new RelayServer(options);
        await relay.StartAsync();
        return (relay, entra, key, spool);
    }

    private static async Task SendAsync(TestServers servers, RelayServer relay, bool viaRelay, bool perMessage, int messages)
    {
        var next = -1;
        var recipient = "relay-bench-inbox@contoso.test";
        await Task.WhenAll(Enumerable.Range(0, Clients).Select(async c =>
        {
            SmtpClient? client = null;
            try
            {
                while (Interlocked.Increment(ref next) < messages)
                {
                    client ??= await ConnectAsync(servers, relay, viaRelay);
                    var message = new MimeMessage { Subject = "relay bench " + next };
                    message.From.Add(new MailboxAddress("Device", $"device{c}@contoso.test"));
                    message.To.Add(MailboxAddress.Parse(recipient));
                    message.Body = new TextPart("plain") { Text = "A scanned page would be here.\r\n" + new string('x', 2000) };
                    await client.SendAsync(message);
                    if (perMessage)
                    {
                        await client.DisconnectAsync(true);
                        client.Dispose();
                        client = null;
                    }
                }
            }
            finally
            {
                if (client is not null)
                {
                    await client.DisconnectAsync(true);
                    client.Dispose();
                }
            }
        }));
    }

    private static async Task<SmtpClient> ConnectAsync(TestServers servers, RelayServer relay, bool viaRelay)
    {
        var client = new SmtpClient { ServerCertificateValidationCallback = servers.TrustServerCertificate, CheckCertificateRevocation = false };
        if (viaRelay)
        {
            await client.ConnectAsync(relay.Endpoints[0].Address.ToString(), relay.Endpoints[0].Port, SecureSocketOptions.None);
            await client.AuthenticateAsync(RelayUser, RelayPassword);
        }
        else
        {
            await client.ConnectAsync(servers.Host, servers.SubmissionPort, SecureSocketOptions.StartTls);
            await client.AuthenticateAsync(servers.PasswordUser!, servers.Password!);
        }

        return client;
    }
}
