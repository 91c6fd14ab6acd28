using System.Text;
using ModernAuth.Mail.Diagnostics;

namespace ModernAuth.Mail.Tests.Diagnostics;

public class MailResponseCatalogTests
{
    private const string ExchangeTrailer = " [BN9PR03CA0123.namprd03.prod.outlook.com 2026-03-02T10:00:01.234Z 08DE3A1B2C3D4E5F]";

    // Server texts as in FACTS.md's table "What the servers answer when it goes wrong", recorded with the tags,
    // multi-line continuations and trailing brackets real servers send.
    public static TheoryData<string, string, MailResponseSource, bool> Recorded() => new()
    {
        { "A1 NO AUTHENTICATE failed.", MailFindingCodes.ImapAuthenticateFailed, MailResponseSource.Imap, false },
        { "A00000005 NO AUTHENTICATE failed.\r\n", MailFindingCodes.ImapAuthenticateFailed, MailResponseSource.Imap, false },
        { "NO AUTHENTICATE failed.", MailFindingCodes.ImapAuthenticateFailed, MailResponseSource.Unknown, false },
        { "A1 NO LOGIN failed.", MailFindingCodes.ImapLoginFailed, MailResponseSource.Imap, false },
        { "* BAD User is authenticated but not connected.", MailFindingCodes.ImapNotConnected, MailResponseSource.Imap, false },
        { "A2 BAD User is authenticated but not connected.", MailFindingCodes.ImapNotConnected, MailResponseSource.Imap, false },
        { "A7 BAD Request is throttled. Suggested Backoff Time: 186321 milliseconds", MailFindingCodes.ImapThrottled, MailResponseSource.Imap, true },
        { "-ERR Authentication failure: unknown user name or bad password.", MailFindingCodes.PopAuthenticationFailure, MailResponseSource.Pop, false },
        { "535 5.7.3 Authentication unsuccessful" + ExchangeTrailer, MailFindingCodes.SmtpAuthenticationUnsuccessful, MailResponseSource.Smtp, false },
        { "535 5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the Tenant. Visit https://aka.ms/smtp_auth_disabled for more information." + ExchangeTrailer, MailFindingCodes.SmtpAuthDisabled, MailResponseSource.Smtp, false },
        { "535 5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the Mailbox. Visit https://aka.ms/smtp_auth_disabled for more information.", MailFindingCodes.SmtpAuthDisabled, MailResponseSource.Smtp, false },
        { "535 5.7.139 Authentication unsuccessful, user is locked by your organization's security defaults policy. Contact your administrator." + ExchangeTrailer, MailFindingCodes.SmtpSecurityDefaults, MailResponseSource.Smtp, false },
        { "535 5.7.139 Authentication unsuccessful, the request did not meet the criteria to be authenticated successfully. Contact your administrator." + ExchangeTrailer, MailFindingCodes.SmtpConditionalAccess, MailResponseSource.Smtp, false },
        { "535 5.7.139 Authentication unsuccessful, basic authentication is disabled." + ExchangeTrailer, MailFindingCodes.SmtpBasicAuthDisabled, MailResponseSource.Smtp, false },
        { "535 5.7.139 Authentication unsuccessful, some new reason." + ExchangeTrailer, MailFindingCodes.SmtpAuthBlocked, MailResponseSource.Smtp, false },
        { "535-5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled\r\n535 5.7.139 for the Tenant. Visit https://aka.ms/smtp_auth_disabled for more information." + ExchangeTrailer, MailFindingCodes.SmtpAuthDisabled, MailResponseSource.Smtp, false },
        { "530 5.7.57 Client not authenticated to send mail" + ExchangeTrailer, MailFindingCodes.SmtpNotAuthenticated, MailResponseSource.Smtp, false },
        { "530 5.7.57 Client not authenticated to send mail. Error: 535 5.7.139 Authentication unsuccessful", MailFindingCodes.SmtpNotAuthenticated, MailResponseSource.Smtp, false },
        { "550 5.7.30 Basic authentication is not supported for Client Submission." + ExchangeTrailer, MailFindingCodes.SmtpBasicAuthRemoved, MailResponseSource.Smtp, false },
        { "554 5.2.0 STOREDRV.Submission.Exception:SendAsDeniedException.MapiExceptionSendAsDenied; Failed to process message due to a permanent exception with message Cannot submit message." + ExchangeTrailer, MailFindingCodes.SmtpSendAsDenied, MailResponseSource.Smtp, false },
        { "430 4.2.0 STOREDRV; mailbox logon failure; Failed to process message due to a transient exception with message MapiExceptionLogonFailed" + ExchangeTrailer, MailFindingCodes.SmtpMailboxLogonFailure, MailResponseSource.Smtp, false },
        { "A1 NO [AUTHENTICATIONFAILED] Authentication failed.", MailFindingCodes.ImapAuthRejected, MailResponseSource.Imap, false },
        { "A1 NO [UNAVAILABLE] Temporary authentication failure. [host:2026-03-02 10:00:00]", MailFindingCodes.ImapAuthUnavailable, MailResponseSource.Imap, true },
        { "-ERR [AUTH] Authentication failed.", MailFindingCodes.PopAuthRejected, MailResponseSource.Pop, false },
        { "-ERR [SYS/TEMP] Temporary authentication failure. [host:2026-03-02 10:00:00]", MailFindingCodes.PopAuthUnavailable, MailResponseSource.Pop, true },
        { "535 5.7.8 Error: authentication failed: (reason unavailable)", MailFindingCodes.SmtpAuthRejected, MailResponseSource.Smtp, false },
        { "{\"status\":\"401\",\"schemes\":\"bearer\",\"scope\":\"mail\"}", MailFindingCodes.SaslOAuthErrorChallenge, MailResponseSource.SaslChallenge, false },
        { "{\"status\":\"invalid_token\"}", MailFindingCodes.SaslOAuthErrorChallenge, MailResponseSource.SaslChallenge, false },
        { "+ " + B64("{\"status\":\"401\",\"schemes\":\"bearer\",\"scope\":\"mail\"}"), MailFindingCodes.SaslOAuthErrorChallenge, MailResponseSource.SaslChallenge, false },
        { "334 " + B64("{\"status\":\"invalid_token\"}"), MailFindingCodes.SaslOAuthErrorChallenge, MailResponseSource.SaslChallenge, false },
        { "+ " + B64("{\"status\":\"invalid_token\"}") + "\r\nA1 NO [AUTHENTICATIONFAILED] Authentication failed.", MailFindingCodes.SaslOAuthErrorChallenge, MailResponseSource.SaslChallenge, false },
    };

