using MailKit.Net.Imap;
using ModernAuth.Mail.Diagnostics;
using ModernAuth.Mail.MailKit.Tests.Support;
using ModernAuth.Mail.Testing;

namespace ModernAuth.Mail.MailKit.Tests.Replay;

/// <summary>
/// Exchange Online's recorded answers to a rejected token (FACTS.md), replayed by a scripted loopback server through
/// MailKit and the adapter: each becomes its stable code, with the server's words and a remedy, and is retried with a
/// fresh token only when a fresh token can help.
/// </summary>
public sealed class ExchangeReplyReplayTests : IDisposable
{
    private const string Mailbox = "adele@contoso.com";
    private readonly FakeEntraId _entra = new();

    public void Dispose() => _entra.Dispose();

    public static TheoryData<MailProtocol, string, string, int> Replies => new()
    {
        { MailProtocol.Imap, "NO AUTHENTICATE failed.", MailFindingCodes.ImapAuthenticateFailed, 2 },
        { MailProtocol.Imap, "BAD User is authenticated but not connected.", MailFindingCodes.ImapNotConnected, 1 },
        { MailProtocol.Pop, "-ERR Authentication failure: unknown user name or bad password.", MailFindingCodes.PopAuthenticationFailure, 2 },
        { MailProtocol.Smtp, "535 5.7.3 Authentication unsuccessful", MailFindingCodes.SmtpAuthenticationUnsuccessful, 2 },
        { MailProtocol.Smtp, "535 5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the Tenant. Visit https://aka.ms/smtp_auth_disabled for more information.", MailFindingCodes.SmtpAuthDisabled, 1 },
        { MailProtocol.Smtp, "535 5.7.139 Authentication unsuccessful, user is locked by your organization's security defaults policy.", MailFindingCodes.SmtpSecurityDefaults, 1 },
        { MailProtocol.Smtp, "535 5.7.139 Authentication unsuccessful, the request did not meet the criteria to be authenticated successfully. Contact your administrator.", MailFindingCodes.SmtpConditionalAccess, 1 },
        { MailProtocol.Smtp, "535 5.7.139 Authentication unsuccessful, basic authentication is disabled.", MailFindingCodes.SmtpBasicAuthDisabled, 1 },
        { MailProtocol.Smtp, "530 5.7.57 Client not authenticated to send mail", MailFindingCodes.SmtpNotAuthenticated, 2 },
        { MailProtocol.Smtp, "550 5.7.30 Basic authentication is not supported for Client Submission.", MailFindingCodes.SmtpBasicAuthRemoved, 1 },
        { MailProtocol.Smtp, "554 5.2.0 STOREDRV.Submission.Exception:SendAsDeniedException", MailFindingCodes.SmtpSendAsDenied, 1 },
        { MailProtocol.Smtp, "430 4.2.0 STOREDRV; mailbox logon failure", MailFindingCodes.SmtpMailboxLogonFailure, 1 },
    };

    [Theory]
    [MemberData(nameof(Replies))]
    public async Task AuthenticateAsync_RecordedExchangeReply_MapsToItsCode(MailProtocol protocol, string reply, string expectedCode, int expectedAttempts)
    {
        await using var server = new ScriptedMailServer(protocol, _ => reply);
        var provider = new ScriptedTokenProvider(false, GoodToken(protocol));

        var ex = await Assert.ThrowsAsync<MailAuthenticationException>(() => ConnectAsync(protocol, provider, server));

        Assert.Equal(expectedCode, ex.ErrorCode);
        Assert.Equal(protocol, ex.Protocol);
        Assert.Contains(ReplyWithoutStatus(reply), ex.ServerResponse, StringComparison.Ordinal);
        Assert.Contains(ReplyWithoutStatus(reply), ex.Message, StringComparison.Ordinal);
        Assert.False(string.IsNullOrWhiteSpace(ex.Remedy));
        Assert.Contains(ex.Findings, f => f.Code == expectedCode);
        Assert.False(ex.IsRetryable);
        Assert.Equal(expectedAttempts, server.AuthAttempts);
        Assert.Equal(expectedAttempts, provider.Requests.Count);
        if (expectedAttempts == 2)
        {
            Assert.True(provider.Requests[1].ForceRefresh);
        }
    }

