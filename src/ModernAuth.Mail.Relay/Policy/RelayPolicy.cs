using System.Net;

namespace ModernAuth.Mail.Relay.Internal;

/// <summary>Who may relay and as which senders, compiled from <see cref="RelayOptions"/>.</summary>
internal sealed class RelayPolicy
{
    private readonly List<(string Name, IpNetwork[] Ranges, SenderPatterns Senders)> _networks = new();
    private readonly Dictionary<string, (string Hash, SenderPatterns Senders)> _accounts = new(StringComparer.OrdinalIgnoreCase);

    public RelayPolicy(RelayOptions options)
    {
        foreach (var network in options.Networks)
        {
            var ranges = network.Ranges.Select(r => IpNetwork.TryParse(r, out var n) ? n! : throw new RelayConfigurationException("Networks", $"'{r}' is not a CIDR range.")).ToArray();
            _networks.Add((network.Name ?? network.Ranges.FirstOrDefault() ?? "network", ranges, new SenderPatterns(network.AllowedSenders)));
        }

        foreach (var account in options.Accounts)
        {
            _accounts[account.UserName!] = (account.PasswordHash!, new SenderPatterns(account.AllowedSenders));
        }
    }

    public bool HasAccounts => _accounts.Count > 0;

    /// <summary>The first network range that contains the address, or null.</summary>
    public (string Name, SenderPatterns Senders)? FindNetwork(IPAddress? address)
    {
        if (address is null)
        {
            return null;
        }

        foreach (var (name, ranges, senders) in _networks)
        {
            foreach (var range in ranges)
            {
                if (range.Contains(address))
                {
                    return (name, senders);
                }
            }
        }

        return null;
    }

    public bool TryGetAccount(string userName, out string passwordHash, out SenderPatterns senders)
    {
        if (_accounts.TryGetValue(userName, out var account))
        {
            passwordHash = account.Hash;
            senders = account.Senders;
            return true;
        }

        passwordHash = string.Empty;
        senders = null!;
        return false;
    }
}
