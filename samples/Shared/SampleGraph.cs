using ModernAuth.Mail.Graph;
using ModernAuth.Mail.Testing;

namespace ModernAuth.Mail.Samples;

/// <summary>
/// The Microsoft Graph of the sandbox, for the Graph samples: a fake Graph (ModernAuth.Mail.Testing) over HTTPS loopback
/// that trusts the tokens of the sandbox's fake Entra ID, with the work user's mailbox, a shared mailbox and the personal
/// user's mailbox. A real application needs none of this: <see cref="ClientOptions"/> is the only place a sample's
/// Graph client differs from one that talks to graph.microsoft.com.
/// </summary>
public sealed class SampleGraph : IAsyncDisposable
{
    public const string SharedMailbox = "shared@contoso.test";

    private readonly FakeGraphServer _server;
    private readonly HttpMessageHandler _transport;

    private SampleGraph(FakeGraph graph, FakeGraphServer server)
    {
        Graph = graph;
        _server = server;
        _transport = server.CreateTrustingHandler();
    }

    /// <summary>The fake Graph itself (its mailboxes and the requests it received).</summary>
    public FakeGraph Graph { get; }

    public static async Task<SampleGraph> StartAsync(SampleSandbox sandbox)
    {
        var graph = new FakeGraph(sandbox.Entra, sandbox.TenantId);
        graph.AddMailbox(SampleSandbox.WorkUser);
        graph.AddMailbox(SharedMailbox);
        graph.AddPersonalMailbox(SampleSandbox.PersonalUser);
        return new SampleGraph(graph, await graph.StartHttpsServerAsync());
    }

    /// <summary>Points a <see cref="GraphMailClient"/> at the fake Graph and trusts its certificate.</summary>
    public GraphMailClientOptions ClientOptions() => new() { Endpoint = _server.ServiceRoot, Transport = _transport };

    public async ValueTask DisposeAsync()
    {
        _transport.Dispose();
        await Graph.DisposeAsync();
    }
}
