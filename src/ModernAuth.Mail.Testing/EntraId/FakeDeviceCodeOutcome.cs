namespace ModernAuth.Mail.Testing;

/// <summary>What the simulated user does with a device code once the pending polls are used up.</summary>
public enum FakeDeviceCodeOutcome
{
    /// <summary>The user signs in and approves: the next poll gets tokens.</summary>
    Approve,

    /// <summary>The user declines: the next poll gets <c>authorization_declined</c>.</summary>
    Decline,

    /// <summary>The user never signs in and the code runs out: the next poll gets <c>expired_token</c> (AADSTS70019).</summary>
    Expire,
}