    [Theory]
    [MemberData(nameof(Recorded))]
    public void Explain_RecordedReply_ReturnsItsCode(string reply, string code, MailResponseSource source, bool retryable)
    {
        var explanation = MailResponseCatalog.Default.Explain(reply);

        Assert.Equal(code, explanation.Code);
        Assert.True(explanation.IsRecognised);
        Assert.Equal(source, explanation.Source);
        Assert.Equal(retryable, explanation.IsRetryable);
        Assert.False(string.IsNullOrWhiteSpace(explanation.Remedy));
        Assert.False(string.IsNullOrWhiteSpace(explanation.Explanation));
        Assert.DoesNotContain("[BN9PR03CA0123", explanation.ServerText, StringComparison.Ordinal);
    }

    [Fact]
    public void Explain_Throttled_ExtractsBackoff()
    {
        var explanation = MailResponseCatalog.Default.Explain("A7 BAD Request is throttled. Suggested Backoff Time: 186321 milliseconds");

        Assert.Equal(186321, explanation.BackoffMilliseconds);
        Assert.Contains("Wait 186321 milliseconds", explanation.Remedy, StringComparison.Ordinal);
        Assert.Equal("BAD Request is throttled. Suggested Backoff Time: 186321 milliseconds", explanation.ServerText);
        Assert.Equal("BAD", explanation.Status);
    }

    [Fact]
    public void Explain_SmtpAuthDisabled_GivesBothPowerShellCommands()
    {
        var explanation = MailResponseCatalog.Default.Explain("535 5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the Tenant. Visit https://aka.ms/smtp_auth_disabled for more information." + ExchangeTrailer);

        Assert.Contains("Set-TransportConfig -SmtpClientAuthenticationDisabled $false", explanation.Remedy, StringComparison.Ordinal);
        Assert.Contains("Set-CASMailbox -Identity <mailbox> -SmtpClientAuthenticationDisabled $false", explanation.Remedy, StringComparison.Ordinal);
        Assert.Equal("535", explanation.Status);
        Assert.Equal("5.7.139", explanation.EnhancedStatusCode);
        Assert.Equal("BN9PR03CA0123.namprd03.prod.outlook.com 2026-03-02T10:00:01.234Z 08DE3A1B2C3D4E5F", explanation.ServerTrace);
        Assert.Equal("2026-03-02T10:00:01.234Z", explanation.Timestamp);
        Assert.EndsWith("for more information.", explanation.ServerText, StringComparison.Ordinal);
    }

