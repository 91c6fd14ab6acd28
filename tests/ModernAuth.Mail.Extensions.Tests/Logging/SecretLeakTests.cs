using System.Text;
using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using ModernAuth.Mail.Extensions.Tests.Support;
using ModernAuth.Mail.Testing;

namespace ModernAuth.Mail.Extensions.Tests.Logging;

/// <summary>Every path of the package that logs, at Trace level: no token, secret, encryption key or cache content may appear.</summary>
public sealed class SecretLeakTests : IDisposable
{
    private readonly FakeEntraId _entra = new();

    public SecretLeakTests()
    {
        _entra.RegisterApplication(TestIds.Tenant, TestIds.ClientId).WithSecret(TestIds.Secret);
        _entra.RegisterApplication(TestIds.Tenant, TestIds.CertificateClientId).WithSecret(TestIds.Secret);
    }

    public void Dispose() => _entra.Dispose();

    [Fact]
    [Trait("Category", "RealServers")]
    public async Task Logs_EveryPathThatLogs_NoTokenSecretOrKey()
    {
        var logs = new LogCapture();
        var prefix = TestIds.NewPrefix();
        var tokens = new List<string>();
        using var redis = await OwnRedisServer.StartAsync();
        void WithHealthChecks(ModernAuthMailBuilder b)
        {
            b.AddClientSecret("broken", o =>
            {
                o.TenantId = TestIds.Tenant;
                o.ClientId = TestIds.CertificateClientId; // another app: one with the same id would share the cached token
                o.ClientSecret = "Wr0ng~Secret.Value_2222222222222222222";
                o.ConfigureFlowOptions = f => f.UseFakeEntraId(_entra);
            });
            b.Services.AddHealthChecks().AddModernAuthMail();
        }

        await using (var first = TestApp.Create(_entra, redis.Endpoint, prefix, o => o.RetryInterval = TimeSpan.FromMilliseconds(100), WithHealthChecks, logs))
        {
            tokens.Add((await first.GetTokenAsync()).Token);
            await first.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync();
            using (var raw = TestRedis.OpenRaw(redis.Endpoint))
            {
                await raw.SetAsync(prefix + TestIds.AppCacheKey(), Encoding.UTF8.GetBytes("garbage"), new DistributedCacheEntryOptions());
            }

            tokens.Add((await first.GetTokenAsync(forceRefresh: true)).Token);
            redis.Stop();
            tokens.Add((await first.GetTokenAsync(forceRefresh: true)).Token);
            await redis.RestartAsync();
            await Poll.UntilAsync(async () =>
            {
                tokens.Add((await first.GetTokenAsync(forceRefresh: true)).Token);
                return logs.Count(2002) > 0;
            }, TimeSpan.FromSeconds(60), "recovery");
        }

        Assert.Equal(Array.Empty<int>(), new[] { 1001, 1002, 2001, 2002, 2003, 2004, 2005 }.Where(id => logs.Count(id) == 0));
        var text = logs.AllText;
        foreach (var secret in tokens.Distinct().Concat(new[] { TestIds.Secret, "Wr0ng~Secret.Value_2222222222222222222", TestIds.EncryptionKey, "\"AccessToken\":", "\"RefreshToken\":", "\"secret\":" }))
        {
            Assert.DoesNotContain(secret, text, StringComparison.Ordinal);
        }

        foreach (var token in tokens.Distinct())
        {
            Assert.DoesNotContain(token.Split('.')[1], text, StringComparison.Ordinal); // not even the claims part
        }
    }
}
