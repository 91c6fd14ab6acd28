using Microsoft.Identity.Client;
using Microsoft.IdentityModel.JsonWebTokens;

namespace ModernAuth.Mail.Testing.Tests;

/// <summary>The MSAL samples of docs/testing.md run as tests (eng/package-check.sh compiles the page's blocks as they stand).</summary>
public class DocsSampleTests
{
    // docs/testing.md: "In process"
    [Fact]
    public async Task AppOnlyToken_FromFake_HasExchangeRoles()
    {
        await using var fake = new FakeEntraId();
        fake.RegisterApplication("contoso-tenant-id", "my-client-id").WithSecret("s3cret");

        var msal = ConfidentialClientApplicationBuilder.Create("my-client-id")
            .WithAuthority($"{fake.AuthorityHost}contoso-tenant-id")
            .WithInstanceDiscovery(false)
            .WithHttpClientFactory(new HandlerFactory(fake.CreateHandler()))
            .WithClientSecret("s3cret")
            .Build();
        var result = await msal.AcquireTokenForClient(["https://outlook.office365.com/.default"]).ExecuteAsync();

        var token = new JsonWebToken(result.AccessToken);
        Assert.Equal("https://outlook.office365.com", token.GetClaim("aud").Value);
        Assert.Contains(token.Claims, c => c.Type == "roles" && c.Value == "IMAP.AccessAsApp");
        Assert.Equal(1, fake.TokenRequestCount);
    }

    // docs/testing.md: "Device code"
    [Fact]
    public async Task DeviceCode_ThenSilent_MakesNoMoreRequests()
    {
        await using var fake = new FakeEntraId();
        fake.RegisterApplication("contoso-tenant-id", "my-client-id").AsPublicClient();
        fake.DeviceCodeUser = fake.AddUser("contoso-tenant-id", "adele@contoso.com");

        var msal = PublicClientApplicationBuilder.Create("my-client-id")
            .WithAuthority($"{fake.AuthorityHost}contoso-tenant-id")
            .WithInstanceDiscovery(false)
            .WithHttpClientFactory(new HandlerFactory(fake.CreateHandler()))
            .Build();
        string[] scopes = ["https://outlook.office.com/IMAP.AccessAsUser.All"];
        await msal.AcquireTokenWithDeviceCode(scopes, code => Task.CompletedTask).ExecuteAsync();

        fake.ResetCounters();
        var account = (await msal.GetAccountsAsync()).Single();
        await msal.AcquireTokenSilent(scopes, account).ExecuteAsync();
        Assert.Equal(0, fake.RequestCount);
    }

    // docs/testing.md: "Over HTTPS"
    [Fact]
    public async Task HttpsServer_TrustingHandler_ServesMetadata()
    {
        await using var fake = new FakeEntraId();
        fake.RegisterApplication("contoso-tenant-id", "my-client-id").WithSecret("s3cret");
        await using var server = await fake.StartHttpsServerAsync();   // https://127.0.0.1:<port>
        using var handler = server.CreateTrustingHandler();              // trusts exactly server.Certificate
        // authority: $"{server.BaseAddress}contoso-tenant-id"

        using var client = new HttpClient(handler, disposeHandler: false);
        var metadata = await client.GetStringAsync(new Uri(server.BaseAddress, "contoso-tenant-id/v2.0/.well-known/openid-configuration"));
        Assert.Contains("token_endpoint", metadata, StringComparison.Ordinal);
    }

    private sealed class HandlerFactory(HttpMessageHandler handler) : IMsalHttpClientFactory
    {
        private readonly HttpClient _client = new(handler);

        public HttpClient GetHttpClient() => _client;
    }
}