    [Fact]
    public void Explain_MultiLineSmtpReply_JoinsLines()
    {
        var explanation = MailResponseCatalog.Default.Explain("535-5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled\r\n535 5.7.139 for the Tenant. Visit https://aka.ms/smtp_auth_disabled for more information.");

        Assert.Equal("535 5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the Tenant. Visit https://aka.ms/smtp_auth_disabled for more information.", explanation.ServerText);
    }

    [Fact]
    public void Explain_DovecotChallenge_NormalisesJsonAndKeepsScope()
    {
        var explanation = MailResponseCatalog.Default.Explain("+ " + B64("{\"status\":\"401\",\"schemes\":\"bearer\",\"scope\":\"mail\"}"));

        Assert.Equal("{\"status\":\"401\",\"schemes\":\"bearer\",\"scope\":\"mail\"}", explanation.ServerText);
        Assert.Equal("401", explanation.Status);
        Assert.Contains("'mail'", explanation.Explanation, StringComparison.Ordinal);
        Assert.Contains("AQ==", explanation.Remedy, StringComparison.Ordinal);
    }

    public static TheoryData<string, string, int> Aadsts() => new()
    {
        { "AADSTS7000215: Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '6b1f0e7a-2c3d-4e5f-9a8b-7c6d5e4f3a2b'. Trace ID: 0a1b2c3d-1111-2222-3333-444455556666 Correlation ID: 9f8e7d6c-aaaa-bbbb-cccc-ddddeeeeffff Timestamp: 2026-03-02 10:00:00Z", MailErrorCodes.InvalidClientSecret, 7000215 },
        { "AADSTS700027: Client assertion failed signature validation.", MailErrorCodes.InvalidClientCertificate, 700027 },
        { "AADSTS700016: Application with identifier '6b1f0e7a-2c3d-4e5f-9a8b-7c6d5e4f3a2b' was not found in the directory 'Contoso'.", MailErrorCodes.ApplicationNotFound, 700016 },
        { "AADSTS90002: Tenant 'contoso.onmicrosoft.de' not found.", MailErrorCodes.TenantNotFound, 90002 },
        { "AADSTS65001: The user or administrator has not consented to use the application with ID '6b1f0e7a-2c3d-4e5f-9a8b-7c6d5e4f3a2b'.", MailErrorCodes.ConsentRequired, 65001 },
        { "AADSTS50076: Due to a configuration change made by your administrator, or because you moved to a new location, you must use multi-factor authentication.", MailErrorCodes.MfaRequired, 50076 },
        { "AADSTS50079: Due to a configuration change made by your administrator, you must enroll in multi-factor authentication.", MailErrorCodes.MfaRequired, 50079 },
        { "AADSTS70043: The refresh token has expired or is invalid due to sign-in frequency checks by conditional access.", MailErrorCodes.RefreshTokenExpired, 70043 },
        { "AADSTS700082: The refresh token has expired due to inactivity.", MailErrorCodes.RefreshTokenExpired, 700082 },
        { "AADSTS28000: Provided value for the input parameter scope is not valid because it contains more than one resource.", MailErrorCodes.MixedResourceScopes, 28000 },
        { "AADSTS700022: The provided value for the input parameter scope is not valid because it contains more than one resource.", MailErrorCodes.MixedResourceScopes, 700022 },
        { "AADSTS900144: The request body must contain the following parameter: 'scope'.", MailErrorCodes.ScopeMissing, 900144 },
        { "{\"error\":\"invalid_client\",\"error_description\":\"AADSTS7000215: Invalid client secret provided. Trace ID: 0a1b2c3d-1111-2222-3333-444455556666 Correlation ID: 9f8e7d6c-aaaa-bbbb-cccc-ddddeeeeffff Timestamp: 2026-03-02 10:00:00Z\",\"error_codes\":[7000215],\"timestamp\":\"2026-03-02 10:00:00Z\",\"trace_id\":\"0a1b2c3d-1111-2222-3333-444455556666\",\"correlation_id\":\"9f8e7d6c-aaaa-bbbb-cccc-ddddeeeeffff\"}", MailErrorCodes.InvalidClientSecret, 7000215 },
    };

