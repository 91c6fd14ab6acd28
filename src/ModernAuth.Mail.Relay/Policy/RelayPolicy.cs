using System.Net;

namespace ModernAuth.Mail.Relay.Internal;

/// <summary>Who may relay and as which senders, compiled from <see cref="RelayOptions"/>.</summary>
internal sealed class RelayPolicy
{
    private readonly List<(string Name, IpNetwork[] Ranges, SenderPatterns Senders)> _networks = new();
    private readonly Dictionary<string, (string Hash, SenderPatterns Senders)> _accounts = new(StringComparer.OrdinalIgnoreCase);
    private readonly IpNetwork[] _plaintextNetworks;
    private readonly bool? _allowPlaintext;
    private readonly bool _hasCertificate;

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

        _plaintextNetworks = options.AuthenticationWithoutTlsNetworks.Select(r => IpNetwork.TryParse(r, out var n) ? n! : throw new RelayConfigurationException("AuthenticationWithoutTlsNetworks", $"'{r}' is not a CIDR range.")).ToArray();
        _allowPlaintext = options.AllowAuthenticationWithoutTls;
        _hasCertificate = !string.IsNullOrWhiteSpace(options.CertificatePath);
    }

    /// <summary>Whether any client at all may log in without TLS (then the listener accepts AUTH before TLS).</summary>
    public bool AnyAuthenticationWithoutTls => _allowPlaintext ?? (_plaintextNetworks.Length > 0 || !_hasCertificate);

    /// <summary>
    /// Whether a client may log in without TLS: as <see cref="RelayOptions.AllowAuthenticationWithoutTls"/> says when it
    /// is set; else only from <see cref="RelayOptions.AuthenticationWithoutTlsNetworks"/>, and from loopback when no
    /// certificate is configured.
    /// </summary>
    public bool AllowsAuthenticationWithoutTls(IPAddress address)
    {
        if (_allowPlaintext is { } explicitly)
        {
            return explicitly;
        }

        if (_plaintextNetworks.Any(n => n.Contains(address)))
        {
            return true;
        }

        return !_hasCertificate && IPAddress.IsLoopback(address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address);
    }

    /// <summary>The PBKDF2 iterations of the strongest account hash (what an unknown user name's check costs).</summary>
    public int StrongestIterations => _accounts.Values.Select(a => RelayPasswordHasher.GetIterations(a.Hash)).DefaultIfEmpty(RelayPasswordHasher.DefaultIterations).Max();

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
