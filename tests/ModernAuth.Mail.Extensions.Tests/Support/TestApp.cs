using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using ModernAuth.Mail.Testing;

namespace ModernAuth.Mail.Extensions.Tests.Support;

/// <summary>
/// One instance of an application: its own service provider (its own Redis connection and providers), sharing the
/// fake Entra ID and the Redis server with the other instances of a test.
/// </summary>
public sealed class TestApp : IAsyncDisposable
{
    public const string ProviderName = "shared-inbox";

    private TestApp(ServiceProvider services, LogCapture logs)
    {
        Services = services;
        Logs = logs;
    }

    public ServiceProvider Services { get; }

    public LogCapture Logs { get; }

    public MailTokenProviderFactory Factory => Services.GetRequiredService<MailTokenProviderFactory>();

    public MailTokenProvider Provider => Factory.GetProvider(ProviderName);

    public static TestApp Create(FakeEntraId entra, string? redisEndpoint, string keyPrefix, Action<DistributedTokenCacheOptions>? cache = null,
        Action<ModernAuthMailBuilder>? more = null, LogCapture? logs = null, TimeSpan? tokenLatency = null)
    {
        logs ??= new LogCapture();
        var services = new ServiceCollection();
        var captured = logs;
        services.AddLogging(b => b.SetMinimumLevel(LogLevel.Trace).AddProvider(captured));
        var builder = services.AddModernAuthMail().AddClientSecret(ProviderName, o =>
        {
            o.TenantId = TestIds.Tenant;
            o.ClientId = TestIds.ClientId;
            o.ClientSecret = TestIds.Secret;
            o.Mailbox = TestIds.Mailbox;
            o.ConfigureFlowOptions = f =>
            {
                f.UseFakeEntraId(entra);
                if (tokenLatency is { } latency)
                {
                    f.Transport = new LatencyHandler(f.Transport!, latency);
                }
            };
        });
        if (redisEndpoint is not null)
        {
            services.AddTestRedis(redisEndpoint);
            builder.AddDistributedTokenCache(o =>
            {
                o.EncryptionKey = TestIds.EncryptionKey;
                o.KeyPrefix = keyPrefix;
                cache?.Invoke(o);
            });
        }

        more?.Invoke(builder);
        return new TestApp(services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true }), logs);
    }

    public ValueTask<MailAccessToken> GetTokenAsync(bool forceRefresh = false) =>
        Provider.GetTokenAsync(new MailTokenRequest(MailProtocol.Imap, TestIds.Mailbox, forceRefresh));

    public ValueTask DisposeAsync() => Services.DisposeAsync();
}
