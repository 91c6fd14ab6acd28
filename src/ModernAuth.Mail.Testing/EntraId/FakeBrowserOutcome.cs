namespace ModernAuth.Mail.Testing;

/// <summary>What the simulated user does on the sign-in page of the fake's authorize endpoint.</summary>
public enum FakeBrowserOutcome
{
    /// <summary>The user signs in: the page redirects to the app with an authorization code.</summary>
    SignIn,

    /// <summary>The user declines: the page redirects with <c>error=access_denied</c> (AADSTS65004).</summary>
    Decline,

    /// <summary>The user never finishes: the page stays open and nothing comes back to the app (its timeout must fire).</summary>
    NeverAnswer,

    /// <summary>A Conditional Access policy blocks the sign-in: the page redirects with <c>error=access_denied</c> and AADSTS53003.</summary>
    ConditionalAccessBlock,
}
