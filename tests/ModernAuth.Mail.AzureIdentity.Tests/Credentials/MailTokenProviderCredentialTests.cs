using Azure.Core;
using Azure.Identity;
using Microsoft.Graph;
using Microsoft.Kiota.Authentication.Azure;
using ModernAuth.Mail.Testing;

namespace ModernAuth.Mail.AzureIdentity.Tests.Credentials;

/// <summary>A built-in provider as a TokenCredential, given to the real GraphServiceClient against the fake Graph.</summary>
public sealed class MailTokenProviderCredentialTests : IAsyncLifetime
{
    private const string Tenant = "3c8d4b2f-5e6a-4f7b-9c0d-1e2f3a4b5c6d";
    private const string ClientId = "8d2f3e4a-5b6c-4d7e-9f0a-1b2c3d4e5f6a";
    private const string Secret = "Bridge~Secret.Value_for-tests-9876543210";
    private const string Mailbox = "shared@contoso.test";

    private FakeEntraId _entra = null!;
    private FakeEntraIdServer _entraServer = null!;
    private FakeGraph _graph = null!;
    private FakeGraphServer _graphServer = null!;
    private HttpMessageHandler _graphTransport = null!;

    public CapturingLoggerProvider Logs { get; } = new();

    public async Task InitializeAsync()
    {
        _entra = new FakeEntraId();
        _entraServer = await _entra.StartHttpsServerAsync();
        _entra.RegisterApplication(Tenant, ClientId).WithSecret(Secret);
        _graph = new FakeGraph(_entra, Tenant);
        _graphServer = await _graph.StartHttpsServerAsync();
        _graphTransport = _graphServer.CreateTrustingHandler();
        _graph.AddMailbox(Mailbox).AddMessage("inbox", "Hello through the bridge");
    }

    public async Task DisposeAsync()
    {
        _graphTransport.Dispose();
        await _graph.DisposeAsync();
        await _entra.DisposeAsync();
    }

