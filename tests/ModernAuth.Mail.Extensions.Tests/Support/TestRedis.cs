using System.Net.Sockets;
using System.Text.Json;
using Microsoft.Extensions.Caching.StackExchangeRedis;
using Microsoft.Extensions.DependencyInjection;
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
        try
        {
            using var client = new TcpClient();
            return client.ConnectAsync(host, port).Wait(TimeSpan.FromSeconds(2)) && client.Connected;
        }
        catch (AggregateException)
        {
            return false;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    public static (string Host, int Port) Split(string endpoint)
    {
        var colon = endpoint.LastIndexOf(':');
        return (endpoint[..colon], int.Parse(endpoint[(colon + 1)..], System.Globalization.CultureInfo.InvariantCulture));
    }

    private static string FindShared()
    {
        var endpoint = Environment.GetEnvironmentVariable("MODERNAUTH_MAIL_REDIS");
        if (string.IsNullOrEmpty(endpoint))
        {
            var json = Environment.GetEnvironmentVariable("MODERNAUTH_MAIL_SERVERS_JSON")
                ?? Path.Combine(Environment.GetEnvironmentVariable("MODERNAUTH_MAIL_SERVERS_DIR") ?? "/tmp/modernauth-mail-servers", "servers.json");
            if (File.Exists(json))
            {
                using var document = JsonDocument.Parse(File.ReadAllText(json));
                if (document.RootElement.TryGetProperty("redis", out var redis))
                {
                    endpoint = redis.GetString();
                }
            }
        }

        if (string.IsNullOrEmpty(endpoint) || !IsListening(endpoint))
        {
            throw new InvalidOperationException(
                $"The test Redis is not reachable ({(string.IsNullOrEmpty(endpoint) ? "MODERNAUTH_MAIL_REDIS is not set and servers.json names none" : endpoint)}). Run `eng/test-servers.sh start` first (eng/test.sh does it).");
        }

        return endpoint;
    }
}
