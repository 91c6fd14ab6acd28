namespace ModernAuth.Mail.MailKit.Internal;

/// <summary>
/// The two steps both of this package's SASL mechanisms take: first the token; then, only when the server rejects it,
/// its error challenge, which is kept for diagnostics and must be answered before the server sends the final reply.
/// MailKit's XOAUTH2 and OAUTHBEARER mechanisms have different base classes, so they share this instead.
/// </summary>
internal sealed class ErrorChallengeExchange
{
    private bool _sentToken;

    /// <summary>The decoded error challenge, or <see langword="null"/> while the server has sent none.</summary>
    public string? ErrorChallenge { get; private set; }

    public void Reset()
    {
        _sentToken = false;
        ErrorChallenge = null;
    }

    /// <summary>Whether this challenge asks for the token (the first step); otherwise it is the error challenge, now kept.</summary>
    public bool IsTokenStep(byte[]? token, int startIndex, int length)
    {
        if (!_sentToken)
        {
            _sentToken = true;
            return true;
        }

        ErrorChallenge = SaslChallenge.Decode(token, startIndex, length);
        return false;
    }
}
