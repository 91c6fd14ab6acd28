using Microsoft.Extensions.Caching.StackExchangeRedis;
using Microsoft.Extensions.DependencyInjection;
using ModernAuth.Mail.Shared;
using StackExchange.Redis;

namespace ModernAuth.Mail.Extensions.Tests.Support;

/// <summary>
/// The real redis-server that eng/test-servers.sh runs (MODERNAUTH_MAIL_REDIS, else servers.json). Tests that need it
/// fail, not skip, when it cannot be reached.
/// </summary>
public static class TestRedis
{
    private static readonly Lazy<string> Shared = new(FindShared);

    /// <summary><c>host:port</c> of the shared test Redis.</summary>
    /// <exception cref="InvalidOperationException">It is not running.</exception>
    public static string Endpoint => Shared.Value;

    /// <summary>Client options that notice a dead server quickly, as a production app with a short timeout would.</summary>
    public static ConfigurationOptions ClientOptions(string endpoint) => new()
    {
        EndPoints = { endpoint },
        AbortOnConnectFail = false,
        ConnectTimeout = 2000,
        SyncTimeout = 2000,
        AsyncTimeout = 2000,
        ConnectRetry = 1,
        BacklogPolicy = BacklogPolicy.FailFast,
    };

    public static void AddTestRedis(this IServiceCollection services, string endpoint) =>
        services.AddStackExchangeRedisCache(o => o.ConfigurationOptions = ClientOptions(endpoint));

    /// <summary>A cache client of its own, to look at and tamper with what the providers stored.</summary>
    public static RedisCache OpenRaw(string endpoint) =>
        new(Microsoft.Extensions.Options.Options.Create(new RedisCacheOptions { ConfigurationOptions = ClientOptions(endpoint) }));

    public static bool IsListening(string endpoint)
    {
        var (host, port) = Split(endpoint);
        return TestServers.IsListening(host, port);
    }

    public static (string Host, int Port) Split(string endpoint)
    {
        var colon = endpoint.LastIndexOf(':');
        return (endpoint[..colon], int.Parse(endpoint[(colon + 1)..], System.Globalization.CultureInfo.InvariantCulture));
    }

    private static string FindShared()
    {
        var endpoint = Environment.GetEnvironmentVariable("MODERNAUTH_MAIL_REDIS");
        if (string.IsNullOrEmpty(endpoint) && File.Exists(TestServers.Locate()))
        {
            endpoint = TestServers.Load().RedisEndpoint;
        }

        if (string.IsNullOrEmpty(endpoint) || !IsListening(endpoint))
        {
            throw new InvalidOperationException(
                $"The test Redis is not reachable ({(string.IsNullOrEmpty(endpoint) ? "MODERNAUTH_MAIL_REDIS is not set and servers.json names none" : endpoint)}). Run `{TestServers.StartCommand}` first (eng/test.sh does it).");
        }

        return endpoint;
    }
}
