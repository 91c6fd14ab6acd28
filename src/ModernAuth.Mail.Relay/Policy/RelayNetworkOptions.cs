namespace ModernAuth.Mail.Relay;

/// <summary>Client networks that may relay without logging in.</summary>
public class RelayNetworkOptions
{
    /// <summary>Creates options with the defaults.</summary>
    public RelayNetworkOptions()
    {
    }

    /// <summary>A name for logs. Default <see langword="null"/>: the first range.</summary>
    public string? Name { get; set; }

    /// <summary>Client address ranges in CIDR form (<c>192.168.10.0/24</c>, <c>10.1.2.3/32</c>, <c>fd00::/8</c>); a bare address means that address only.</summary>
    public IList<string> Ranges { get; } = new List<string>();

    /// <summary>
    /// Sender addresses (<c>scanner@contoso.com</c>) and domains (<c>@contoso.com</c>) these clients may use as the
    /// envelope sender; others get <c>553 5.7.1</c>. <c>*</c> allows any sender. Required: at least one.
    /// </summary>
    public IList<string> AllowedSenders { get; } = new List<string>();
}
