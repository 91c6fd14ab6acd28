using System.Net;
using System.Net.Sockets;

namespace ModernAuth.Mail.Relay.Internal;

/// <summary>A CIDR range of IPv4 or IPv6 addresses; IPv4-mapped IPv6 clients match IPv4 ranges.</summary>
internal sealed class IpNetwork
{
    private readonly byte[] _prefix;
    private readonly int _length;

    private IpNetwork(IPAddress address, int length)
    {
        _prefix = address.GetAddressBytes();
        _length = length;
        Family = address.AddressFamily;
    }

    public AddressFamily Family { get; }

    /// <summary>The prefix length: 0 for <c>0.0.0.0/0</c> and <c>::/0</c> (every address).</summary>
    public int PrefixLength => _length;

    public static bool TryParse(string? text, out IpNetwork? network)
    {
        network = null;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        text = text.Trim();
        var slash = text.IndexOf('/', StringComparison.Ordinal);
        var addressText = slash < 0 ? text : text[..slash];
        if (!IPAddress.TryParse(addressText, out var address)
            || (address.AddressFamily == AddressFamily.InterNetwork && addressText.Count(c => c == '.') != 3))
        {
            // IPAddress also takes the old short forms ("10.0.0" is 10.0.0.0): a range must be written out.
            return false;
        }

        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        var max = address.AddressFamily == AddressFamily.InterNetwork ? 32 : 128;
        var length = max;
        if (slash >= 0 && (!int.TryParse(text.AsSpan(slash + 1), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out length) || length > max))
        {
            return false;
        }

        network = new IpNetwork(address, length);
        return true;
    }

    public bool Contains(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        if (address.AddressFamily != Family)
        {
            return false;
        }

        var bytes = address.GetAddressBytes();
        var full = _length / 8;
        for (var i = 0; i < full; i++)
        {
            if (bytes[i] != _prefix[i])
            {
                return false;
            }
        }

        var rest = _length % 8;
        if (rest == 0)
        {
            return true;
        }

        var mask = (byte)(0xFF << (8 - rest));
        return (bytes[full] & mask) == (_prefix[full] & mask);
    }
}
