namespace ModernAuth.Mail.Diagnostics;

/// <summary>Who answered: which protocol's server, Microsoft Graph, or the token service.</summary>
public enum MailResponseSource
{
    /// <summary>Not known (the text was not recognised).</summary>
    Unknown = 0,

    /// <summary>An IMAP server (a tagged <c>NO</c> / <c>BAD</c> reply).</summary>
    Imap = 1,

    /// <summary>A POP3 server (a <c>-ERR</c> reply).</summary>
    Pop = 2,

    /// <summary>An SMTP server (a three-digit reply).</summary>
    Smtp = 3,

    /// <summary>A SASL challenge carrying a JSON error (Dovecot, Gmail), before the protocol's final reply.</summary>
    SaslChallenge = 4,

    /// <summary>The token service (Microsoft Entra ID, an <c>AADSTS</c> error).</summary>
    TokenService = 5,

    /// <summary>Microsoft Graph (an HTTP error with a JSON body <c>{"error":{"code":...,"message":...}}</c>).</summary>
    Graph = 6,
}