    [Theory]
    [MemberData(nameof(Aadsts))]
    public void Explain_TokenServiceError_UsesTheAadstsCatalog(string text, string code, int aadsts)
    {
        var explanation = MailResponseCatalog.Default.Explain(text);

        Assert.Equal(code, explanation.Code);
        Assert.Equal(aadsts, explanation.AadstsCode);
        Assert.Equal(MailResponseSource.TokenService, explanation.Source);
        var entry = TokenServiceErrors.Find(aadsts);
        Assert.NotNull(entry);
        Assert.True(explanation.IsRecognised);
        Assert.Equal(entry.Meaning, explanation.Explanation);
        Assert.Equal(entry.IsRetryable, explanation.IsRetryable);
    }

    [Fact]
    public void Explain_UnknownAadstsCode_IsNotRecognisedButKeepsTheCodeAndText()
    {
        var explanation = MailResponseCatalog.Default.Explain("AADSTS9999999: Something new. Trace ID: 0a1b2c3d-1111-2222-3333-444455556666 Correlation ID: 9f8e7d6c-aaaa-bbbb-cccc-ddddeeeeffff Timestamp: 2026-03-02 10:00:00Z");

        Assert.False(explanation.IsRecognised);
        Assert.Equal(MailErrorCodes.TokenServiceError, explanation.Code);
        Assert.Equal(9999999, explanation.AadstsCode);
        Assert.Equal(MailResponseSource.TokenService, explanation.Source);
        Assert.Equal("AADSTS9999999: Something new.", explanation.ServerText);
        Assert.Equal("9f8e7d6c-aaaa-bbbb-cccc-ddddeeeeffff", explanation.CorrelationId);
        Assert.Contains("https://login.microsoftonline.com/error?code=9999999", explanation.Remedy, StringComparison.Ordinal);
        Assert.False(explanation.IsRetryable);
    }

    [Theory]
    [InlineData("AADSTS7000215: Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '6b1f0e7a-2c3d-4e5f-9a8b-7c6d5e4f3a2b'.")]
    [InlineData("AADSTS65001: The user or administrator has not consented to use the application with ID '6b1f0e7a-2c3d-4e5f-9a8b-7c6d5e4f3a2b' named 'Contoso'.")]
    public void Explain_TokenServiceError_FillsAppIdFromTheText(string text)
    {
        var explanation = MailResponseCatalog.Default.Explain(text);

        Assert.Contains("6b1f0e7a-2c3d-4e5f-9a8b-7c6d5e4f3a2b", explanation.Remedy, StringComparison.Ordinal);
        Assert.DoesNotContain("<client id>", explanation.Remedy, StringComparison.Ordinal);
    }

