using ModernAuth.Mail.Graph;
using ModernAuth.Mail.Testing;

namespace ModernAuth.Mail.Graph.Tests.Client;

/// <summary>A fake Entra ID and a fake Graph, both over HTTPS loopback, with an app-only application and mailboxes.</summary>
public sealed class GraphTestContext : IAsyncDisposable
{
    public const string Tenant = "2b7c3a1e-4d5f-4e6a-8b9c-0d1e2f3a4b5c";
    public const string ClientId = "7c1e2d3f-4a5b-4c6d-8e9f-0a1b2c3d4e5f";
    public const string Secret = "Graph~Secret.Value_for-tests-0123456789";

    private GraphTestContext(FakeEntraId entra, FakeEntraIdServer entraServer, FakeGraph graph, FakeGraphServer graphServer)
    {
        Entra = entra;
        EntraServer = entraServer;
        Graph = graph;
        GraphServer = graphServer;
        Application = entra.RegisterApplication(Tenant, ClientId).WithSecret(Secret);
        Transport = graphServer.CreateTrustingHandler();
    }

    public FakeEntraId Entra { get; }

    public FakeEntraIdServer EntraServer { get; }

    public FakeGraph Graph { get; }

    public FakeGraphServer GraphServer { get; }

    public FakeApplication Application { get; }

    public HttpMessageHandler Transport { get; }

    public CapturingLoggerProvider Logs { get; } = new();

    public static async Task<GraphTestContext> StartAsync()
    {
        var entra = new FakeEntraId();
        var entraServer = await entra.StartHttpsServerAsync();
        var graph = new FakeGraph(entra, Tenant);
        var graphServer = await graph.StartHttpsServerAsync();
        var context = new GraphTestContext(entra, entraServer, graph, graphServer);
        graph.AddMailbox("shared@contoso.test");
        graph.AddMailbox("adele@contoso.test");
        graph.AddMailbox("ceo@contoso.test");
        return context;
    }

    public ClientSecretTokenProvider AppOnlyProvider(MailCloud? cloud = null) =>
        new(Tenant, ClientId, Secret, new ClientSecretTokenProviderOptions { LoggerFactory = Logs.CreateFactory(), Cloud = cloud ?? MailCloud.Global }.UseFakeEntraId(EntraServer));

    public GraphMailClientOptions Options(Action<GraphMailClientOptions>? configure = null)
    {
        var options = new GraphMailClientOptions { Endpoint = GraphServer.ServiceRoot, Transport = Transport, LoggerFactory = Logs.CreateFactory() };
        configure?.Invoke(options);
        return options;
    }

    public GraphMailClient Client(MailTokenProvider provider, string mailbox, Action<GraphMailClientOptions>? configure = null) => new(provider, mailbox, Options(configure));

    public async ValueTask DisposeAsync()
    {
        Transport.Dispose();
        await Graph.DisposeAsync();
        await Entra.DisposeAsync();
    }
}