    [Fact]
    public async Task GraphServiceClient_WithProviderAsTokenCredential_ReadsTheInboxWithOneTokenRequest()
    {
        var credential = Provider().AsTokenCredential();
        var graph = Graph(credential, "https://graph.microsoft.com/.default");

        var inbox = await graph.Users[Mailbox].MailFolders["inbox"].GetAsync();
        var messages = await graph.Users[Mailbox].MailFolders["inbox"].Messages.GetAsync();

        Assert.Equal("Inbox", inbox?.DisplayName);
        Assert.Equal("Hello through the bridge", Assert.Single(messages!.Value!).Subject);
        Assert.Equal(1, _entra.TokenRequestCount);
        Assert.Equal("https://graph.microsoft.com/.default", Assert.Single(_entra.Requests, r => r.IsTokenRequest).Scope);
        Assert.DoesNotContain(Secret, Logs.AllText, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GraphServiceClient_WithoutScopes_RefusedNamingTheScopesItServes()
    {
        // Without scopes the SDK asks for its request host's /.default: here the loopback fake, not a mail resource.
        var graph = Graph(Provider().AsTokenCredential());

        var error = await Assert.ThrowsAsync<CredentialUnavailableException>(() => graph.Users[Mailbox].MailFolders["inbox"].GetAsync());

        Assert.Contains("https://127.0.0.1", error.Message, StringComparison.Ordinal);
        Assert.Contains("https://graph.microsoft.com/.default", error.Message, StringComparison.Ordinal);
        Assert.Contains("https://outlook.office365.com/.default", error.Message, StringComparison.Ordinal);
        Assert.Equal(0, _entra.TokenRequestCount);
    }

    [Theory]
    [InlineData("https://storage.azure.com/.default")]
    [InlineData("https://management.azure.com/user_impersonation")]
    [InlineData("api://my-api/.default")]
    public async Task GetTokenAsync_ScopeOfAnotherResource_CredentialUnavailableWithWhatItServes(string scope)
    {
        var credential = Provider().AsTokenCredential();

        var error = await Assert.ThrowsAsync<CredentialUnavailableException>(async () => await credential.GetTokenAsync(new TokenRequestContext(new[] { scope }), default));

        Assert.Contains(scope, error.Message, StringComparison.Ordinal);
        Assert.Contains("Microsoft Graph", error.Message, StringComparison.Ordinal);
        Assert.Contains("ChainedTokenCredential", error.Message, StringComparison.Ordinal);
        Assert.Equal(0, _entra.TokenRequestCount);
    }

    [Fact]
    public async Task GetTokenAsync_MixedGraphAndExchangeScopes_Refused()
    {
        var credential = Provider().AsTokenCredential();

        var error = await Assert.ThrowsAsync<CredentialUnavailableException>(async () =>
            await credential.GetTokenAsync(new TokenRequestContext(new[] { "https://graph.microsoft.com/.default", "https://outlook.office365.com/.default" }), default));

        Assert.Contains("AADSTS28000", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(new[] { "https://graph.microsoft.com/.default" }, MailProtocol.Graph)]
    [InlineData(new[] { "Mail.Send", "offline_access" }, MailProtocol.Graph)]
    [InlineData(new[] { "00000003-0000-0000-c000-000000000000/.default" }, MailProtocol.Graph)]
    [InlineData(new[] { "https://outlook.office365.com/.default" }, MailProtocol.Ews)]
    [InlineData(new[] { "https://outlook.office365.com/EWS.AccessAsUser.All" }, MailProtocol.Ews)]
    [InlineData(new[] { "https://outlook.office.com/IMAP.AccessAsUser.All", "offline_access" }, MailProtocol.Imap)]
    [InlineData(new[] { "https://outlook.office.com/POP.AccessAsUser.All" }, MailProtocol.Pop)]
    [InlineData(new[] { "https://outlook.office.com/SMTP.Send" }, MailProtocol.Smtp)]
    [InlineData(new[] { "https://ps.outlook.com/.default" }, MailProtocol.Ews)]
    public void TryMapScopes_MailResources_MapToTheirProtocol(string[] scopes, MailProtocol expected)
    {
        var credential = Provider().AsTokenCredential();

        Assert.True(credential.TryMapScopes(scopes, out var protocol, out var reason), reason);
        Assert.Equal(expected, protocol);
    }

    [Fact]
    public void TryMapScopes_GlobalScopeInChinaCloud_Refused()
    {
        var credential = Provider().AsTokenCredential(new MailTokenProviderCredentialOptions { Cloud = MailCloud.China });

        Assert.False(credential.TryMapScopes(new[] { "https://graph.microsoft.com/.default" }, out _, out var reason));
        Assert.Contains("China", reason, StringComparison.Ordinal);
        Assert.Contains("https://microsoftgraph.chinacloudapi.cn/.default", reason, StringComparison.Ordinal);
        Assert.True(credential.TryMapScopes(new[] { "https://microsoftgraph.chinacloudapi.cn/.default" }, out var protocol, out _));
        Assert.Equal(MailProtocol.Graph, protocol);
    }

    [Fact]
    public async Task GetTokenAsync_SecondCall_FromTheProvidersCache()
    {
        var credential = Provider().AsTokenCredential();
        var context = new TokenRequestContext(new[] { "https://outlook.office365.com/.default" });

        var first = await credential.GetTokenAsync(context, default);
        var second = credential.GetToken(context, default);

        Assert.Equal(first.Token, second.Token);
        Assert.Equal(first.ExpiresOn, second.ExpiresOn);
        Assert.Equal(1, _entra.TokenRequestCount);
    }

    [Fact]
    public async Task GetTokenAsync_Claims_ForceAFreshToken()
    {
        var credential = Provider().AsTokenCredential();
        var scopes = new[] { "https://graph.microsoft.com/.default" };

        await credential.GetTokenAsync(new TokenRequestContext(scopes), default);
        await credential.GetTokenAsync(new TokenRequestContext(scopes, claims: "{\"access_token\":{\"nbf\":{\"essential\":true}}}"), default);

        Assert.Equal(2, _entra.TokenRequestCount);
    }

    [Fact]
    public void GetToken_ColdCacheUnderABlockingSynchronizationContext_DoesNotDeadlock()
    {
        var credential = Provider().AsTokenCredential();
        AccessToken? token = null;
        Exception? failure = null;
        var thread = new Thread(() =>
        {
            // A context that never runs what is posted to it, as a UI thread blocked in GetToken would never run it.
            SynchronizationContext.SetSynchronizationContext(new NeverRunsContext());
            try
            {
                token = credential.GetToken(new TokenRequestContext(new[] { "https://graph.microsoft.com/.default" }), default);
            }
            catch (Exception error)
            {
                failure = error;
            }
        });
        thread.Start();

        Assert.True(thread.Join(TimeSpan.FromSeconds(60)), "GetToken deadlocked on the caller's synchronization context.");
        Assert.Null(failure);
        Assert.False(string.IsNullOrEmpty(token?.Token));
        Assert.Equal(1, _entra.TokenRequestCount);
    }

    [Fact]
    public async Task GetTokenAsync_ProviderFails_MailAuthenticationExceptionWithRemedyPassesThrough()
    {
        var provider = new ClientSecretTokenProvider(Tenant, ClientId, "wrong-secret-value-0123456789", new ClientSecretTokenProviderOptions().UseFakeEntraId(_entraServer));
        var credential = provider.AsTokenCredential();

        var error = await Assert.ThrowsAsync<MailAuthenticationException>(async () =>
            await credential.GetTokenAsync(new TokenRequestContext(new[] { "https://graph.microsoft.com/.default" }), default));

        Assert.Equal(MailErrorCodes.InvalidClientSecret, error.ErrorCode);
        Assert.False(string.IsNullOrEmpty(error.Remedy));
    }

    [Fact]
    public async Task GetTokenAsync_Cancelled_Throws()
    {
        _entra.HangNext();
        var credential = Provider().AsTokenCredential();
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
            await credential.GetTokenAsync(new TokenRequestContext(new[] { "https://graph.microsoft.com/.default" }), cancel.Token));
    }

    private ClientSecretTokenProvider Provider() =>
        new(Tenant, ClientId, Secret, new ClientSecretTokenProviderOptions { LoggerFactory = Logs.CreateFactory() }.UseFakeEntraId(_entraServer));

    // GraphServiceClient(TokenCredential, ...) sends tokens only to Microsoft's Graph hosts: for the loopback fake, the same
    // Kiota authentication provider it builds, with the fake's host allowed.
    private GraphServiceClient Graph(TokenCredential credential, params string[] scopes) =>
        new(new HttpClient(_graphTransport, disposeHandler: false),
            new AzureIdentityAuthenticationProvider(credential, new[] { _graphServer.ServiceRoot.Host }, scopes: scopes),
            _graphServer.ServiceRoot.ToString());

    private sealed class NeverRunsContext : SynchronizationContext
    {
        public override void Post(SendOrPostCallback d, object? state)
        {
        }

        public override void Send(SendOrPostCallback d, object? state) => throw new InvalidOperationException("Send on a blocked context.");
    }
}
