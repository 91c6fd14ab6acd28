namespace ModernAuth.Mail.Testing;

/// <summary>A folder of a <see cref="FakeMailbox"/>.</summary>
public sealed class FakeFolder
{
    /// <summary>Creates a folder.</summary>
    public FakeFolder(string id, string wellKnownName, string displayName)
    {
        Id = id;
        WellKnownName = wellKnownName;
        DisplayName = displayName;
        ChangeKey = FakeMailbox.NewChangeKey();
    }

    /// <summary>The EWS id.</summary>
    public string Id { get; }

    /// <summary>The EWS change key.</summary>
    public string ChangeKey { get; }

    /// <summary>The distinguished folder name (inbox, sentitems, ...).</summary>
    public string WellKnownName { get; }

    /// <summary>The display name.</summary>
    public string DisplayName { get; }
}
