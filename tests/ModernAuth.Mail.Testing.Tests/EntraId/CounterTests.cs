using System.Net;
using Microsoft.Identity.Client;
using static ModernAuth.Mail.Testing.Tests.TestSupport;

namespace ModernAuth.Mail.Testing.Tests;

public class CounterTests
{
    [Fact]
    public async Task AcquireTokenForClient_100ConcurrentApps_CountsEveryRequest()
    {
        using var fake = CreateFake();
        fake.RegisterApplication(Tenant, ClientId).WithSecret(Secret);
        var apps = Enumerable.Range(0, 100).Select(_ => Confidential(fake).WithClientSecret(Secret).Build()).ToArray();

        var results = await Task.WhenAll(apps.Select(a => Task.Run(() => a.AcquireTokenForClient([ExchangeAppOnlyScope]).ExecuteAsync())));

        Assert.Equal(100, results.Select(r => r.AccessToken).Distinct().Count());
        Assert.Equal(100, fake.RequestCount);
        Assert.Equal(100, fake.TokenRequestCount);
        Assert.Equal(100, fake.Requests.Count);
        Assert.All(fake.Requests, r => Assert.Equal("client_credentials", r.GrantType));
    }

    [Fact]
    public async Task TokenEndpoint_1000ConcurrentRequests_AnswersAndCountsAll()
    {
        using var fake = CreateFake();
        fake.RegisterApplication(Tenant, ClientId).WithSecret(Secret);
        using var handler = fake.CreateHandler();
        using var client = new HttpClient(handler);
        var url = new Uri($"{Authority(fake.AuthorityHost, Tenant)}/oauth2/v2.0/token");

        var statuses = await Task.WhenAll(Enumerable.Range(0, 1000).Select(i => Task.Run(async () =>
        {
            using var content = new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["grant_type"] = "client_credentials",
                ["client_id"] = ClientId,
                ["client_secret"] = i % 10 == 0 ? "wrong" : Secret,
                ["scope"] = ExchangeAppOnlyScope,
            });
            using var response = await client.PostAsync(url, content);
            return response.StatusCode;
        })));

        Assert.Equal(900, statuses.Count(s => s == HttpStatusCode.OK));
        Assert.Equal(100, statuses.Count(s => s == HttpStatusCode.Unauthorized));
        Assert.Equal(1000, fake.RequestCount);
        Assert.Equal(1000, fake.TokenRequestCount);
        Assert.Equal(1000, fake.Requests.Count);
    }

    [Fact]
    public async Task Requests_AfterEveryFlow_NeverRecordSecrets()
    {
        using var fake = CreateFake();
        fake.RegisterApplication(Tenant, ClientId).WithSecret(Secret).AsPublicClient();
        fake.AddUser(Tenant, "adele@contoso.com");
        string? deviceCode = null;
        await Confidential(fake).WithClientSecret(Secret).Build().AcquireTokenForClient([ExchangeAppOnlyScope]).ExecuteAsync();
        var app = Public(fake).Build();
        var result = await app.AcquireTokenWithDeviceCode([ImapDelegatedScope], code =>
        {
            deviceCode = code.DeviceCode;
            return Task.CompletedTask;
        }).ExecuteAsync();
        await app.AcquireTokenSilent([ImapDelegatedScope], result.Account).WithForceRefresh(true).ExecuteAsync();

        var recorded = string.Join("\n", fake.Requests.Select(r => $"{r} {r.Method} {r.Path} {r.GrantType} {r.ClientId} {r.Scope}"));

        Assert.Contains("refresh_token", recorded, StringComparison.Ordinal);
        Assert.DoesNotContain(Secret, recorded, StringComparison.Ordinal);
        Assert.DoesNotContain(deviceCode!, recorded, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ResetCounters_AfterRequests_ZeroesEverything()
    {
        using var fake = CreateFake();
        using var handler = fake.CreateHandler();
        using (await GetAsync(handler, "https://login.fake-entra.test/common/discovery/keys"))
        {
        }

        fake.ResetCounters();

        Assert.Equal(0, fake.RequestCount);
        Assert.Equal(0, fake.TokenRequestCount);
        Assert.Empty(fake.Requests);
    }

    [Fact]
    public async Task UnknownPath_Answers404AndIsCounted()
    {
        using var fake = CreateFake();
        using var handler = fake.CreateHandler();

        using var response = await GetAsync(handler, "https://any-host.example/common/oauth2/v2.0/nothing-here");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal(1, fake.RequestCount);
        Assert.Equal(0, fake.TokenRequestCount);
        Assert.Equal("/common/oauth2/v2.0/nothing-here", Assert.Single(fake.Requests).Path);
    }

    [Fact]
    public async Task TokenEndpoint_Get_Answers400OnlyPostAccepted()
    {
        using var fake = CreateFake();
        using var handler = fake.CreateHandler();

        using var response = await GetAsync(handler, $"https://login.fake-entra.test/{Tenant}/oauth2/v2.0/token");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("AADSTS900561", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(0, fake.TokenRequestCount);
    }
}
