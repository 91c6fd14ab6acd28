namespace ModernAuth.Mail.Diagnostics;

/// <summary>What kind of token <see cref="TokenInspector"/> was given.</summary>
public enum TokenKind
{
    /// <summary>Not a readable token: empty, truncated, garbage, or too large.</summary>
    Malformed = 0,

    /// <summary>A signed JWT (three base64url parts) whose header and payload could be read.</summary>
    Jwt = 1,

    /// <summary>
    /// A token that is not meant to be read: a personal Microsoft account's encrypted token (often starting with
    /// <c>EwA</c> / <c>EwB</c>) or an encrypted JWT (JWE). Normal, never an error.
    /// </summary>
    Opaque = 2,
}
