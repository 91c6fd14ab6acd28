using System.Net;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Identity.Client;
using static ModernAuth.Mail.Testing.Tests.TestSupport;

namespace ModernAuth.Mail.Testing.Tests;

public class HttpsServerTests
{
    [Fact]
    public async Task StartHttpsServerAsync_ClientSecretOverHttps_ReturnsToken()
    {
        await using var fake = CreateFake();
        fake.RegisterApplication(Tenant, ClientId).WithSecret(Secret);
        await using var server = await fake.StartHttpsServerAsync();
        using var handler = server.CreateTrustingHandler();
        var app = Confidential(server.BaseAddress, handler)
            .WithClientSecret(Secret)
            .Build();

        var result = await app.AcquireTokenForClient([ExchangeAppOnlyScope]).ExecuteAsync();

        Assert.Equal("https", server.BaseAddress.Scheme);
        Assert.Equal("127.0.0.1", server.BaseAddress.Host);
        Assert.NotEqual(0, server.BaseAddress.Port);
        Assert.Equal("https://outlook.office365.com", Read(result.AccessToken).GetClaim("aud").Value);
        Assert.Equal(1, fake.TokenRequestCount);
    }

    [Fact]
    public async Task StartHttpsServerAsync_CertificateAssertionOverHttps_AudienceIsServerEndpoint()
    {
        await using var fake = CreateFake();
        fake.RegisterApplication(Tenant, ClientId).WithCertificate(ClientCertificate);
        await using var server = await fake.StartHttpsServerAsync();
        using var handler = server.CreateTrustingHandler();
        var app = Confidential(server.BaseAddress, handler)
            .WithCertificate(ClientCertificate)
            .Build();

        var result = await app.AcquireTokenForClient([ExchangeAppOnlyScope]).ExecuteAsync();

        Assert.Equal("2", Read(result.AccessToken).GetClaim("appidacr").Value);
    }

    [Fact]
    public async Task StartHttpsServerAsync_DeviceCodeOverHttps_ThenSilentMakesNoRequest()
    {
        await using var fake = CreateFake();
        fake.RegisterApplication(Tenant, ClientId).AsPublicClient();
        fake.AddUser(Tenant, "adele@contoso.com");
        await using var server = await fake.StartHttpsServerAsync();
        using var handler = server.CreateTrustingHandler();
        var app = Public(server.BaseAddress, handler)
            .Build();

        var result = await DeviceCodeAsync(app);
        var before = fake.RequestCount;
        var silent = await app.AcquireTokenSilent([ImapDelegatedScope], (await app.GetAccountsAsync()).First()).ExecuteAsync();

        Assert.Equal(result.AccessToken, silent.AccessToken);
        Assert.Equal(before, fake.RequestCount);
    }

    [Fact]
    public async Task StartHttpsServerAsync_DefaultValidation_RejectsSelfSignedCertificate()
    {
        await using var fake = CreateFake();
        await using var server = await fake.StartHttpsServerAsync();
        using var client = new HttpClient();

        await Assert.ThrowsAsync<HttpRequestException>(() => client.GetAsync(new Uri(server.BaseAddress, "/common/discovery/keys")));
        Assert.Equal(0, fake.RequestCount);
    }

    [Fact]
    public async Task CreateTrustingHandler_OtherServer_RejectsItsCertificate()
    {
        await using var fake = CreateFake();
        await using var first = await fake.StartHttpsServerAsync();
        await using var second = await fake.StartHttpsServerAsync();
        using var trustsFirst = first.CreateTrustingHandler();

        using var ok = await GetAsync(trustsFirst, new Uri(first.BaseAddress, "/common/discovery/keys").ToString());
        await Assert.ThrowsAsync<HttpRequestException>(() => GetAsync(trustsFirst, new Uri(second.BaseAddress, "/common/discovery/keys").ToString()));

        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        Assert.NotEqual(first.BaseAddress, second.BaseAddress);
    }

    [Fact]
    public async Task Certificate_ServesLoopbackNamesWithoutPrivateKey()
    {
        await using var fake = CreateFake();
        await using var server = await fake.StartHttpsServerAsync();

        var san = server.Certificate.Extensions.OfType<X509SubjectAlternativeNameExtension>().Single();

        Assert.False(server.Certificate.HasPrivateKey);
        Assert.Contains(IPAddress.Loopback, san.EnumerateIPAddresses());
        Assert.Contains("localhost", san.EnumerateDnsNames());
    }

    [Fact]
    public async Task StartHttpsServerAsync_UnknownPath_Answers404AndCounts()
    {
        await using var fake = CreateFake();
        await using var server = await fake.StartHttpsServerAsync();
        using var handler = server.CreateTrustingHandler();

        using var response = await GetAsync(handler, new Uri(server.BaseAddress, "/nope").ToString());

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal(1, fake.RequestCount);
    }

    [Fact]
    public async Task StartHttpsServerAsync_HangNextThenCancel_MsalReturnsAndServerStops()
    {
        await using var fake = CreateFake();
        fake.RegisterApplication(Tenant, ClientId).WithSecret(Secret);
        var server = await fake.StartHttpsServerAsync();
        using var handler = server.CreateTrustingHandler();
        fake.HangNext();
        var arrived = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        fake.RequestReceived += (_, _) => arrived.TrySetResult();
        var app = Confidential(server.BaseAddress, handler)
            .WithClientSecret(Secret)
            .Build();
        using var cancellation = new CancellationTokenSource();

        var pending = app.AcquireTokenForClient([ExchangeAppOnlyScope]).ExecuteAsync(cancellation.Token);
        await arrived.Task.WaitAsync(TimeSpan.FromSeconds(30));
        await cancellation.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => pending.WaitAsync(TimeSpan.FromSeconds(30)));
        await server.DisposeAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(30));
    }

    [Fact]
    public async Task DisposeAsync_Fake_StopsItsServers()
    {
        var fake = CreateFake();
        var server = await fake.StartHttpsServerAsync();
        using var handler = server.CreateTrustingHandler();
        var url = new Uri(server.BaseAddress, "/common/discovery/keys").ToString();

        await fake.DisposeAsync();

        await Assert.ThrowsAsync<HttpRequestException>(() => GetAsync(handler, url));
    }
}
