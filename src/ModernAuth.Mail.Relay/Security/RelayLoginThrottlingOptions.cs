namespace ModernAuth.Mail.Relay;

/// <summary>
/// How the relay slows and stops password guessing: every failed login is answered after a delay that doubles with
/// each failure of that client address; too many failures of one address, or of one account name, lock it out for a
/// while (an account stays open to the addresses it logged in from before, so an attacker cannot lock a device out).
/// </summary>
public class RelayLoginThrottlingOptions
{
    /// <summary>Creates options with the defaults.</summary>
    public RelayLoginThrottlingOptions()
    {
    }

    /// <summary>Failures of one client address, or of one account name, within <see cref="FailureWindow"/> that start a lockout. Default 5.</summary>
    public int MaxFailures { get; set; } = 5;

    /// <summary>How long a failure is remembered. Default 15 minutes.</summary>
    public TimeSpan FailureWindow { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>How long a locked-out address or account is answered <c>454 4.7.0</c> without a password check. Default 15 minutes.</summary>
    public TimeSpan LockoutDuration { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>The delay before the first failed login of an address is answered; it doubles with each further failure. Default 1 second.</summary>
    public TimeSpan FailureDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>The longest delay before a failed login is answered. Default 8 seconds.</summary>
    public TimeSpan MaxFailureDelay { get; set; } = TimeSpan.FromSeconds(8);
}
