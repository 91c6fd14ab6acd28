using System.Security.Cryptography;
using MailKit;
using MailKit.Net.Imap;
using MailKit.Net.Pop3;
using MailKit.Security;
using ModernAuth.Mail.Diagnostics;
using ModernAuth.Mail.MailKit.Tests.Support;
using Xunit.Abstractions;

namespace ModernAuth.Mail.MailKit.Tests.RealServers;

/// <summary>Bad tokens against the real Dovecot and Postfix: the right code, the server's own words, a remedy.</summary>
[Collection(MailServersRejectionCollection.Name)]
[Trait("Category", "RealServers")]
public sealed class RejectionTests
{
    private readonly MailServers _servers;
    private readonly ITestOutputHelper _output;

    public RejectionTests(MailServers servers, ITestOutputHelper output)
    {
        _servers = servers;
        _output = output;
    }

    public enum BadToken
    {
        Expired,
        WrongSignature,
        WrongUser,
        GraphAudience,
    }

    public static TheoryData<MailProtocol, BadToken, string> Cases
    {
        get
        {
            var data = new TheoryData<MailProtocol, BadToken, string>();
            foreach (var protocol in new[] { MailProtocol.Imap, MailProtocol.Pop, MailProtocol.Smtp })
            {
                data.Add(protocol, BadToken.Expired, MailFindingCodes.TokenExpired);
                // Nothing in the token shows a foreign signature without the authority's keys: the server's code stays.
                data.Add(protocol, BadToken.WrongSignature, MailFindingCodes.SaslOAuthErrorChallenge);
                data.Add(protocol, BadToken.WrongUser, MailFindingCodes.MailboxMismatch);
                data.Add(protocol, BadToken.GraphAudience, MailFindingCodes.WrongAudience);
            }

            return data;
        }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Authenticate_BadToken_ThrowsWithCodeServerWordsAndRemedy(MailProtocol protocol, BadToken kind, string expectedCode)
    {
        using var identity = new TestIdentity(_servers);
        using var otherKey = RSA.Create(2048);
        var mailbox = MailServers.NewMailbox("bad");
        var token = kind switch
        {
            BadToken.Expired => identity.MintDelegated(mailbox, protocol, d =>
            {
                d.IssuedAt = DateTimeOffset.UtcNow.AddHours(-2);
                d.ExpiresAt = DateTimeOffset.UtcNow.AddHours(-1);
            }),
            BadToken.WrongSignature => identity.MintDelegated(mailbox, protocol, d => d.SigningKeyOverride = otherKey),
            BadToken.WrongUser => identity.MintDelegated(MailServers.NewMailbox("other"), protocol),
            _ => identity.MintDelegated(mailbox, protocol, d => d.Audience = "https://graph.microsoft.com"),
        };
        var provider = new ScriptedTokenProvider(false, token);

        var ex = await Assert.ThrowsAsync<MailAuthenticationException>(() => RealConnect.ConnectAsync(_servers, protocol, provider, mailbox));
        _output.WriteLine(ex.Message);
        _output.WriteLine("ServerResponse: " + ex.ServerResponse);
        _output.WriteLine(string.Join(Environment.NewLine, ex.Findings));

        Assert.Equal(expectedCode, ex.ErrorCode);
        Assert.Equal(protocol, ex.Protocol);
        Assert.False(ex.IsRetryable);
        Assert.False(string.IsNullOrWhiteSpace(ex.Remedy));
        Assert.NotNull(ex.ServerResponse);
        // Dovecot's JSON challenge, decoded, then the final reply.
        Assert.Contains("\"status\"", ex.ServerResponse, StringComparison.Ordinal);
        Assert.Contains(RealConnect.DovecotFailure(protocol), ex.ServerResponse, StringComparison.Ordinal);
        Assert.Contains(ex.Findings, f => f.Code == MailFindingCodes.SaslOAuthErrorChallenge);
        Assert.Contains(ex.Findings, f => f.Code == expectedCode);
        Assert.IsNotAssignableFrom<ProtocolException>(ex.InnerException);
        if (kind is BadToken.WrongUser or BadToken.GraphAudience)
        {
            // The token shows why, and a fresh one from the same provider would show it again: no second token.
            Assert.Single(provider.Requests);
            Assert.DoesNotContain("also after a fresh token", ex.Message, StringComparison.Ordinal);
        }
        else
        {
            // Refreshed once and retried once.
            Assert.Equal(2, provider.Requests.Count);
            Assert.True(provider.Requests[1].ForceRefresh);
        }

        Assert.DoesNotContain(token, ex.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(token[^40..], ex.ServerResponse, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(MailProtocol.Imap)]
    [InlineData(MailProtocol.Pop)]
    [InlineData(MailProtocol.Smtp)]
    public async Task Authenticate_AppOnlyTokenWithoutRoles_NoRolesDecidesCodeRemedyAndRetryability(MailProtocol protocol)
    {
        // Dovecot answers a token without roles with a temporary failure; the token says what is really wrong, and a
        // retry loop keyed on IsRetryable must not spin on it.
        using var identity = new TestIdentity(_servers);
        var provider = new ScriptedTokenProvider(true, identity.MintAppOnly(d => d.Roles = null));

        var ex = await Assert.ThrowsAsync<MailAuthenticationException>(() => RealConnect.ConnectAsync(_servers, protocol, provider, MailServers.NewMailbox("noroles")));
        _output.WriteLine(ex.Message);
        _output.WriteLine("ServerResponse: " + ex.ServerResponse);

        Assert.Equal(MailFindingCodes.NoRoles, ex.ErrorCode);
        Assert.False(ex.IsRetryable);
        Assert.Null(ex.RetryAfter);
        Assert.Contains("admin-consent", ex.Remedy, StringComparison.Ordinal);
        Assert.NotNull(ex.ServerResponse);
        Assert.Contains(ex.Findings, f => f.Code == MailFindingCodes.NoRoles);
        // Roles granted after a token was issued only show in a fresh one: that one retry is worth it.
        Assert.Equal(2, provider.Requests.Count);
        Assert.True(provider.Requests[1].ForceRefresh);
    }

    [Theory]
    [InlineData(MailProtocol.Imap)]
    [InlineData(MailProtocol.Pop)]
    [InlineData(MailProtocol.Smtp)]
    public async Task Authenticate_AppOnlyMailboxOutsideTheTenant_MailboxRefusedWithItsOwnRemedy(MailProtocol protocol)
    {
        using var identity = new TestIdentity(_servers);
        var provider = new ScriptedTokenProvider(true, identity.MintAppOnly());
        const string Mailbox = "someone@elsewhere.example";

        var ex = await Assert.ThrowsAsync<MailAuthenticationException>(() => RealConnect.ConnectAsync(_servers, protocol, provider, Mailbox));
        _output.WriteLine(ex.Message);
        _output.WriteLine("Remedy: " + ex.Remedy);

        Assert.Equal(MailFindingCodes.MailboxRefused, ex.ErrorCode);
        Assert.False(ex.IsRetryable);
        Assert.Contains("Get-EXOMailbox -Identity " + Mailbox, ex.Remedy, StringComparison.Ordinal);
        Assert.Contains("Connect-ExchangeOnline -Organization " + _servers.TenantId, ex.Remedy, StringComparison.Ordinal);
        Assert.Contains("adminconsent?client_id=" + identity.ClientId, ex.Remedy, StringComparison.Ordinal);
        Assert.Contains("not in tenant " + _servers.TenantId, ex.Message, StringComparison.Ordinal);
        Assert.Contains(ex.Findings, f => f.Code == MailFindingCodes.MailboxRefused && f.Severity == MailFindingSeverity.Error);
        Assert.Contains(RealConnect.DovecotFailure(protocol), ex.ServerResponse, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Authenticate_AppOnlyMailboxOutsideTheTenantWithoutRetry_MailboxRefusedAfterOneToken()
    {
        using var identity = new TestIdentity(_servers);
        var provider = new ScriptedTokenProvider(true, identity.MintAppOnly());
        using var client = new ImapClient(new MailKitProtocolLogger()) { ServerCertificateValidationCallback = _servers.TrustServerCertificate, CheckCertificateRevocation = false };
        await client.ConnectAsync(_servers.Host, _servers.ImapsPort, SecureSocketOptions.SslOnConnect);

        var ex = await Assert.ThrowsAsync<MailAuthenticationException>(() =>
            client.AuthenticateAsync(provider, "someone@elsewhere.example", new MailKitAuthenticationOptions { RetryWithFreshToken = false }));

        Assert.Equal(MailFindingCodes.MailboxRefused, ex.ErrorCode);
        Assert.Single(provider.Requests);
    }

    [Theory]
    [InlineData(MailProtocol.Imap)]
    [InlineData(MailProtocol.Pop)]
    [InlineData(MailProtocol.Smtp)]
    public async Task Authenticate_FirstTokenBadSecondGood_SucceedsWithExactlyTwoTokens(MailProtocol protocol)
    {
        using var identity = new TestIdentity(_servers);
        var mailbox = MailServers.NewMailbox("refresh");
        var expired = identity.MintDelegated(mailbox, protocol, d =>
        {
            d.IssuedAt = DateTimeOffset.UtcNow.AddHours(-2);
            d.ExpiresAt = DateTimeOffset.UtcNow.AddMinutes(-30);
        });
        var provider = new ScriptedTokenProvider(false, expired, identity.MintDelegated(mailbox, protocol));

        using var client = await RealConnect.ConnectAsync(_servers, protocol, provider, mailbox);

        Assert.True(client.IsAuthenticated);
        Assert.Equal(2, provider.Requests.Count);
        Assert.False(provider.Requests[0].ForceRefresh);
        Assert.True(provider.Requests[1].ForceRefresh);
        Assert.All(provider.Requests, r => Assert.Equal(protocol, r.Protocol));
    }

    [Fact]
    public async Task Authenticate_RealProviderFirstTokenRejected_RefreshesThroughTheTokenServiceOnce()
    {
        // A provider whose cache serves a bad token first: the retry must bypass every cache (MSAL's too).
        using var identity = new TestIdentity(_servers);
        var mailbox = MailServers.NewMailbox("msal");
        var provider = new FirstTokenBroken(identity.CreateProvider(Flow.ClientSecret));

        using var client = await RealConnect.ConnectAsync(_servers, MailProtocol.Imap, provider, mailbox);

        Assert.True(client.IsAuthenticated);
        Assert.Equal(2, provider.Calls);
        // Without bypassing MSAL's cache the second call would have been served from it: one request only.
        Assert.Equal(2, identity.Fake.TokenRequestCount);
    }

    [Fact]
    public async Task Pop3_RejectedToken_IsMailAuthenticationExceptionAndConnectionStaysUsable()
    {
        using var identity = new TestIdentity(_servers);
        var mailbox = MailServers.NewMailbox("pop");
        var expired = identity.MintDelegated(mailbox, MailProtocol.Pop, d =>
        {
            d.IssuedAt = DateTimeOffset.UtcNow.AddHours(-2);
            d.ExpiresAt = DateTimeOffset.UtcNow.AddHours(-1);
        });
        using var client = new Pop3Client(new MailKitProtocolLogger()) { ServerCertificateValidationCallback = _servers.TrustServerCertificate, CheckCertificateRevocation = false };
        await client.ConnectAsync(_servers.Host, _servers.Pop3sPort, SecureSocketOptions.SslOnConnect);

        var ex = await Assert.ThrowsAsync<MailAuthenticationException>(() =>
            client.AuthenticateAsync(new ScriptedTokenProvider(false, expired), mailbox, new MailKitAuthenticationOptions { RetryWithFreshToken = false }));

        Assert.Equal(MailFindingCodes.TokenExpired, ex.ErrorCode);
        Assert.IsType<AuthenticationException>(ex.InnerException);
        Assert.Contains("-ERR [AUTH] Authentication failed.", ex.ServerResponse, StringComparison.Ordinal);
        // The challenge was answered, so the session is in step: the same connection authenticates with a good token.
        Assert.True(client.IsConnected);
        await client.AuthenticateAsync(new ScriptedTokenProvider(false, identity.MintDelegated(mailbox, MailProtocol.Pop)), mailbox);
        Assert.True(client.IsAuthenticated);
        Assert.Equal(0, await client.GetMessageCountAsync());
    }

    [Fact]
    public async Task RawMailKit_Pop3RejectedXOAuth2_ThrowsPop3ProtocolException()
    {
        // Why the adapter brings its own SASL mechanisms: MailKit 4.18's SaslMechanismOAuth2 marks itself done after
        // sending the token, so the POP3 client does not answer Dovecot's JSON challenge and throws a protocol error.
        using var identity = new TestIdentity(_servers);
        var mailbox = MailServers.NewMailbox("raw");
        var expired = identity.MintDelegated(mailbox, MailProtocol.Pop, d =>
        {
            d.IssuedAt = DateTimeOffset.UtcNow.AddHours(-2);
            d.ExpiresAt = DateTimeOffset.UtcNow.AddHours(-1);
        });
        using var client = new Pop3Client { ServerCertificateValidationCallback = _servers.TrustServerCertificate, CheckCertificateRevocation = false };
        await client.ConnectAsync(_servers.Host, _servers.Pop3sPort, SecureSocketOptions.SslOnConnect);

        await Assert.ThrowsAsync<Pop3ProtocolException>(() => client.AuthenticateAsync(new SaslMechanismOAuth2(mailbox, expired)));
    }

    [Fact]
    public async Task RawMailKit_ImapRejectedXOAuth2_LosesTheServersWords()
    {
        using var identity = new TestIdentity(_servers);
        var mailbox = MailServers.NewMailbox("raw");
        var expired = identity.MintDelegated(mailbox, MailProtocol.Imap, d =>
        {
            d.IssuedAt = DateTimeOffset.UtcNow.AddHours(-2);
            d.ExpiresAt = DateTimeOffset.UtcNow.AddHours(-1);
        });
        using var client = new ImapClient { ServerCertificateValidationCallback = _servers.TrustServerCertificate, CheckCertificateRevocation = false };
        await client.ConnectAsync(_servers.Host, _servers.ImapsPort, SecureSocketOptions.SslOnConnect);

        var ex = await Assert.ThrowsAsync<AuthenticationException>(() => client.AuthenticateAsync(new SaslMechanismOAuth2(mailbox, expired)));

        Assert.Equal("Authentication failed.", ex.Message);
    }

    [Theory]
    [InlineData(MailProtocol.Imap)]
    [InlineData(MailProtocol.Pop)]
    [InlineData(MailProtocol.Smtp)]
    public async Task Authenticate_AppOnlyWithoutMailbox_ArgumentExceptionBeforeAnyTokenRequest(MailProtocol protocol)
    {
        var provider = new ScriptedTokenProvider(true, "unused");

        var ex = await Assert.ThrowsAsync<ArgumentException>(() => RealConnect.ConnectAsync(_servers, protocol, provider, mailbox: null));

        Assert.Equal("mailbox", ex.ParamName);
        Assert.Empty(provider.Requests);
    }

    [Theory]
    [InlineData(MailProtocol.Imap)]
    [InlineData(MailProtocol.Pop)]
    [InlineData(MailProtocol.Smtp)]
    public async Task Authenticate_CancelledWhileGettingToken_OperationCanceledPassesThrough(MailProtocol protocol)
    {
        var provider = new ScriptedTokenProvider(false, "unused") { WaitForCancellation = true };
        using var cts = new CancellationTokenSource();
        var pending = RealConnect.ConnectAsync(_servers, protocol, provider, MailServers.NewMailbox("cancel"), cancellationToken: cts.Token);
        while (provider.Requests.Count == 0 && !pending.IsCompleted)
        {
            await Task.Yield();
        }

        await cts.CancelAsync();

        var ex = await Assert.ThrowsAnyAsync<OperationCanceledException>(() => pending);
        Assert.Equal(cts.Token, ex.CancellationToken);
    }

    [Fact]
    public async Task Authenticate_AlreadyCancelled_OperationCanceledWithoutTokenRequest()
    {
        var provider = new ScriptedTokenProvider(false, "unused");
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => RealConnect.ConnectAsync(_servers, MailProtocol.Imap, provider, "x@contoso.test", cancellationToken: cts.Token));

        Assert.Empty(provider.Requests);
    }

    /// <summary>Wraps a real provider and spoils the first token it returns, as if a cached token had been revoked.</summary>
    private sealed class FirstTokenBroken : MailTokenProvider
    {
        private readonly MailTokenProvider _inner;

        public FirstTokenBroken(MailTokenProvider inner) => _inner = inner;

        public override bool IsAppOnly => _inner.IsAppOnly;

        public int Calls { get; private set; }

        public override async ValueTask<MailAccessToken> GetTokenAsync(MailTokenRequest request, CancellationToken cancellationToken = default)
        {
            Calls++;
            var token = await _inner.GetTokenAsync(request, cancellationToken);
            if (Calls == 1)
            {
                Assert.False(request.ForceRefresh);
                var parts = token.Token.Split('.');
                return new MailAccessToken(parts[0] + "." + parts[1] + ".AAAA" + parts[2][4..], token.ExpiresOn, token.Account);
            }

            Assert.True(request.ForceRefresh);
            return token;
        }
    }
}
