namespace ModernAuth.Mail;

/// <summary>Every <see cref="MailProtocol"/>, so that code that keeps something per protocol grows with the enum.</summary>
internal static class MailProtocols
{
    /// <summary>Every protocol, in the enum's order (its values are 0, 1, 2, ... without gaps).</summary>
    public static IReadOnlyList<MailProtocol> All { get; } = ((MailProtocol[])Enum.GetValues(typeof(MailProtocol))).OrderBy(p => (int)p).ToArray();

    /// <summary>The protocol's index into arrays sized <see cref="All"/>.Count.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Not a defined protocol.</exception>
    public static int IndexOf(MailProtocol protocol) =>
        (uint)protocol < (uint)All.Count ? (int)protocol : throw new ArgumentOutOfRangeException(nameof(protocol), protocol, "Unknown mail protocol.");
}
