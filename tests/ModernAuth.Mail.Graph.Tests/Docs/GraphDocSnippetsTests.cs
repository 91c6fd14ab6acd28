using Microsoft.Graph;
using MimeKit;
using ModernAuth.Mail.Graph.Tests.Client;

namespace ModernAuth.Mail.Graph.Tests.Docs;

/// <summary>docs/graph.md's C# blocks (the files under Docs/Graph, word for word) against the fake Graph.</summary>
public sealed class GraphDocSnippetsTests : IAsyncLifetime
{
    private GraphTestContext _ctx = null!;

    public async Task InitializeAsync() => _ctx = await GraphTestContext.StartAsync();

    public async Task DisposeAsync() => await _ctx.DisposeAsync();

    [Fact]
    public async Task SharedMailboxWithGraph_SendsToItselfThenMovesTheNewestToDeletedItems()
    {
        var message = new MimeMessage { Subject = "From the docs" };
        message.From.Add(MailboxAddress.Parse("shared@contoso.test"));
        message.To.Add(MailboxAddress.Parse("shared@contoso.test"));
        message.Body = new TextPart("plain") { Text = "Hello." };
        using var mail = _ctx.Client(_ctx.AppOnlyProvider(), "shared@contoso.test");

        await SharedMailboxWithGraph.ArchiveNewestAsync(mail, message);

        var mailbox = _ctx.Graph.Mailbox("shared@contoso.test");
        Assert.Empty(mailbox.MessagesIn(mailbox.FindFolder("inbox", true)!.Id));
        Assert.Equal("From the docs", Assert.Single(mailbox.MessagesIn(mailbox.FindFolder("deleteditems", true)!.Id)).Subject);
    }

    [Fact]
    public async Task GraphSdkWithProvider_CountsTheInboxWithTheProvidersToken()
    {
        _ctx.Graph.Mailbox("shared@contoso.test").AddMessage("inbox", "One");
        var created = GraphSdkWithProvider.Create(_ctx.AppOnlyProvider());
        Assert.Equal("https://graph.microsoft.com/v1.0", created.RequestAdapter.BaseUrl);

        // The same bridge, pointed at the fake Graph.
        var bridge = new GraphAuthenticationProvider(_ctx.AppOnlyProvider(), new GraphAuthenticationProviderOptions { Cloud = MailCloud.Global with { Graph = _ctx.GraphServer.BaseAddress } });
        using var http = GraphClientFactory.Create(finalHandler: _ctx.Transport);
        var graph = new GraphServiceClient(http, bridge, _ctx.GraphServer.ServiceRoot.AbsoluteUri);

        Assert.Equal(1, await GraphSdkWithProvider.InboxCountAsync(graph, "shared@contoso.test"));
    }
}
