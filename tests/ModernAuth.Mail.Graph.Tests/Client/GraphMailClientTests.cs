using System.Diagnostics;
using System.Net;
using System.Text;
using Microsoft.Graph;
using Microsoft.Kiota.Abstractions;
using ModernAuth.Mail.Diagnostics;
using ModernAuth.Mail.Graph;
using ModernAuth.Mail.Testing;

namespace ModernAuth.Mail.Graph.Tests.Client;

/// <summary>The real GraphServiceClient (through GraphMailClient) against the fake Graph, tokens from real MSAL and the fake Entra ID.</summary>
public sealed class GraphMailClientTests : IAsyncLifetime
{
    private GraphTestContext _ctx = null!;

    public async Task InitializeAsync() => _ctx = await GraphTestContext.StartAsync();

    public async Task DisposeAsync() => await _ctx.DisposeAsync();

    [Fact]
    public async Task Operations_SendListGetMoveMarkReadDeleteAndSync_AsEwsClientHasThem()
    {
        using var client = _ctx.Client(_ctx.AppOnlyProvider(), "adele@contoso.test");
        var mailbox = _ctx.Graph.Mailbox("adele@contoso.test");
        mailbox.AddMessage("inbox", "First");
        mailbox.AddMessage("inbox", "Second");

        var first = await client.SyncFolderItemsAsync(GraphWellKnownFolders.Inbox, maxChanges: 1);
        Assert.False(first.IncludesLastItemInRange);
        var second = await client.SyncFolderItemsAsync(GraphWellKnownFolders.Inbox, first.SyncState, maxChanges: 1);
        Assert.True(second.IncludesLastItemInRange);
        Assert.Equal(2, first.Changes.Concat(second.Changes).Count(c => c.ChangeType == GraphChangeType.CreatedOrUpdated));

        await client.SendMimeAsync(Encoding.UTF8.GetBytes("From: adele@contoso.test\r\nTo: adele@contoso.test\r\nSubject: Third\r\n\r\nHello.\r\n"));
        var page = await client.FindItemsAsync(GraphWellKnownFolders.Inbox, pageSize: 2);
        Assert.Equal(3, page.TotalItemsInView);
        Assert.Equal(2, page.NextOffset);
        var rest = await client.FindItemsAsync(GraphWellKnownFolders.Inbox, offset: 2, pageSize: 2);
        Assert.True(rest.IncludesLastItemInRange);

        var third = page.Items.Concat(rest.Items).Single(m => m.Subject == "Third");
        await client.MarkReadAsync(third.Id);
        Assert.True((await client.GetItemAsync(third.Id, includeMimeContent: false)).IsRead);
        var movedId = await client.MoveItemAsync(third.Id, GraphWellKnownFolders.JunkEmail);
        Assert.NotEqual(third.Id, movedId);
        var draftId = await client.CreateItemFromMimeAsync(Encoding.UTF8.GetBytes("To: ceo@contoso.test\r\nSubject: Draft\r\n\r\nLater.\r\n"));
        await client.SendItemAsync(draftId);
        await client.DeleteItemAsync(movedId);
        Assert.Equal(1, (await client.GetFolderAsync(GraphWellKnownFolders.DeletedItems)).TotalCount);
        await client.DeleteItemAsync(page.Items[0].Id == third.Id ? page.Items[1].Id : page.Items[0].Id, GraphDeleteMode.PermanentDelete);

        var changes = await client.SyncFolderItemsAsync(GraphWellKnownFolders.Inbox, second.SyncState);
        Assert.Contains(changes.Changes, c => c.ChangeType == GraphChangeType.Deleted);
        Assert.Contains(changes.Changes, c => c.ChangeType == GraphChangeType.Deleted && c.ItemId == third.Id);
        Assert.Single(_ctx.Graph.Mailbox("ceo@contoso.test").MessagesIn(_ctx.Graph.Mailbox("ceo@contoso.test").FindFolder("inbox", true)!.Id));
    }

