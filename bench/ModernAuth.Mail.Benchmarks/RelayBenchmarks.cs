using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using BenchmarkDotNet.Attributes;
using MailKit.Net.Smtp;
using MailKit.Security;
using MimeKit;
using ModernAuth.Mail.Relay;
using ModernAuth.Mail.Testing;
using TestServers = ModernAuth.Mail.Benchmarks.MailKitAuthenticationBenchmarks.TestServers;

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

    private static async Task<(RelayServer Relay, FakeEntraId Entra, RSA Key, string Spool)> StartRelayAsync(TestServers servers, int upstreamPort)
    {
        var key = RSA.Create();
        key.ImportFromPem(servers.SigningKeyPem);
        var entra = new FakeEntraId(new FakeEntraIdOptions { SigningKey = key, KeyId = servers.KeyId });
        var clientId = Guid.NewGuid().ToString();
        entra.RegisterApplication(servers.TenantId, clientId).WithSecret("bench-secret");
        var spool = Directory.CreateTempSubdirectory("modernauth-relay-bench-").FullName;
        var options = new RelayOptions
        {
            SpoolDirectory = spool,
            MaxConnections = 1000,
            Upstream = { Host = servers.Host, Port = upstreamPort, TlsMode = MailTlsMode.StartTls, TrustedCertificatePath = servers.CertificatePath },
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
        var client = new SmtpClient { ServerCertificateValidationCallback = servers.TrustCertificate, CheckCertificateRevocation = false };
        if (viaRelay)
        {
            await client.ConnectAsync(relay.Endpoints[0].Address.ToString(), relay.Endpoints[0].Port, SecureSocketOptions.None);
            await client.AuthenticateAsync(RelayUser, RelayPassword);
        }
        else
        {
            await client.ConnectAsync(servers.Host, servers.SubmissionPort, SecureSocketOptions.StartTls);
            await client.AuthenticateAsync(servers.PasswordUser, servers.Password);
        }

        return client;
    }
}
