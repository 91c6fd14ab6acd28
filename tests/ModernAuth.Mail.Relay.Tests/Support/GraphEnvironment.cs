using System.Diagnostics;
using MimeKit;
using ModernAuth.Mail.Testing;

namespace ModernAuth.Mail.Relay.Tests.Support;

/// <summary>
/// One Graph-upstream test's world: the fake Entra ID and the fake Graph over HTTPS loopback, an app registered with
/// Graph's roles, tokens through real MSAL, mailboxes in the fake, a spool of its own, and relay options whose only
/// route delivers through Graph.
/// </summary>
public sealed class GraphEnvironment : IAsyncDisposable
{
    public const string Tenant = "5d3c2b1a-7e6f-4a5b-9c8d-1e2f3a4b5c6d";
    public const string Relay = "relay@contoso.test";

    private readonly List<RelayServer> _relays = new();

    private GraphEnvironment(FakeEntraId entra, FakeEntraIdServer entraServer, FakeGraph graph, FakeGraphServer graphServer)
    {
        Entra = entra;
        EntraServer = entraServer;
        Graph = graph;
        GraphServer = graphServer;
        Application = Entra.RegisterApplication(Tenant, ClientId).WithSecret(Secret);
        Provider = new RecordingTokenProvider(new ClientSecretTokenProvider(Tenant, ClientId, Secret, new ClientSecretTokenProviderOptions().UseFakeEntraId(EntraServer)));
        Directory = System.IO.Directory.CreateTempSubdirectory("modernauth-relay-graph-").FullName;
        SpoolDirectory = Path.Combine(Directory, "spool");
        CertificatePath = Path.Combine(Directory, "graph.crt");
        File.WriteAllText(CertificatePath, graphServer.Certificate.ExportCertificatePem());
    }

    public FakeEntraId Entra { get; }

    public FakeEntraIdServer EntraServer { get; }

    public FakeGraph Graph { get; }

    public FakeGraphServer GraphServer { get; }

    public string ClientId { get; } = Guid.NewGuid().ToString();

    public FakeApplication Application { get; }

    public string Secret { get; } = "graph-relay-secret-" + Guid.NewGuid().ToString("N");

    public RecordingTokenProvider Provider { get; }

    public string Directory { get; }

    public string SpoolDirectory { get; }

    /// <summary>The fake Graph's certificate as PEM: what <c>Relay:Graph:TrustedCertificatePath</c> pins.</summary>
    public string CertificatePath { get; }

    public CapturingLoggerFactory Logs { get; } = new();

    public static async Task<GraphEnvironment> StartAsync()
    {
        var entra = new FakeEntraId();
        var entraServer = await entra.StartHttpsServerAsync();
        var graph = new FakeGraph(entra, Tenant);
        var graphServer = await graph.StartHttpsServerAsync();
        var environment = new GraphEnvironment(entra, entraServer, graph, graphServer);
        foreach (var address in new[] { Relay, "adele@contoso.test", "bob@contoso.test", "carol@contoso.test", "scanner@contoso.test" })
        {
            graph.AddMailbox(address);
        }

        return environment;
    }

    /// <summary>Loopback listener on a free port, the loopback network allowed for @contoso.test, one Graph route sending as <see cref="Relay"/>.</summary>
    public RelayOptions CreateOptions(Uri? endpoint = null)
    {
        var options = new RelayOptions
        {
            SpoolDirectory = SpoolDirectory,
            IdleTimeout = TimeSpan.FromSeconds(30),
            CommandTimeout = TimeSpan.FromSeconds(30),
            Graph =
            {
                Endpoint = endpoint ?? GraphServer.ServiceRoot,
                TrustedCertificatePath = CertificatePath,
                MaxRetries = 1,
                Timeout = TimeSpan.FromSeconds(30),
            },
            Delivery =
            {
                InitialRetryDelay = TimeSpan.FromMilliseconds(200),
                MaxRetryDelay = TimeSpan.FromSeconds(1),
                RateLimitCount = 0,
            },
        };
        options.Listen.Add("127.0.0.1:0");
        var allowed = new RelayNetworkOptions { Name = "loopback" };
        allowed.Ranges.Add("127.0.0.0/8");
        allowed.AllowedSenders.Add("@contoso.test");
        options.Networks.Add(allowed);
        var route = new RelayRouteOptions { Provider = "graph", Mailbox = Relay, Upstream = RelayUpstreamKind.Graph };
        route.Senders.Add("*");
        options.Routes.Add(route);
        options.TokenProviders["graph"] = Provider;
        return options;
    }

    public async Task<RelayServer> StartRelayAsync(RelayOptions options)
    {
        var relay = new RelayServer(options, Logs);
        _relays.Add(relay);
        await relay.StartAsync();
        return relay;
    }

    /// <summary>The messages in a mailbox's folder of the fake Graph whose subject contains <paramref name="subjectPart"/>.</summary>
    public IReadOnlyList<MimeMessage> Messages(string mailbox, string subjectPart, string folder = "inbox")
    {
        var box = Graph.Mailbox(mailbox);
        return box.MessagesIn(box.FindFolder(folder, wellKnown: true)!.Id)
            .Where(m => m.Subject.Contains(subjectPart, StringComparison.Ordinal))
            .Select(m => MimeMessage.Load(new MemoryStream(m.Mime)))
            .ToList();
    }

    public async Task<IReadOnlyList<MimeMessage>> WaitForMessagesAsync(string mailbox, string subjectPart, int count = 1, TimeSpan? timeout = null)
    {
        var deadline = Stopwatch.StartNew();
        var limit = timeout ?? TimeSpan.FromSeconds(30);
        while (true)
        {
            var found = Messages(mailbox, subjectPart);
            if (found.Count >= count)
            {
                return found;
            }

            if (deadline.Elapsed > limit)
            {
                throw new TimeoutException($"{found.Count} of {count} message(s) with '{subjectPart}' arrived in {mailbox} within {limit.TotalSeconds} s. Graph saw: "
                    + string.Join("; ", Graph.Requests.Select(r => $"{r.Method} {r.Path} {r.StatusCode} {r.ErrorCode}")));
            }

            await Task.Delay(100);
        }
    }

    /// <summary>No token the provider handed out, and not the client secret, in any log line.</summary>
    public void AssertNoSecretsLogged(bool expectTokens = true)
    {
        var text = Logs.AllText;
        Assert.Equal(expectTokens, Provider.Tokens.Count > 0);
        foreach (var token in Provider.Tokens)
        {
            Assert.DoesNotContain(token, text, StringComparison.Ordinal);
        }

        Assert.DoesNotContain(Secret, text, StringComparison.Ordinal);
        Assert.DoesNotContain("Bearer ey", text, StringComparison.Ordinal);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var relay in _relays)
        {
            await relay.DisposeAsync();
        }

        await Graph.DisposeAsync();
        await Entra.DisposeAsync();
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
