using System.Diagnostics;
using BenchmarkDotNet.Attributes;
using Microsoft.Graph;
using Microsoft.Graph.Models;
using Microsoft.Kiota.Abstractions;
using Microsoft.Kiota.Abstractions.Authentication;
using ModernAuth.Mail.Graph;
using ModernAuth.Mail.Testing;

namespace ModernAuth.Mail.Benchmarks;

/// <summary>
/// One Microsoft Graph request at a time (<c>GET /users/{mailbox}/mailFolders/inbox</c>) against the fake Graph of
/// ModernAuth.Mail.Testing (HTTPS loopback, Kestrel, the token's signature, audience, tenant and role checked on every
/// request) through the real <see cref="GraphServiceClient"/> and the SDK's default middleware: with a fixed
/// <c>Authorization: Bearer</c> header on its <see cref="HttpClient"/> (the baseline, added unparsed), through
/// <see cref="GraphAuthenticationProvider"/> with a cached token from <see cref="ClientSecretTokenProvider"/>, and through
/// <see cref="GraphMailClient.GetFolderAsync"/>. Requests per second = 1 s / time per request. Goal: the bridge within 3%.
/// The fake Graph runs in this process, so <c>Allocated</c> includes the server's allocations, the same for every row:
/// the difference between rows is the client's. <see cref="GraphBridgeAuthenticateBenchmarks"/> measures the bridge alone.
/// </summary>
[MemoryDiagnoser]
public class GraphBridgeBenchmarks
{
    internal const string Mailbox = "shared@contoso.test";
    private const string Tenant = "11111111-2222-3333-4444-555555555555";
    private const string ClientId = "6a3f1c52-0e1b-4a7e-9d51-5c8f0b0e7a11";
    private const string Secret = "benchmark-secret-value";

    private FakeEntraId _entra = null!;
    private FakeGraph _graph = null!;
    private readonly List<IDisposable> _disposables = [];
    private GraphServiceClient _fixedHeader = null!;
    private GraphServiceClient _bridge = null!;
    private GraphMailClient _typed = null!;

