using System.Net;
using Microsoft.Identity.Client;
using static ModernAuth.Mail.Testing.Tests.TestSupport;

namespace ModernAuth.Mail.Testing.Tests;

public class FaultInjectionTests
{
    [Fact]
    public async Task AcquireTokenForClient_FailNext500WithRetryAfter_ThrowsWithoutRetry()
    {
        using var fake = CreateFake();
        fake.RegisterApplication(Tenant, ClientId).WithSecret(Secret);
        // With a Retry-After header MSAL does not retry, so the test needs no second.
        fake.FailNext(1, HttpStatusCode.InternalServerError, TimeSpan.Zero);
        var app = Confidential(fake).WithClientSecret(Secret).Build();

        var error = await Assert.ThrowsAnyAsync<MsalServiceException>(() => app.AcquireTokenForClient([ExchangeAppOnlyScope]).ExecuteAsync());

        Assert.Equal(500, error.StatusCode);
        Assert.Contains("AADSTS50000", error.ResponseBody, StringComparison.Ordinal);
        Assert.Equal(1, fake.TokenRequestCount);
    }

    [Fact]
    public async Task AcquireTokenForClient_FailNext503WithoutRetryAfter_MsalRetriesOnceAndSucceeds()
    {
        using var fake = CreateFake();
        fake.RegisterApplication(Tenant, ClientId).WithSecret(Secret);
        fake.FailNext(1, HttpStatusCode.ServiceUnavailable);
        var app = Confidential(fake).WithClientSecret(Secret).Build();

        var result = await app.AcquireTokenForClient([ExchangeAppOnlyScope]).ExecuteAsync();

        Assert.False(string.IsNullOrEmpty(result.AccessToken));
        Assert.Equal(2, fake.TokenRequestCount);
    }

    [Fact]
    public async Task TokenEndpoint_FailNext503_AnswersTemporarilyUnavailableWithRetryAfter()
    {
        using var fake = CreateFake();
        fake.FailNext(2, HttpStatusCode.ServiceUnavailable, TimeSpan.FromSeconds(1.5));
        using var handler = fake.CreateHandler();
        var url = $"{Authority(fake.AuthorityHost, Tenant)}/oauth2/v2.0/token";

        using var first = await PostFormAsync(handler, url, ("grant_type", "client_credentials"));
        using var second = await PostFormAsync(handler, url, ("grant_type", "client_credentials"));
        using var third = await PostFormAsync(handler, url, ("grant_type", "client_credentials"));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, first.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(2), first.Headers.RetryAfter?.Delta);
        Assert.Contains("\"error\":\"temporarily_unavailable\"", await first.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, second.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, third.StatusCode);
    }

    [Fact]
    public async Task AcquireTokenForClient_HangNext_CancelledRequestReturns()
    {
        using var fake = CreateFake();
        fake.RegisterApplication(Tenant, ClientId).WithSecret(Secret);
        fake.HangNext();
        var arrived = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        fake.RequestReceived += (_, request) =>
        {
            if (request.IsTokenRequest)
            {
                arrived.TrySetResult();
            }
        };
        var app = Confidential(fake).WithClientSecret(Secret).Build();
        using var cancellation = new CancellationTokenSource();

        var pending = app.AcquireTokenForClient([ExchangeAppOnlyScope]).ExecuteAsync(cancellation.Token);
        await arrived.Task.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.False(pending.IsCompleted);
        await cancellation.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => pending.WaitAsync(TimeSpan.FromSeconds(30)));
        var next = await app.AcquireTokenForClient([ExchangeAppOnlyScope]).ExecuteAsync();
        Assert.False(string.IsNullOrEmpty(next.AccessToken));
        Assert.Equal(2, fake.TokenRequestCount);
    }

    [Fact]
    public async Task DisposeAsync_HangingInProcessRequest_IsReleased()
    {
        var fake = CreateFake();
        fake.HangNext();
        var arrived = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        fake.RequestReceived += (_, _) => arrived.TrySetResult();
        using var handler = fake.CreateHandler();

        var pending = PostFormAsync(handler, $"{Authority(fake.AuthorityHost, Tenant)}/oauth2/v2.0/token", ("grant_type", "client_credentials"));
        await arrived.Task.WaitAsync(TimeSpan.FromSeconds(30));
        await fake.DisposeAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => pending.WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.Throws<ObjectDisposedException>(() => fake.CreateHandler());
    }

    [Fact]
    public async Task ClearFaults_AfterFailNextAndRejectRefreshTokens_NextRequestSucceeds()
    {
        using var fake = CreateFake();
        fake.RegisterApplication(Tenant, ClientId).WithSecret(Secret);
        fake.FailNext(3, HttpStatusCode.InternalServerError, TimeSpan.Zero);
        fake.RejectRefreshTokens();

        fake.ClearFaults();

        var result = await Confidential(fake).WithClientSecret(Secret).Build().AcquireTokenForClient([ExchangeAppOnlyScope]).ExecuteAsync();
        Assert.False(string.IsNullOrEmpty(result.AccessToken));
        Assert.Equal(1, fake.TokenRequestCount);
    }

    [Fact]
    public async Task FailNext_MetadataRequest_IsNotFailed()
    {
        using var fake = CreateFake();
        fake.RegisterApplication(Tenant, ClientId);
        fake.FailNext(1, HttpStatusCode.InternalServerError, TimeSpan.Zero);
        using var handler = fake.CreateHandler();

        using var response = await GetAsync(handler, $"{Authority(fake.AuthorityHost, Tenant)}/v2.0/.well-known/openid-configuration");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Theory]
    [InlineData(0, 500)]
    [InlineData(1, 200)]
    [InlineData(1, 302)]
    public void FailNext_InvalidArguments_Throws(int count, int status)
    {
        using var fake = CreateFake();

        Assert.Throws<ArgumentOutOfRangeException>(() => fake.FailNext(count, (HttpStatusCode)status));
    }

    [Fact]
    public void HangNext_ZeroCount_Throws()
    {
        using var fake = CreateFake();

        Assert.Throws<ArgumentOutOfRangeException>(() => fake.HangNext(0));
    }
}
