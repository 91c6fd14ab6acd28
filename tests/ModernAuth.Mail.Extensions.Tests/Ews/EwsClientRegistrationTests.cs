using System.Net;
using System.Text;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using ModernAuth.Mail.Ews;
using ModernAuth.Mail.Extensions.Tests.Docs;
using ModernAuth.Mail.Extensions.Tests.Support;
using ModernAuth.Mail.Testing;

namespace ModernAuth.Mail.Extensions.Tests.Ews;

/// <summary>AddEwsClient: the named HttpClient of IHttpClientFactory, authenticated by the named provider, in a real host.</summary>
public sealed class EwsClientRegistrationTests : IDisposable
{
    private const string ClientName = "shared-inbox-ews";
    private const string EwsMailbox = "shared@contoso.com";

    private readonly FakeEntraId _entra = new();
    private readonly RecordingEwsHandler _ews = new();

    public EwsClientRegistrationTests() => _entra.RegisterApplication(TestIds.Tenant, TestIds.ClientId).WithSecret(TestIds.Secret);

    public void Dispose()
    {
        _entra.Dispose();
        _ews.Dispose();
    }

    private static string[] Args(params string[] more) => new[]
    {
        "--ModernAuthMail:Providers:shared-inbox:Flow=ClientSecret",
        "--ModernAuthMail:Providers:shared-inbox:TenantId=" + TestIds.Tenant,
        "--ModernAuthMail:Providers:shared-inbox:ClientId=" + TestIds.ClientId,
        "--ModernAuthMail:Providers:shared-inbox:ClientSecret=" + TestIds.Secret,
        "--ModernAuthMail:Providers:shared-inbox:Mailbox=" + TestIds.Mailbox,
    }.Concat(more).ToArray();

    private void TestHooks(IServiceCollection services)
    {
        HostingSamples.UseFakeEntraIdInTests(services, _entra);
        services.AddHttpClient(ClientName).ConfigurePrimaryHttpMessageHandler(() => _ews);
    }

    [Fact]
    public async Task BuildEwsHost_TwoClientsResolved_BearerFromNamedProviderAndAnchorMailbox_OneTokenRequest()
    {
        using var host = HostingSamples.BuildEwsHost(Args(), TestHooks);
        await host.StartAsync();

        var first = await ActivatorUtilities.CreateInstance<InboxCounter>(host.Services).CountAsync(CancellationToken.None);
        var second = await ActivatorUtilities.CreateInstance<InboxCounter>(host.Services).CountAsync(CancellationToken.None);
        var http = host.Services.GetRequiredService<IHttpClientFactory>().CreateClient(ClientName);
        var provider = host.Services.GetRequiredService<MailTokenProviderFactory>().GetProvider("shared-inbox");
        var token = await provider.GetTokenAsync(new MailTokenRequest(MailProtocol.Ews, EwsMailbox));

        Assert.Equal(3, first);
        Assert.Equal(3, second);
        Assert.Equal(MailCloud.Global.Ews, http.BaseAddress);
        Assert.Equal(2, _ews.Requests.Count);
        Assert.All(_ews.Requests, r =>
        {
            Assert.Equal(MailCloud.Global.Ews, r.Uri);
            Assert.Equal("Bearer " + token.Token, r.Authorization);
            Assert.Equal(EwsMailbox, r.AnchorMailbox);
            Assert.Contains("ExchangeImpersonation", r.Body, StringComparison.Ordinal); // app-only provider
        });
        Assert.Equal(1, _entra.TokenRequestCount);
        await host.StopAsync();
    }

    [Fact]
    public async Task AddEwsClient_RawHttpClient_SendsThroughAuthenticationHandler()
    {
        using var host = HostingSamples.BuildEwsHost(Args(), TestHooks);
        await host.StartAsync();
        var http = host.Services.GetRequiredService<IHttpClientFactory>().CreateClient(ClientName);

        using var content = new StringContent(RecordingEwsHandler.GetFolderRequest, Encoding.UTF8, "text/xml");
        using var response = await http.PostAsync((Uri?)null, content);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var request = Assert.Single(_ews.Requests);
        Assert.StartsWith("Bearer ", request.Authorization, StringComparison.Ordinal);
        Assert.Equal(EwsMailbox, request.AnchorMailbox);
        Assert.Equal(1, _entra.TokenRequestCount);
    }