    [Fact]
    public async Task AnyCall_MailboxOutsideTheAccessPolicy_ClearErrorWithThePowerShellFix()
    {
        _ctx.Graph.RestrictAccess(GraphTestContext.ClientId, "shared@contoso.test");
        using var client = _ctx.Client(_ctx.AppOnlyProvider(), "ceo@contoso.test");

        var error = await Assert.ThrowsAsync<GraphMailException>(() => client.FindItemsAsync(GraphWellKnownFolders.Inbox));

        Assert.Equal(MailFindingCodes.GraphAccessPolicyDenied, error.ErrorCode);
        Assert.Equal("ErrorAccessDenied", error.GraphErrorCode);
        Assert.Equal(HttpStatusCode.Forbidden, error.StatusCode);
        Assert.False(error.IsRetryable);
        Assert.Contains("New-ApplicationAccessPolicy -AppId " + GraphTestContext.ClientId, error.Remedy, StringComparison.Ordinal);
        Assert.Contains("New-ManagementRoleAssignment", error.Remedy, StringComparison.Ordinal);
        Assert.Contains("Test-ApplicationAccessPolicy -Identity ceo@contoso.test", error.Remedy, StringComparison.Ordinal);
        Assert.Contains("ceo@contoso.test", error.Message, StringComparison.Ordinal);
        Assert.NotNull(error.RequestId);
        await client.Graph.Users["shared@contoso.test"].MailFolders["inbox"].GetAsync();
    }

    [Fact]
    public async Task AnyCall_ThrottledOnce_WaitsRetryAfterThenSucceeds()
    {
        using var client = _ctx.Client(_ctx.AppOnlyProvider(), "adele@contoso.test");
        await client.GetFolderAsync(GraphWellKnownFolders.Inbox);
        _ctx.Graph.ThrottleNext(1, TimeSpan.FromSeconds(1));

        var watch = Stopwatch.StartNew();
        var folder = await client.GetFolderAsync(GraphWellKnownFolders.Inbox);

        Assert.Equal("Inbox", folder.DisplayName);
        Assert.True(watch.Elapsed >= TimeSpan.FromMilliseconds(950), "Retry-After was not honoured: " + watch.Elapsed);
        var last = _ctx.Graph.Requests.TakeLast(2).ToArray();
        Assert.Equal(429, last[0].StatusCode);
        Assert.Equal(200, last[1].StatusCode);
    }

    [Fact]
    public async Task AnyCall_ThrottlingStorm_ClearRetryableErrorAfterTheRetryBudget()
    {
        using var client = _ctx.Client(_ctx.AppOnlyProvider(), "adele@contoso.test", o => o.MaxRetries = 2);
        await client.GetFolderAsync(GraphWellKnownFolders.Inbox);
        _ctx.Graph.ThrottleNext(10, TimeSpan.FromSeconds(1));
        var before = _ctx.Graph.RequestCount;

        var error = await Assert.ThrowsAsync<GraphMailException>(() => client.GetFolderAsync(GraphWellKnownFolders.Inbox));

        Assert.Equal(MailFindingCodes.GraphThrottled, error.ErrorCode);
        Assert.True(error.IsRetryable);
        Assert.Equal(TimeSpan.FromSeconds(1), error.RetryAfter);
        Assert.Contains("Retry-After", error.Message, StringComparison.Ordinal);
        Assert.Contains("4", error.Message, StringComparison.Ordinal);
        Assert.Equal(3, _ctx.Graph.RequestCount - before);
        var storm = _ctx.Graph.Requests.TakeLast(3).ToArray();
        Assert.All(storm, r => Assert.Equal(429, r.StatusCode));
        Assert.True(storm[2].ReceivedAt - storm[0].ReceivedAt >= TimeSpan.FromMilliseconds(1900));
        _ctx.Graph.ClearFaults();
    }