    [GlobalSetup]
    public void Setup()
    {
        _entra = new FakeEntraId();
        var provider = CreateProvider(_entra, out var token);
        _graph = new FakeGraph(_entra, Tenant);
        _graph.AddMailbox(Mailbox).AddMessage("inbox", "Invoice 42");
        var server = _graph.StartHttpsServerAsync().GetAwaiter().GetResult();
        var serviceRoot = server.ServiceRoot.AbsoluteUri;

        // The same SDK pipeline (GraphClientFactory's default handlers) for the two GraphServiceClients.
        var fixedHttp = Track(GraphClientFactory.Create(finalHandler: Track(server.CreateTrustingHandler())));
        // Unparsed, so it goes on the wire as it is: an AuthenticationHeaderValue would be formatted again for every request
        // (a new 2-3 KB string), which would make the baseline slower than it needs to be.
        fixedHttp.DefaultRequestHeaders.TryAddWithoutValidation("Authorization", "Bearer " + token.Token);
        _fixedHeader = new GraphServiceClient(fixedHttp, new AnonymousAuthenticationProvider(), serviceRoot);

        var bridgeHttp = Track(GraphClientFactory.Create(finalHandler: Track(server.CreateTrustingHandler())));
        var bridge = new GraphAuthenticationProvider(provider, new GraphAuthenticationProviderOptions { Cloud = MailCloud.Global with { Graph = server.BaseAddress } });
        _bridge = new GraphServiceClient(bridgeHttp, bridge, serviceRoot);

        _typed = Track(new GraphMailClient(provider, Mailbox, new GraphMailClientOptions { Endpoint = server.ServiceRoot, Transport = Track(server.CreateTrustingHandler()) }));

        // Warm every connection, the token cache and the server.
        for (var i = 0; i < 20; i++)
        {
            FixedHeader().GetAwaiter().GetResult();
            Bridge().GetAwaiter().GetResult();
            TypedClient().GetAwaiter().GetResult();
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        foreach (var disposable in _disposables)
        {
            disposable.Dispose();
        }

        _graph.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _entra.Dispose();
    }

    [Benchmark(Baseline = true, Description = "GraphServiceClient, fixed Authorization header")]
    public async Task<int?> FixedHeader() => Check(await _fixedHeader.Users[Mailbox].MailFolders["inbox"].GetAsync().ConfigureAwait(false));

    [Benchmark(Description = "GraphServiceClient, GraphAuthenticationProvider (cached token)")]
    public async Task<int?> Bridge() => Check(await _bridge.Users[Mailbox].MailFolders["inbox"].GetAsync().ConfigureAwait(false));

    [Benchmark(Description = "GraphMailClient.GetFolderAsync (cached token)")]
    public async Task<int?> TypedClient() => (await _typed.GetFolderAsync(GraphWellKnownFolders.Inbox).ConfigureAwait(false)).TotalCount;

    /// <summary>
    /// The same three clients measured interleaved (A, B, C, A, B, C, ...) in one process, so that load from other work on
    /// the machine falls on all of them alike; prints the median per request, requests per second, and the bytes allocated
    /// per request in the whole process (client and in-process server) over a second, separate pass.
    /// Run: <c>dotnet run -c Release -- --graph-interleaved [requests]</c>.
    /// </summary>
    public static async Task RunInterleavedAsync(int requests, TextWriter output)
    {
        var benchmarks = new GraphBridgeBenchmarks();
        benchmarks.Setup();
        try
        {
            var clients = new (string Name, Func<Task<int?>> Call)[]
            {
                ("GraphServiceClient, fixed Authorization header", benchmarks.FixedHeader),
                ("GraphServiceClient, GraphAuthenticationProvider (cached token)", benchmarks.Bridge),
                ("GraphMailClient.GetFolderAsync (cached token)", benchmarks.TypedClient),
            };
            var samples = clients.Select(_ => new double[requests]).ToArray();
            for (var i = -500; i < requests; i++)
            {
                for (var c = 0; c < clients.Length; c++)
                {
                    // Rotate who goes first, so no client always follows the same one.
                    var k = (c + (i % clients.Length) + clients.Length) % clients.Length;
                    var started = Stopwatch.GetTimestamp();
                    await clients[k].Call().ConfigureAwait(false);
                    if (i >= 0)
                    {
                        samples[k][i] = Stopwatch.GetElapsedTime(started).TotalMicroseconds;
                    }
                }
            }

            var allocated = new double[clients.Length];
            const int AllocationRounds = 2000;
            for (var c = 0; c < clients.Length; c++)
            {
                var before = GC.GetTotalAllocatedBytes(precise: true);
                for (var i = 0; i < AllocationRounds; i++)
                {
                    await clients[c].Call().ConfigureAwait(false);
                }

                allocated[c] = (GC.GetTotalAllocatedBytes(precise: true) - before) / (double)AllocationRounds;
            }

            var baseline = Median(samples[0]);
            output.WriteLine("| Method | Median | Requests/s | Ratio | Allocated per request (process) |");
            output.WriteLine("|---|---:|---:|---:|---:|");
            for (var c = 0; c < clients.Length; c++)
            {
                var median = Median(samples[c]);
                output.WriteLine(System.FormattableString.Invariant($"| {clients[c].Name} | {median:0.0} us | {1_000_000 / median:0} | {median / baseline:0.000} | {allocated[c] / 1024:0.00} KB |"));
            }
        }
        finally
        {
            benchmarks.Cleanup();
        }

        static double Median(double[] values)
        {
            var sorted = values.Order().ToArray();
            return sorted[sorted.Length / 2];
        }
    }

    /// <summary>An app-only provider on <paramref name="entra"/> with its Graph token cached, as in a long-running app.</summary>
    internal static ClientSecretTokenProvider CreateProvider(FakeEntraId entra, out MailAccessToken token)
    {
        entra.RegisterApplication(Tenant, ClientId).WithSecret(Secret);
        var provider = new ClientSecretTokenProvider(Tenant, ClientId, Secret, new ClientSecretTokenProviderOptions().UseFakeEntraId(entra));
        token = provider.GetTokenAsync(new MailTokenRequest(MailProtocol.Graph, Mailbox)).AsTask().GetAwaiter().GetResult();
        return provider;
    }

    private static int? Check(MailFolder? folder) => folder?.TotalItemCount ?? throw new InvalidOperationException("no folder");

    private T Track<T>(T disposable)
        where T : IDisposable
    {
        _disposables.Add(disposable);
        return disposable;
    }
}

/// <summary>
/// What <see cref="GraphAuthenticationProvider"/> itself costs a request, without a network or a server: authenticating a
/// <see cref="RequestInformation"/> as the SDK builds it (host check, cached token from the provider, the header), against
/// adding a fixed header to the same request.
/// </summary>
[MemoryDiagnoser]
public class GraphBridgeAuthenticateBenchmarks
{
    private readonly GraphServiceClient _shape = new(new HttpClient(), new AnonymousAuthenticationProvider());
    private FakeEntraId _entra = null!;
    private GraphAuthenticationProvider _bridge = null!;
    private string _header = null!;

    [GlobalSetup]
    public void Setup()
    {
        _entra = new FakeEntraId();
        var provider = GraphBridgeBenchmarks.CreateProvider(_entra, out var token);
        _header = "Bearer " + token.Token;
        _bridge = new GraphAuthenticationProvider(provider);
    }

    [GlobalCleanup]
    public void Cleanup() => _entra.Dispose();

    [Benchmark(Baseline = true, Description = "build the request, add a fixed header")]
    public RequestInformation FixedHeader()
    {
        var request = Request();
        request.Headers.Add("Authorization", _header);
        return request;
    }

    [Benchmark(Description = "build the request, GraphAuthenticationProvider.AuthenticateRequestAsync")]
    public async Task<RequestInformation> Bridge()
    {
        var request = Request();
        await _bridge.AuthenticateRequestAsync(request).ConfigureAwait(false);
        return request;
    }

    private RequestInformation Request() => _shape.Users[GraphBridgeBenchmarks.Mailbox].MailFolders["inbox"].ToGetRequestInformation();
}