    [Fact]
    public async Task AuthenticateAsync_ImapThrottled_RetryableWithBackoffAndNoImmediateRetry()
    {
        await using var server = new ScriptedMailServer(MailProtocol.Imap, _ => "BAD Request is throttled. Suggested Backoff Time: 2500 milliseconds");
        var provider = new ScriptedTokenProvider(false, GoodToken(MailProtocol.Imap));

        var ex = await Assert.ThrowsAsync<MailAuthenticationException>(() => ConnectAsync(MailProtocol.Imap, provider, server));

        Assert.Equal(MailFindingCodes.ImapThrottled, ex.ErrorCode);
        Assert.True(ex.IsRetryable);
        Assert.Equal(TimeSpan.FromMilliseconds(2500), ex.RetryAfter);
        Assert.Contains("2500", ex.Remedy, StringComparison.Ordinal);
        Assert.Contains("Request is throttled", ex.ServerResponse, StringComparison.Ordinal);
        Assert.Equal(1, server.AuthAttempts);
        Assert.Single(provider.Requests);
    }

    [Theory]
    [InlineData(MailProtocol.Imap, "NO AUTHENTICATE failed.", "OK AUTHENTICATE completed.")]
    [InlineData(MailProtocol.Pop, "-ERR Authentication failure: unknown user name or bad password.", "+OK User successfully authenticated.")]
    [InlineData(MailProtocol.Smtp, "535 5.7.3 Authentication unsuccessful", "235 2.7.0 Authentication successful")]
    public async Task AuthenticateAsync_FirstRejectedThenAccepted_SucceedsWithFreshToken(MailProtocol protocol, string rejection, string success)
    {
        await using var server = new ScriptedMailServer(protocol, attempt => attempt == 1 ? rejection : success);
        var provider = new ScriptedTokenProvider(false, GoodToken(protocol));

        using var client = await ConnectAsync(protocol, provider, server);

        Assert.True(client.IsAuthenticated);
        Assert.Equal(2, server.AuthAttempts);
        Assert.Equal(2, provider.Requests.Count);
        Assert.False(provider.Requests[0].ForceRefresh);
        Assert.True(provider.Requests[1].ForceRefresh);
    }

    [Theory]
    [InlineData(MailProtocol.Imap, "NO AUTHENTICATE failed.", "OK AUTHENTICATE completed.")]
    [InlineData(MailProtocol.Pop, "-ERR Authentication failure: unknown user name or bad password.", "+OK User successfully authenticated.")]
    [InlineData(MailProtocol.Smtp, "535 5.7.3 Authentication unsuccessful", "235 2.7.0 Authentication successful")]
    public async Task AuthenticateAsync_ServerClosesAfterRejection_ReconnectsForTheRetry(MailProtocol protocol, string rejection, string success)
    {
        await using var server = new ScriptedMailServer(protocol, attempt => attempt == 1 ? rejection : success) { CloseAfterReply = attempt => attempt == 1 };
        var provider = new ScriptedTokenProvider(false, GoodToken(protocol));

        using var client = await ConnectAsync(protocol, provider, server);

        Assert.True(client.IsAuthenticated);
        Assert.Equal(2, server.Connections);
        Assert.Equal(2, server.AuthAttempts);
        Assert.Equal(2, provider.Requests.Count);
    }

    [Fact]
    public async Task AuthenticateAsync_UserCreatedClientServerCloses_ReconnectsToTheLoggedUri()
    {
        await using var server = new ScriptedMailServer(MailProtocol.Imap, attempt => attempt == 1 ? "NO AUTHENTICATE failed." : "OK AUTHENTICATE completed.") { CloseAfterReply = attempt => attempt == 1 };
        using var client = new ImapClient(new MailKitProtocolLogger());
        await client.ConnectAsync("127.0.0.1", server.Port, global::MailKit.Security.SecureSocketOptions.None);

        await client.AuthenticateAsync(new ScriptedTokenProvider(false, GoodToken(MailProtocol.Imap)), Mailbox);

        Assert.True(client.IsAuthenticated);
        Assert.Equal(2, server.Connections);
    }

