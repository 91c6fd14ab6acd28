using MailKit.Security;

namespace ModernAuth.Mail.MailKit.Internal;

/// <summary>
/// OAUTHBEARER (RFC 7628) that answers the server's error challenge with the byte 0x01 (<c>AQ==</c>) and keeps the
/// challenge for diagnostics; see <see cref="XOAuth2Mechanism"/> for why MailKit's own mechanism is not enough.
/// </summary>
internal sealed class OAuthBearerMechanism : SaslMechanismOAuthBearer, IOAuthMechanism
{
    private static readonly byte[] ErrorResponse = { 0x01 };
    private bool _sentToken;

    public OAuthBearerMechanism(string userName, string accessToken)
        : base(userName, accessToken)
    {
    }

    public string? ErrorChallenge { get; private set; }

    public override void Reset()
    {
        base.Reset();
        _sentToken = false;
        ErrorChallenge = null;
    }

    protected override byte[]? Challenge(byte[]? token, int startIndex, int length, CancellationToken cancellationToken)
    {
        if (!_sentToken)
        {
            var response = base.Challenge(token, startIndex, length, cancellationToken);
            _sentToken = true;
            IsAuthenticated = false;
            return response;
        }

        ErrorChallenge = SaslChallenge.Decode(token, startIndex, length);
        IsAuthenticated = true;
        return ErrorResponse;
    }
}