    [Fact]
    public void Explain_TokenServiceError_ExtractsIdsAndFillsRemedy()
    {
        var explanation = MailResponseCatalog.Default.Explain("AADSTS700016: Application with identifier '6b1f0e7a-2c3d-4e5f-9a8b-7c6d5e4f3a2b' was not found in the directory 'contoso.onmicrosoft.com'. Trace ID: 0a1b2c3d-1111-2222-3333-444455556666 Correlation ID: 9f8e7d6c-aaaa-bbbb-cccc-ddddeeeeffff Timestamp: 2026-03-02 10:00:00Z");

        Assert.Equal("0a1b2c3d-1111-2222-3333-444455556666", explanation.TraceId);
        Assert.Equal("9f8e7d6c-aaaa-bbbb-cccc-ddddeeeeffff", explanation.CorrelationId);
        Assert.Equal("2026-03-02 10:00:00Z", explanation.Timestamp);
        Assert.Contains("6b1f0e7a-2c3d-4e5f-9a8b-7c6d5e4f3a2b", explanation.Remedy, StringComparison.Ordinal);
        Assert.Contains("contoso.onmicrosoft.com", explanation.Remedy, StringComparison.Ordinal);
        Assert.StartsWith("AADSTS700016: Application with identifier", explanation.ServerText, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("hello world")]
    [InlineData("250 2.0.0 OK")]
    [InlineData("{\"foo\":1}")]
    public void Explain_UnknownText_IsUnrecognisedAndSaysWhatItNeeds(string? text)
    {
        var explanation = MailResponseCatalog.Default.Explain(text);

        Assert.Equal(MailFindingCodes.Unrecognised, explanation.Code);
        Assert.False(explanation.IsRecognised);
        Assert.Contains("complete reply line", explanation.Remedy, StringComparison.Ordinal);
    }

    [Fact]
    public void Explain_ProtocolLogWithClientSecret_NeverEchoesIt()
    {
        var token = TestTokens.MintAppOnly("IMAP.AccessAsApp");
        var xoauth2 = B64("user=alice@contoso.com\u0001auth=Bearer " + token + "\u0001\u0001");
        var log = "S: * OK The Microsoft Exchange IMAP4 service is ready.\r\nC: A1 AUTHENTICATE XOAUTH2 " + xoauth2 + "\r\nS: A1 NO AUTHENTICATE failed.\r\n";

        var explanation = MailResponseCatalog.Default.Explain(log);
        var rendered = MailFindingFormatter.FormatJson(explanation) + MailFindingFormatter.FormatText(explanation);

        Assert.Equal(MailFindingCodes.ImapAuthenticateFailed, explanation.Code);
        Assert.DoesNotContain(xoauth2, rendered, StringComparison.Ordinal);
        Assert.DoesNotContain(TestTokens.Signature(token), rendered, StringComparison.Ordinal);
    }

    [Fact]
    public void Explain_ReplyQuotingAToken_RedactsIt()
    {
        var token = TestTokens.MintAppOnly("IMAP.AccessAsApp");

        var explanation = MailResponseCatalog.Default.Explain("535 5.7.3 Authentication unsuccessful " + token);

        Assert.DoesNotContain(TestTokens.Signature(token), explanation.ServerText, StringComparison.Ordinal);
        Assert.Contains("<redacted token>", explanation.ServerText, StringComparison.Ordinal);
    }

    [Fact]
    public void Explain_ProtocolBreaksTieForUntaggedLine()
    {
        Assert.Equal(MailFindingCodes.ImapAuthenticateFailed, MailResponseCatalog.Default.Explain("NO AUTHENTICATE failed.", MailProtocol.Imap).Code);
        Assert.Equal(MailFindingCodes.Unrecognised, MailResponseCatalog.Default.Explain("NO AUTHENTICATE failed.", MailProtocol.Smtp).Code);
    }

    [Fact]
    public void Codes_ListEveryCodeTheCatalogReturns()
    {
        foreach (var row in Recorded())
        {
            Assert.Contains((string)row[1], MailResponseCatalog.Codes);
        }

        foreach (var entry in TokenServiceErrors.All)
        {
            Assert.Contains(entry.ErrorCode, MailResponseCatalog.Codes);
        }
    }

    [Fact]
    public void ToFinding_CarriesCodeSeverityAndRemedy()
    {
        var explanation = MailResponseCatalog.Default.Explain("A1 NO AUTHENTICATE failed.");

        var finding = explanation.ToFinding();

        Assert.Equal(explanation.Code, finding.Code);
        Assert.Equal(explanation.Severity, finding.Severity);
        Assert.Equal("NO AUTHENTICATE failed.", finding.Observed);
        Assert.Equal(explanation.Remedy, finding.Fix);
    }

    [Theory]
    [InlineData("AADSTS53003: Access has been blocked by Conditional Access policies. The access policy does not allow token issuance.", MailErrorCodes.ConditionalAccessBlocked, "Flow=InteractiveBrowser")]
    [InlineData("AADSTS50158: External security challenge not satisfied.", MailErrorCodes.ConditionalAccessBlocked, "Flow=InteractiveBrowser")]
    [InlineData("MsalClientException: ErrorCode: linux_xdg_open_failed Unable to open a web page using xdg-open, gnome-open, kfmclient or wslview tools.", MailErrorCodes.BrowserUnavailable, "Flow=DeviceCode")]
    [InlineData("Microsoft.Identity.Client.MsalClientException: authentication_canceled User canceled authentication.", MailErrorCodes.SignInCanceled, "Sign in again")]
    [InlineData("MailAuthenticationException (sign_in_timed_out): The browser sign-in did not finish within 00:05:00", MailErrorCodes.SignInTimedOut, "SignInTimeout")]
    public void Explain_BrowserAndConditionalAccessErrors_CodeAndFlowToUseInstead(string text, string code, string remedy)
    {
        var explanation = MailResponseCatalog.Default.Explain(text);

        Assert.Equal(code, explanation.Code);
        Assert.Contains(remedy, explanation.Remedy, StringComparison.Ordinal);
    }

    private static string B64(string text) => Convert.ToBase64String(Encoding.UTF8.GetBytes(text));
}