    [Fact]
    public async Task AuthenticateAsync_RetryDisabled_OneAttempt()
    {
        await using var server = new ScriptedMailServer(MailProtocol.Smtp, _ => "535 5.7.3 Authentication unsuccessful");
        var provider = new ScriptedTokenProvider(false, GoodToken(MailProtocol.Smtp));
        var options = server.ConnectOptions();
        options.RetryWithFreshToken = false;

        var ex = await Assert.ThrowsAsync<MailAuthenticationException>(() => MailKitConnector.ConnectSmtpAsync(provider, Mailbox, options: options));

        Assert.Equal(MailFindingCodes.SmtpAuthenticationUnsuccessful, ex.ErrorCode);
        Assert.Equal(1, server.AuthAttempts);
    }

    [Theory]
    [InlineData(MailProtocol.Imap)]
    [InlineData(MailProtocol.Pop)]
    [InlineData(MailProtocol.Smtp)]
    public async Task AuthenticateAsync_ServerOffersNoOAuth_NotSupportedWithoutTokenRequest(MailProtocol protocol)
    {
        await using var server = new ScriptedMailServer(protocol, _ => "NO never", "PLAIN", "LOGIN");
        var provider = new ScriptedTokenProvider(false, GoodToken(protocol));

        var ex = await Assert.ThrowsAsync<MailAuthenticationException>(() => ConnectAsync(protocol, provider, server));

        Assert.Equal(MailErrorCodes.NotSupported, ex.ErrorCode);
        Assert.Contains("PLAIN", ex.Message, StringComparison.Ordinal);
        Assert.Empty(provider.Requests);
        Assert.Equal(0, server.AuthAttempts);
    }

    [Fact]
    public async Task AuthenticateAsync_OnlyOAuthBearerAdvertised_UsesOAuthBearer()
    {
        await using var server = new ScriptedMailServer(MailProtocol.Imap, _ => "OK AUTHENTICATE completed.", "OAUTHBEARER");
        var logger = new CapturingProtocolLogger();
        var options = server.ConnectOptions();
        options.ProtocolLogger = logger;

        using var client = await MailKitConnector.ConnectImapAsync(new ScriptedTokenProvider(false, GoodToken(MailProtocol.Imap)), Mailbox, options: options);

        Assert.True(logger.Text.Contains("AUTHENTICATE OAUTHBEARER ********", StringComparison.Ordinal), logger.Text);
    }

    [Fact]
    public async Task AuthenticateAsync_UserCreatedClientWithoutOurLogger_SaysHowToSeeTheServersWords()
    {
        await using var server = new ScriptedMailServer(MailProtocol.Imap, _ => "NO AUTHENTICATE failed.");
        using var client = new ImapClient();
        await client.ConnectAsync("127.0.0.1", server.Port, global::MailKit.Security.SecureSocketOptions.None);

        var ex = await Assert.ThrowsAsync<MailAuthenticationException>(() => client.AuthenticateAsync(new ScriptedTokenProvider(false, GoodToken(MailProtocol.Imap)), Mailbox));

        Assert.Null(ex.ServerResponse);
        Assert.Contains(nameof(MailKitProtocolLogger), ex.Message, StringComparison.Ordinal);
        Assert.Equal(2, server.AuthAttempts);
    }

