using MailKit.Security;

namespace ModernAuth.Mail.MailKit.Internal;

/// <summary>
/// XOAUTH2 that answers the server's error challenge. MailKit's own mechanism marks itself authenticated as soon as it
/// has sent the token, so MailKit's POP3 client stops reading at the JSON challenge that follows a rejected token and
/// throws a <c>Pop3ProtocolException</c> with the server still waiting. This one stays unauthenticated until the
/// challenge is answered (with an empty response, as XOAUTH2 requires), so every client reads the final reply, and it
/// keeps the challenge for diagnostics.
/// </summary>
internal sealed class XOAuth2Mechanism : SaslMechanismOAuth2, IOAuthMechanism
{
    private readonly ErrorChallengeExchange _exchange = new();

    public XOAuth2Mechanism(string userName, string accessToken)
        : base(userName, accessToken)
    {
    }

    public string? ErrorChallenge => _exchange.ErrorChallenge;

    public override void Reset()
    {
        base.Reset();
        _exchange.Reset();
    }

    protected override byte[]? Challenge(byte[]? token, int startIndex, int length, CancellationToken cancellationToken)
    {
        var tokenStep = _exchange.IsTokenStep(token, startIndex, length);
        var response = tokenStep ? base.Challenge(token, startIndex, length, cancellationToken) : Array.Empty<byte>();

        // MailKit's mechanism counts itself authenticated once the token is out: not until the server has answered.
        IsAuthenticated = !tokenStep;
        return response;
    }
}
