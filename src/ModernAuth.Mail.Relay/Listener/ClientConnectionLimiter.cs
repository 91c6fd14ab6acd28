using System.Net;
using System.Net.Sockets;

namespace ModernAuth.Mail.Relay.Internal;

/// <summary>
/// Connections per client address, like Postfix's anvil: how many each holds now
/// (<see cref="RelayOptions.MaxConnectionsPerClient"/>) and how many it opened in the last minute
/// (<see cref="RelayOptions.MaxConnectionRatePerClient"/>), so one host can never take every slot. An IPv6 client
/// counts by its /64, which one host usually owns whole.
/// </summary>
internal sealed class ClientConnectionLimiter
{
    private static readonly TimeSpan RateWindow = TimeSpan.FromMinutes(1);

    private readonly int _maxConcurrent;
    private readonly int _maxPerMinute;
    private readonly TimeProvider _timeProvider;
    private readonly Dictionary<string, Client> _clients = new(StringComparer.Ordinal);

    public ClientConnectionLimiter(int maxConcurrent, int maxPerMinute, TimeProvider timeProvider)
    {
        _maxConcurrent = maxConcurrent;
        _maxPerMinute = maxPerMinute;
        _timeProvider = timeProvider;
    }

    /// <summary>The key a client address is counted under: the address, or an IPv6 address's /64.</summary>
    public static string KeyOf(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        if (address.AddressFamily != AddressFamily.InterNetworkV6)
        {
            return address.ToString();
        }

        var bytes = address.GetAddressBytes();
        Array.Clear(bytes, 8, 8);
        return new IPAddress(bytes) + "/64";
    }

    /// <summary>Takes a slot for the client, or says why not (a 421 reply text).</summary>
    public bool TryAcquire(string key, out string? refusal)
    {
        var now = _timeProvider.GetUtcNow();
        lock (_clients)
        {
            if (!_clients.TryGetValue(key, out var client))
            {
                if (_clients.Count > 10_000)
                {
                    Prune(now);
                }

                client = new Client();
                _clients[key] = client;
            }

            while (client.Opened.Count > 0 && now - client.Opened.Peek() >= RateWindow)
            {
                client.Opened.Dequeue();
            }

            if (_maxPerMinute > 0 && client.Opened.Count >= _maxPerMinute)
            {
                refusal = "421 4.7.0 Too many connections from your address in the last minute: try again later.";
                return false;
            }

            client.Opened.Enqueue(now);
            if (_maxConcurrent > 0 && client.Active >= _maxConcurrent)
            {
                refusal = "421 4.7.0 Too many connections from your address: try again later.";
                return false;
            }

            client.Active++;
            refusal = null;
            return true;
        }
    }

    public void Release(string key)
    {
        lock (_clients)
        {
            if (_clients.TryGetValue(key, out var client))
            {
                client.Active--;
            }
        }
    }

    private void Prune(DateTimeOffset now)
    {
        foreach (var (key, client) in _clients.ToList())
        {
            if (client.Active <= 0 && (client.Opened.Count == 0 || now - client.Opened.Last() >= RateWindow))
            {
                _clients.Remove(key);
            }
        }
    }

    private sealed class Client
    {
        public int Active;

        public Queue<DateTimeOffset> Opened { get; } = new();
    }
}
