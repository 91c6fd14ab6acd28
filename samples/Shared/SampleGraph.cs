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

    /// <summary>
    /// Prints a failure of Graph or of the sign-in the way the samples end on one: the code, what happened and the fix
    /// (for example <c>graph_access_policy_denied</c> with the PowerShell that lets the app into the mailbox).
    /// </summary>
    /// <returns><see langword="true"/> for the library's own failures, so a sample can use it as an exception filter.</returns>
    public static bool Explain(Exception error)
    {
        var (code, remedy) = error switch
        {
            GraphMailException e => (e.ErrorCode, e.Remedy),
            MailAuthenticationException e => (e.ErrorCode, e.Remedy),
            _ => (null, null),
        };
        if (code is null)
        {
            return false;
        }

        // The message usually ends with the fix already.
        Console.Error.WriteLine(error.Message.Contains(remedy!, StringComparison.Ordinal) ? $"{code}: {error.Message}" : $"{code}: {error.Message} Fix: {remedy}");
        return true;
    }

    public async ValueTask DisposeAsync()
    {
        _transport.Dispose();
        await Graph.DisposeAsync();
    }
}
