namespace ModernAuth.Mail.MailKit;

/// <summary>Which SASL mechanism carries the token.</summary>
public enum MailKitOAuthMechanism
{
    /// <summary>
    /// <c>XOAUTH2</c> when the server advertises it (Exchange Online offers only that), otherwise <c>OAUTHBEARER</c>
    /// (RFC 7628) when advertised. The default.
    /// </summary>
    Automatic = 0,

    /// <summary><c>XOAUTH2</c>, whether or not the server advertises it.</summary>
    XOAuth2 = 1,

    /// <summary><c>OAUTHBEARER</c> (RFC 7628), whether or not the server advertises it.</summary>
    OAuthBearer = 2,
}
