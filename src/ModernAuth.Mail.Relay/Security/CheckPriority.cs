namespace ModernAuth.Mail.Relay.Internal;

/// <summary>How a password check queues when every check slot is busy (<see cref="VerifiedPasswordCache"/>).</summary>
internal enum CheckPriority
{
    /// <summary>The address logged in successfully within the last day: the genuine device, most likely.</summary>
    Trusted = 0,

    /// <summary>No failure from the address in the failure window, and no other check of it under way.</summary>
    Clean = 1,

    /// <summary>The address failed recently, or has another check under way.</summary>
    Suspect = 2,
}
