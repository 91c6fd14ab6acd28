using MailKit.Security;

namespace ModernAuth.Mail.MailKit.Internal;

/// <summary>
/// OAUTHBEARER (RFC 7628) that answers the server's error challenge with the byte 0x01 (<c>AQ==</c>) and keeps the
/// challenge for diagnostics; see <see cref="XOAuth2Mechanism"/> for why MailKit's own mechanism is not enough.
/// </summary>
internal sealed class OAuthBearerMechanism : SaslMechanismOAuthBearer, IOAuthMechanism
{
    private static readonly byte[] ErrorResponse = { 0x01 };
    private readonly ErrorChallengeExchange _exchange = new();

    public OAuthBearerMechanism(string userName, string accessToken)
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
        var response = tokenStep ? base.Challenge(token, startIndex, length, cancellationToken) : ErrorResponse;

        // MailKit's mechanism counts itself authenticated once the token is out: not until the server has answered.
        IsAuthenticated = !tokenStep;
        return response;
    }
}