    [Fact]
    public async Task AppOnly_PersonalAccount_ClearErrors()
    {
        var construct = Assert.Throws<ArgumentException>(() => _ctx.AppOnlyProvider(MailCloud.PersonalAccounts));
        Assert.Contains("personal Microsoft accounts can only sign in as a user", construct.Message, StringComparison.Ordinal);

        _ctx.Graph.AddPersonalMailbox("megan@outlook.com");
        using var client = _ctx.Client(_ctx.AppOnlyProvider(), "megan@outlook.com");
        var error = await Assert.ThrowsAsync<GraphMailException>(() => client.FindItemsAsync(GraphWellKnownFolders.Inbox));

        Assert.Equal(MailFindingCodes.GraphInvalidUser, error.ErrorCode);
        Assert.Contains("personal Microsoft account", error.Message, StringComparison.Ordinal);
        Assert.Contains("DeviceCodeTokenProvider", error.Remedy, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnyCall_TokenForTheWrongResource_InspectorFindingInTheException()
    {
        var exchangeToken = _ctx.Entra.MintAccessToken(new FakeTokenDescriptor
        {
            TenantId = GraphTestContext.Tenant,
            Audience = "https://outlook.office365.com",
            AppId = GraphTestContext.ClientId,
            Roles = ["full_access_as_app"],
        });
        var provider = new FixedTokenProvider(exchangeToken);
        using var client = _ctx.Client(provider, "adele@contoso.test");

        var error = await Assert.ThrowsAsync<MailAuthenticationException>(() => client.GetFolderAsync(GraphWellKnownFolders.Inbox));

        Assert.Equal(GraphErrorCodes.TokenRejected, error.ErrorCode);
        Assert.Equal(MailProtocol.Graph, error.Protocol);
        Assert.Contains(error.Findings, f => f.Code == MailFindingCodes.WrongAudience);
        Assert.Contains("aud = https://outlook.office365.com", error.Message, StringComparison.Ordinal);
        Assert.Contains("https://graph.microsoft.com/.default", error.Remedy, StringComparison.Ordinal);
        Assert.Equal(2, _ctx.Graph.RequestCount);
        Assert.True(provider.ForcedRefresh);
        Assert.DoesNotContain(exchangeToken, error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Send_WithoutMailSendRole_MissingRoleFindingAndPortalFix()
    {
        _ctx.Application.WithAppRoles("Mail.ReadWrite");
        using var client = _ctx.Client(_ctx.AppOnlyProvider(), "shared@contoso.test");

        var error = await Assert.ThrowsAsync<GraphMailException>(() => client.SendMimeAsync(Encoding.UTF8.GetBytes("To: adele@contoso.test\r\nSubject: x\r\n\r\nx\r\n")));

        Assert.Equal(MailFindingCodes.GraphAccessDenied, error.ErrorCode);
        Assert.Contains(error.Findings, f => f.Code == MailFindingCodes.MissingRole);
        Assert.Contains("Microsoft Graph > Application permissions > Mail.Send", error.Remedy, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Delegated_PersonalAccountWithDeviceCode_SendsAndReadsItsOwnMailbox()
    {
        _ctx.Entra.RegisterApplication(FakeEntraId.ConsumersTenant, GraphTestContext.ClientId).AsPublicClient();
        _ctx.Entra.DeviceCodeUser = _ctx.Entra.AddUser(FakeEntraId.ConsumersTenant, "megan@outlook.com");
        _ctx.Graph.AddPersonalMailbox("megan@outlook.com");
        var cache = Path.Combine(Path.GetTempPath(), "graph-tests-" + Guid.NewGuid().ToString("N") + ".bin");
        try
        {
            var provider = new DeviceCodeTokenProvider(GraphTestContext.ClientId, new DeviceCodeTokenProviderOptions
            {
                Cloud = MailCloud.PersonalAccounts,
                TokenCachePath = cache,
                DeviceCodeCallback = (_, _) => Task.CompletedTask,
            }.UseFakeEntraId(_ctx.EntraServer));
            using var client = _ctx.Client(provider, "megan@outlook.com");

            await client.SendMimeAsync(Encoding.UTF8.GetBytes("To: megan@outlook.com\r\nSubject: Note to self\r\n\r\nHi.\r\n"));
            var inbox = await client.FindItemsAsync(GraphWellKnownFolders.Inbox);

            Assert.Equal("Note to self", Assert.Single(inbox.Items).Subject);
            Assert.All(_ctx.Graph.Requests, r => Assert.StartsWith("/v1.0/me/", r.Path, StringComparison.Ordinal));
            Assert.False((await provider.GetTokenAsync(new MailTokenRequest(MailProtocol.Graph))).IsJwt);
        }
        finally
        {
            File.Delete(cache);
        }
    }

    [Fact]
    public async Task Bridge_GraphServiceClientWithTheProvider_GetsTokensOnlyForGraphHosts()
    {
        var provider = _ctx.AppOnlyProvider();
        var bridge = new GraphAuthenticationProvider(provider, new GraphAuthenticationProviderOptions { Cloud = MailCloud.Global with { Graph = _ctx.GraphServer.BaseAddress } });
        using var http = GraphClientFactory.Create(finalHandler: _ctx.Transport);
        var graph = new GraphServiceClient(http, bridge, _ctx.GraphServer.ServiceRoot.AbsoluteUri);

        var inbox = await graph.Users["shared@contoso.test"].MailFolders["inbox"].GetAsync();
        var elsewhere = new RequestInformation { HttpMethod = Method.PUT, UrlTemplate = "https://outlook.office.com/api/upload" };
        await bridge.AuthenticateRequestAsync(elsewhere);
        var graphRequest = new RequestInformation { HttpMethod = Method.GET, UrlTemplate = _ctx.GraphServer.ServiceRoot.AbsoluteUri + "/users" };
        await bridge.AuthenticateRequestAsync(graphRequest);

        Assert.Equal("Inbox", inbox!.DisplayName);
        Assert.False(elsewhere.Headers.ContainsKey("Authorization"));
        Assert.StartsWith("Bearer ey", Assert.Single(graphRequest.Headers["Authorization"]), StringComparison.Ordinal);
        Assert.Equal(1, _ctx.Entra.TokenRequestCount);
    }

    [Fact]
    public async Task Logs_EveryPath_NeverHoldATokenOrTheSecret()
    {
        var provider = _ctx.AppOnlyProvider();
        using var client = _ctx.Client(provider, "shared@contoso.test");
        await client.SendMimeAsync(Encoding.UTF8.GetBytes("To: adele@contoso.test\r\nSubject: x\r\n\r\nx\r\n"));
        _ctx.Graph.RestrictAccess(GraphTestContext.ClientId, "adele@contoso.test");
        await Assert.ThrowsAsync<GraphMailException>(() => client.FindItemsAsync(GraphWellKnownFolders.Inbox));
        using var wrong = _ctx.Client(new FixedTokenProvider("not-a-graph-token-" + new string('x', 64)), "adele@contoso.test");
        await Assert.ThrowsAsync<MailAuthenticationException>(() => wrong.GetFolderAsync(GraphWellKnownFolders.Inbox));
        var token = await provider.GetTokenAsync(new MailTokenRequest(MailProtocol.Graph));

        var logs = _ctx.Logs.AllText;
        Assert.Contains("graph_access_policy_denied", logs, StringComparison.Ordinal);
        Assert.DoesNotContain(token.Token, logs, StringComparison.Ordinal);
        Assert.DoesNotContain(token.Token.Split('.')[2], logs, StringComparison.Ordinal);
        Assert.DoesNotContain(GraphTestContext.Secret, logs, StringComparison.Ordinal);
        Assert.DoesNotContain("not-a-graph-token-", logs, StringComparison.Ordinal);
        Assert.DoesNotContain("Bearer ", logs, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnyCall_Cancelled_OperationCanceledExceptionUnwrapped()
    {
        using var client = _ctx.Client(_ctx.AppOnlyProvider(), "adele@contoso.test");
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => client.FindItemsAsync(GraphWellKnownFolders.Inbox, cancellationToken: cancelled.Token));
    }

    [Fact]
    public void Constructor_BadInput_ClearArgumentErrors()
    {
        var provider = _ctx.AppOnlyProvider();
        Assert.Throws<ArgumentNullException>(() => new GraphMailClient(null!, "a@contoso.test"));
        Assert.Contains("mailbox", Assert.Throws<ArgumentException>(() => new GraphMailClient(provider, " ")).Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentOutOfRangeException>(() => new GraphMailClient(provider, "a@contoso.test", new GraphMailClientOptions { MaxRetries = 11 }));
        Assert.Throws<ArgumentException>(() => new GraphMailClient(provider, "a@contoso.test", new GraphMailClientOptions { Endpoint = new Uri("http://graph.example.com/v1.0") }));
    }

    private sealed class FixedTokenProvider : MailTokenProvider
    {
        private readonly string _token;

        public FixedTokenProvider(string token) => _token = token;

        public int Calls { get; private set; }

        public bool ForcedRefresh { get; private set; }

        public override bool IsAppOnly => true;

        public override ValueTask<MailAccessToken> GetTokenAsync(MailTokenRequest request, CancellationToken cancellationToken = default)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (request.ForceRefresh)
            {
                ForcedRefresh = true;
            }

            Calls++;
            return new ValueTask<MailAccessToken>(new MailAccessToken(_token, DateTimeOffset.UtcNow.AddHours(1), request.Mailbox));
        }
    }
}
