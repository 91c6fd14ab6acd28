using ModernAuth.Mail.Internal;

namespace ModernAuth.Mail;

/// <summary>
/// An access token for a mail protocol. <see cref="ToString"/> never shows the token: it shows a short
/// fingerprint (<see cref="Fingerprint"/>) that identifies the token in logs without revealing it.
/// </summary>
public readonly struct MailAccessToken : IEquatable<MailAccessToken>
{
    /// <summary>Creates a token.</summary>
    /// <param name="token">The access token as the token service issued it.</param>
    /// <param name="expiresOn">When the token expires.</param>
    /// <param name="account">
    /// The account the token acts for: the signed-in user's name for delegated flows, or the mailbox for
    /// app-only flows. It is the <c>user=</c> of XOAUTH2. May be <see langword="null"/> when unknown.
    /// </param>
    /// <exception cref="ArgumentException"><paramref name="token"/> is empty.</exception>
    public MailAccessToken(string token, DateTimeOffset expiresOn, string? account = null)
    {
        if (string.IsNullOrEmpty(token))
        {
            throw new ArgumentException("The access token is empty.", nameof(token));
        }

        Token = token;
        ExpiresOn = expiresOn;
        Account = account;
    }

    /// <summary>The access token. Treat it as a secret: never log it.</summary>
    public string Token { get; }

    /// <summary>When the token expires.</summary>
    public DateTimeOffset ExpiresOn { get; }

    /// <summary>The account the token acts for (the XOAUTH2 <c>user=</c>), when known.</summary>
    public string? Account { get; }

    /// <summary>
    /// Whether the token has the shape of a JWT (three base64url parts). Tokens for personal Microsoft
    /// accounts are opaque: that is normal and never an error.
    /// </summary>
    public bool IsJwt => Token is not null && TokenShape.LooksLikeJwt(Token);

    /// <summary>A short, non-reversible fingerprint of the token (first 8 hex digits of its SHA-256), safe to log.</summary>
    public string Fingerprint => Token is null ? "none" : TokenShape.Fingerprint(Token);

    /// <summary>Returns a copy of this token that acts for another account (for example a shared mailbox).</summary>
    /// <param name="account">The account.</param>
    /// <returns>The copy.</returns>
    public MailAccessToken WithAccount(string? account) => new(Token, ExpiresOn, account);

    /// <inheritdoc/>
    public bool Equals(MailAccessToken other) =>
        string.Equals(Token, other.Token, StringComparison.Ordinal) && ExpiresOn == other.ExpiresOn &&
        string.Equals(Account, other.Account, StringComparison.OrdinalIgnoreCase);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is MailAccessToken other && Equals(other);

    /// <inheritdoc/>
    public override int GetHashCode() => Token is null ? 0 : StringComparer.Ordinal.GetHashCode(Token);

    /// <summary>Compares two tokens.</summary>
    /// <param name="left">The first token.</param>
    /// <param name="right">The second token.</param>
    /// <returns><see langword="true"/> when they are equal.</returns>
    public static bool operator ==(MailAccessToken left, MailAccessToken right) => left.Equals(right);

    /// <summary>Compares two tokens.</summary>
    /// <param name="left">The first token.</param>
    /// <param name="right">The second token.</param>
    /// <returns><see langword="true"/> when they differ.</returns>
    public static bool operator !=(MailAccessToken left, MailAccessToken right) => !left.Equals(right);

    /// <summary>Describes the token without revealing it.</summary>
    /// <returns>Account, expiry, kind and fingerprint.</returns>
    public override string ToString() =>
        $"MailAccessToken {{ Account = {Account ?? "(unknown)"}, ExpiresOn = {ExpiresOn:u}, Kind = {(IsJwt ? "JWT" : "opaque")}, Fingerprint = {Fingerprint} }}";
}
