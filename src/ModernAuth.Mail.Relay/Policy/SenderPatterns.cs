namespace ModernAuth.Mail.Relay.Internal;

/// <summary>Sender addresses, <c>@domain</c>s and <c>*</c>, matched case-insensitively.</summary>
internal sealed class SenderPatterns
{
    private readonly HashSet<string> _addresses = new(StringComparer.OrdinalIgnoreCase);
    private readonly HashSet<string> _domains = new(StringComparer.OrdinalIgnoreCase);
    private readonly bool _any;

    public SenderPatterns(IEnumerable<string> patterns)
    {
        foreach (var raw in patterns)
        {
            var pattern = raw.Trim();
            if (pattern == "*")
            {
                _any = true;
            }
            else if (pattern.StartsWith('@'))
            {
                _domains.Add(pattern[1..]);
            }
            else
            {
                _addresses.Add(pattern);
            }
        }
    }

    /// <summary>Whether a pattern is well formed: <c>*</c>, <c>@domain</c> or <c>local@domain</c>.</summary>
    public static bool IsValid(string? pattern)
    {
        if (string.IsNullOrWhiteSpace(pattern))
        {
            return false;
        }

        pattern = pattern.Trim();
        if (pattern == "*")
        {
            return true;
        }

        var at = pattern.LastIndexOf('@');
        return at >= 0 && at < pattern.Length - 1 && pattern.IndexOfAny([' ', '<', '>', ',']) < 0;
    }

    public bool Matches(string address)
    {
        if (_any)
        {
            return true;
        }

        if (address.Length == 0)
        {
            return false;
        }

        if (_addresses.Contains(address))
        {
            return true;
        }

        var at = address.LastIndexOf('@');
        return at >= 0 && _domains.Contains(address[(at + 1)..]);
    }
}