    [Fact]
    public async Task AuthenticateAsync_UserCreatedClientWithOurLogger_KeepsTheServersWords()
    {
        await using var server = new ScriptedMailServer(MailProtocol.Imap, _ => "BAD User is authenticated but not connected.");
        using var client = new ImapClient(new MailKitProtocolLogger());
        await client.ConnectAsync("127.0.0.1", server.Port, global::MailKit.Security.SecureSocketOptions.None);

        var ex = await Assert.ThrowsAsync<MailAuthenticationException>(() => client.AuthenticateAsync(new ScriptedTokenProvider(false, GoodToken(MailProtocol.Imap)), Mailbox));

        Assert.Equal(MailFindingCodes.ImapNotConnected, ex.ErrorCode);
        Assert.Contains("BAD User is authenticated but not connected.", ex.ServerResponse, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AuthenticateAsync_UserCreatedSmtpClientWithoutOurLogger_KeepsTheReplyMailKitKeeps()
    {
        await using var server = new ScriptedMailServer(MailProtocol.Smtp, _ => "535 5.7.3 Authentication unsuccessful");
        using var client = new global::MailKit.Net.Smtp.SmtpClient();
        await client.ConnectAsync("127.0.0.1", server.Port, global::MailKit.Security.SecureSocketOptions.None);

        var ex = await Assert.ThrowsAsync<MailAuthenticationException>(() => client.AuthenticateAsync(new ScriptedTokenProvider(false, GoodToken(MailProtocol.Smtp)), Mailbox));

        Assert.Equal(MailFindingCodes.SmtpAuthenticationUnsuccessful, ex.ErrorCode);
        Assert.Equal("535 5.7.3 Authentication unsuccessful", ex.ServerResponse);
    }

    [Fact]
    public async Task AuthenticateAsync_WithLoggerFactory_LogsAttemptsAndRejectionWithoutToken()
    {
        await using var server = new ScriptedMailServer(MailProtocol.Imap, attempt => attempt == 1 ? "NO AUTHENTICATE failed." : "OK AUTHENTICATE completed.");
        var token = GoodToken(MailProtocol.Imap);
        var logs = new CapturingLoggerProvider();
        using var factory = logs.CreateFactory();
        var options = server.ConnectOptions();
        options.LoggerFactory = factory;

        using var client = await MailKitConnector.ConnectImapAsync(new ScriptedTokenProvider(false, token), Mailbox, options: options);

        Assert.Contains(logs.Lines, l => l.Contains("[2003]", StringComparison.Ordinal) && l.Contains("NO AUTHENTICATE failed.", StringComparison.Ordinal));
        Assert.Contains(logs.Lines, l => l.Contains("[2002]", StringComparison.Ordinal));
        Assert.Equal(2, logs.Lines.Count(l => l.Contains("[2001]", StringComparison.Ordinal)));
        Assert.DoesNotContain(token, logs.AllText, StringComparison.Ordinal);
        Assert.DoesNotContain(token.Split('.')[2][..20], logs.AllText, StringComparison.Ordinal);
    }

    private static async Task<global::MailKit.MailService> ConnectAsync(MailProtocol protocol, MailTokenProvider provider, ScriptedMailServer server) => protocol switch
    {
        MailProtocol.Imap => await MailKitConnector.ConnectImapAsync(provider, Mailbox, options: server.ConnectOptions()),
        MailProtocol.Pop => await MailKitConnector.ConnectPop3Async(provider, Mailbox, options: server.ConnectOptions()),
        _ => await MailKitConnector.ConnectSmtpAsync(provider, Mailbox, options: server.ConnectOptions()),
    };

    private static string ReplyWithoutStatus(string reply) => reply.StartsWith("NO ", StringComparison.Ordinal) || reply.StartsWith("BAD ", StringComparison.Ordinal)
        ? reply[(reply.IndexOf(' ', StringComparison.Ordinal) + 1)..]
        : reply;

    // A token Exchange would accept (right audience, scope and user), so the reply alone decides the code.
    private string GoodToken(MailProtocol protocol) => _entra.MintAccessToken(new FakeTokenDescriptor
    {
        TenantId = "11111111-2222-3333-4444-555555555555",
        Audience = "https://outlook.office.com",
        AppId = "3c2b1a09-8f7e-4d6c-b5a4-938271605f4e",
        Scopes = protocol switch
        {
            MailProtocol.Imap => "IMAP.AccessAsUser.All",
            MailProtocol.Pop => "POP.AccessAsUser.All",
            _ => "SMTP.Send",
        },
        Upn = Mailbox,
        ObjectId = Guid.NewGuid().ToString(),
    });
}
