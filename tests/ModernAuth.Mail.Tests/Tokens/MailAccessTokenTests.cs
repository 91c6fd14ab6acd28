namespace ModernAuth.Mail.Tests.Tokens;

public class MailAccessTokenTests
{
    [Fact]
    public void ToString_JwtToken_ShowsFingerprintNotToken()
    {
        const string secret = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJlLXNlY3JldC1wYXJ0";
        var token = new MailAccessToken(secret, DateTimeOffset.UnixEpoch.AddHours(1), "user@contoso.com");

        var text = token.ToString();

        Assert.DoesNotContain(secret, text, StringComparison.Ordinal);
        Assert.DoesNotContain("c2lnbmF0dXJl", text, StringComparison.Ordinal);
        Assert.Contains(token.Fingerprint, text, StringComparison.Ordinal);
        Assert.Contains("JWT", text, StringComparison.Ordinal);
        Assert.True(token.IsJwt);
    }

    [Fact]
    public void IsJwt_PersonalAccountOpaqueToken_IsFalse()
    {
        var token = new MailAccessToken("EwBwA8l6BAAUbDba3x2OMJElkF7gJ4z/VbCPEz0AAQ==", DateTimeOffset.UnixEpoch);

        Assert.False(token.IsJwt);
        Assert.Contains("opaque", token.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Constructor_EmptyToken_Throws()
    {
        Assert.Throws<ArgumentException>(() => new MailAccessToken("", DateTimeOffset.UnixEpoch));
    }
}