    [Fact]
    public async Task AddEwsClient_UnknownProviderName_StartFailsNamingIt()
    {
        using var host = Build(b => b.AddEwsClient("archive-ews", EwsMailbox, providerName: "archive"));

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains("EWS client 'archive-ews': no token provider is named 'archive'. Registered: 'shared-inbox'.", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void CreateClient_UnknownProviderName_ResolveFailsNamingIt()
    {
        using var host = Build(b => b.AddEwsClient("archive-ews", EwsMailbox, providerName: "archive"));

        var error = Assert.Throws<OptionsValidationException>(() => host.Services.GetRequiredService<EwsClientFactory>().CreateClient("archive-ews"));

        Assert.Contains("no token provider is named 'archive'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AddEwsClient_PersonalAccountsCloud_StartFailsNamingTheProblem()
    {
        using var host = Build(b => b.AddEwsClient(ClientName, EwsMailbox, configure: o => o.Cloud = MailCloud.PersonalAccounts));

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains("EWS client 'shared-inbox-ews': the cloud is PersonalAccounts: EWS is not offered to personal Microsoft accounts", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AddEwsClient_ProviderOnPersonalAccountsCloud_StartFails()
    {
        using var host = Build(
            b => b.AddDeviceCode("adele", o =>
            {
                o.ClientId = TestIds.PublicClientId;
                o.Cloud = "PersonalAccounts";
                o.DisableInteractiveSignIn = true;
                o.PersistTokenCache = false;
            }).AddEwsClient("adele-ews", "adele@outlook.com", providerName: "adele"));

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains("EWS client 'adele-ews': the cloud is PersonalAccounts", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AddEwsClient_MailboxMissing_StartFailsNamingTheProblem()
    {
        using var host = Build(b => b.AddEwsClient(ClientName, " "));

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains("EWS client 'shared-inbox-ews': the mailbox is missing", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void CreateClient_UnknownClientName_ListsRegisteredOnes()
    {
        using var host = Build(b => b.AddEwsClient(ClientName, EwsMailbox));

        var error = Assert.Throws<InvalidOperationException>(() => host.Services.GetRequiredService<EwsClientFactory>().CreateClient("nope"));

        Assert.Equal("No EWS client is named 'nope'. Registered: 'shared-inbox-ews'. Register it with AddModernAuthMail().AddEwsClient(name, mailbox).", error.Message);
    }

    [Fact]
    public void AddEwsClient_SameNameTwice_Throws()
    {
        var builder = new ServiceCollection().AddModernAuthMail();
        builder.AddEwsClient(ClientName, EwsMailbox);

        var error = Assert.Throws<ArgumentException>(() => builder.AddEwsClient(ClientName, EwsMailbox));

        Assert.StartsWith("An EWS client named 'shared-inbox-ews' is already registered.", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AddEwsClient_EndpointOption_BecomesBaseAddress()
    {
        var endpoint = new Uri("https://mail.contoso.test/EWS/Exchange.asmx");
        using var host = Build(b => b.AddEwsClient(ClientName, EwsMailbox, configure: o => o.Endpoint = endpoint));

        using var client = host.Services.GetRequiredService<EwsClientFactory>().CreateClient(ClientName);
        var http = host.Services.GetRequiredService<IHttpClientFactory>().CreateClient(ClientName);

        Assert.Equal(endpoint, client.Endpoint);
        Assert.Equal(endpoint, http.BaseAddress);
        Assert.Equal(EwsMailbox, client.Mailbox);
    }

    [Fact]
    public async Task EwsClientFactoryDouble_RegisteredBeforeAddEwsClient_IsKeptAndItsClientReachesTheAppsCode()
    {
        // How an app tests code like InboxCounter: its own EwsClientFactory and EwsClient doubles, no server and no token.
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true, EnvironmentName = "Production" });
        builder.Configuration.AddCommandLine(Args());
        builder.Services.AddSingleton<EwsClientFactory>(new FactoryDouble());
        builder.Services.AddModernAuthMail()
            .AddFromConfiguration(builder.Configuration.GetSection("ModernAuthMail"))
            .AddEwsClient(ClientName, EwsMailbox, providerName: "shared-inbox");
        TestHooks(builder.Services);
        using var host = builder.Build();
        await host.StartAsync();

        var count = await ActivatorUtilities.CreateInstance<InboxCounter>(host.Services).CountAsync(CancellationToken.None);

        Assert.IsType<FactoryDouble>(host.Services.GetRequiredService<EwsClientFactory>());
        Assert.Equal(7, count);
        Assert.Empty(_ews.Requests);
        Assert.Equal(0, _entra.TokenRequestCount);
        await host.StopAsync();
    }

    private IHost Build(Action<ModernAuthMailBuilder> more)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true, EnvironmentName = "Production" });
        builder.Configuration.AddCommandLine(Args());
        more(builder.Services.AddModernAuthMail().AddFromConfiguration(builder.Configuration.GetSection("ModernAuthMail")));
        TestHooks(builder.Services);
        return builder.Build();
    }

    private sealed class FactoryDouble : EwsClientFactory
    {
        public override EwsClient CreateClient(string name) => new InboxDouble(name == ClientName ? EwsMailbox : throw new ArgumentException(name));
    }

    private sealed class InboxDouble(string mailbox) : EwsClient
    {
        public override string Mailbox => mailbox;

        public override Task<EwsFolder> GetFolderAsync(EwsFolderId folder, CancellationToken cancellationToken = default) =>
            Task.FromResult(new EwsFolder(EwsFolderId.FromId("AAMkInbox="), "Inbox") { TotalCount = 7 });
    }

    /// <summary>Stands in for Exchange: records what reached the wire and answers GetFolder for the inbox.</summary>
    private sealed class RecordingEwsHandler : HttpMessageHandler
    {
        public const string GetFolderRequest = """
            <?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/" xmlns:t="http://schemas.microsoft.com/exchange/services/2006/types" xmlns:m="http://schemas.microsoft.com/exchange/services/2006/messages"><soap:Header><t:RequestServerVersion Version="Exchange2013_SP1" /></soap:Header><soap:Body><m:GetFolder><m:FolderShape><t:BaseShape>Default</t:BaseShape></m:FolderShape><m:FolderIds><t:DistinguishedFolderId Id="inbox" /></m:FolderIds></m:GetFolder></soap:Body></soap:Envelope>
            """;

        private const string GetFolderResponse = """
            <?xml version="1.0" encoding="utf-8"?><s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><m:GetFolderResponse xmlns:m="http://schemas.microsoft.com/exchange/services/2006/messages" xmlns:t="http://schemas.microsoft.com/exchange/services/2006/types"><m:ResponseMessages><m:GetFolderResponseMessage ResponseClass="Success"><m:ResponseCode>NoError</m:ResponseCode><m:Folders><t:Folder><t:FolderId Id="AAMkInbox" ChangeKey="AQAAAA" /><t:DisplayName>Inbox</t:DisplayName><t:TotalCount>3</t:TotalCount><t:ChildFolderCount>0</t:ChildFolderCount><t:UnreadCount>1</t:UnreadCount></t:Folder></m:Folders></m:GetFolderResponseMessage></m:ResponseMessages></m:GetFolderResponse></s:Body></s:Envelope>
            """;

        private readonly List<Recorded> _requests = new();

        public IReadOnlyList<Recorded> Requests
        {
            get
            {
                lock (_requests)
                {
                    return _requests.ToArray();
                }
            }
        }

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var body = request.Content is null ? string.Empty : await request.Content.ReadAsStringAsync(cancellationToken);
            var anchor = request.Headers.TryGetValues("X-AnchorMailbox", out var values) ? string.Join(",", values) : null;
            lock (_requests)
            {
                _requests.Add(new Recorded(request.RequestUri, request.Headers.Authorization?.ToString(), anchor, body));
            }

            return new HttpResponseMessage(HttpStatusCode.OK)
            {
                Content = new StringContent(GetFolderResponse, Encoding.UTF8, "text/xml"),
                RequestMessage = request,
            };
        }

        public sealed record Recorded(Uri? Uri, string? Authorization, string? AnchorMailbox, string Body);
    }
}
