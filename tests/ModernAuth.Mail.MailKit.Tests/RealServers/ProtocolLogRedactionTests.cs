using System.Text;
using MailKit;
using MailKit.Net.Imap;
using MailKit.Net.Pop3;
using MailKit.Net.Smtp;
using MailKit.Security;
using ModernAuth.Mail.MailKit.Tests.Support;

namespace ModernAuth.Mail.MailKit.Tests.RealServers;

/// <summary>
/// The protocol log a user turns on never shows a token, an XOAUTH2/OAUTHBEARER string or a password, whether
/// authentication succeeds or the server rejects the token and its challenge is answered.
/// </summary>
[Collection(MailServersCollection.Name)]
[Trait("Category", "RealServers")]
public sealed class ProtocolLogRedactionTests
{
    private readonly MailServers _servers;

    public ProtocolLogRedactionTests(MailServers servers) => _servers = servers;

    public static TheoryData<MailProtocol, MailKitOAuthMechanism> ProtocolsAndMechanisms
    {
        get
        {
            var data = new TheoryData<MailProtocol, MailKitOAuthMechanism>();
            foreach (var protocol in new[] { MailProtocol.Imap, MailProtocol.Pop, MailProtocol.Smtp })
            {
                data.Add(protocol, MailKitOAuthMechanism.XOAuth2);
                data.Add(protocol, MailKitOAuthMechanism.OAuthBearer);
            }

            return data;
        }
    }

    [Theory]
    [MemberData(nameof(ProtocolsAndMechanisms))]
    public async Task ProtocolLog_SuccessfulAuthentication_NoSecret(MailProtocol protocol, MailKitOAuthMechanism mechanism)
    {
        using var identity = new TestIdentity(_servers);
        var mailbox = MailServers.NewMailbox("log");
        var token = identity.MintDelegated(mailbox, protocol);
        var log = new CapturingProtocolLogger();

        using (var client = await RealConnect.ConnectAsync(_servers, protocol, new ScriptedTokenProvider(false, token), mailbox, o =>
        {
            o.ProtocolLogger = log;
            o.Mechanism = mechanism;
        }))
        {
            Assert.True(client.IsAuthenticated);
            await client.DisconnectAsync(quit: true);
        }

        var name = mechanism == MailKitOAuthMechanism.XOAuth2 ? "XOAUTH2" : "OAUTHBEARER";
        Assert.Contains($"AUTH{(protocol == MailProtocol.Imap ? "ENTICATE" : string.Empty)} {name}", log.Text, StringComparison.Ordinal);
        Assert.Contains(MailKitProtocolLogger.Mask, log.Text, StringComparison.Ordinal);
        AssertNoSecret(log.Text, token, mailbox, mechanism);
        // What follows the authentication is logged as usual.
        Assert.Contains(protocol switch { MailProtocol.Imap => "LOGOUT", MailProtocol.Pop => "QUIT", _ => "QUIT" }, log.Text, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(ProtocolsAndMechanisms))]
    public async Task ProtocolLog_RejectedTokenAndAnsweredChallenge_NoSecret(MailProtocol protocol, MailKitOAuthMechanism mechanism)
    {
        using var identity = new TestIdentity(_servers);
        var mailbox = MailServers.NewMailbox("log");
        var bad = identity.MintDelegated(mailbox, protocol, d => d.Audience = "https://graph.microsoft.com");
        var log = new CapturingProtocolLogger();

        var ex = await Assert.ThrowsAsync<MailAuthenticationException>(() => RealConnect.ConnectAsync(_servers, protocol, new ScriptedTokenProvider(false, bad), mailbox, o =>
        {
            o.ProtocolLogger = log;
            o.Mechanism = mechanism;
        }));

        AssertNoSecret(log.Text, bad, mailbox, mechanism);
        AssertNoSecret(ex.ToString(), bad, mailbox, mechanism);
        // The server's challenge and final reply are in the log, for whoever reads it.
        Assert.Contains(RealConnect.DovecotFailure(protocol), log.Text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(MailProtocol.Imap)]
    [InlineData(MailProtocol.Pop)]
    [InlineData(MailProtocol.Smtp)]
    public async Task ProtocolLog_PasswordLoginThroughOurLogger_PasswordMasked(MailProtocol protocol)
    {
        Assert.NotNull(_servers.PasswordUser);
        var log = new CapturingProtocolLogger();
        using MailService client = protocol switch
        {
            MailProtocol.Imap => new ImapClient(new MailKitProtocolLogger(log)),
            MailProtocol.Pop => new Pop3Client(new MailKitProtocolLogger(log)),
            _ => new SmtpClient(new MailKitProtocolLogger(log)),
        };
        var options = _servers.ConnectOptions(protocol);
        client.ServerCertificateValidationCallback = options.ServerCertificateValidationCallback;
        client.CheckCertificateRevocation = false;
        await client.ConnectAsync(_servers.Host, options.Port!.Value, MailKitConnector.ToSecureSocketOptions(options.TlsMode!.Value));

        await client.AuthenticateAsync(_servers.PasswordUser, _servers.Password!);
        await client.DisconnectAsync(quit: true);

        Assert.True(log.Text.Length > 100);
        Assert.DoesNotContain(_servers.Password!, log.Text, StringComparison.Ordinal);
        Assert.DoesNotContain(Convert.ToBase64String(Encoding.UTF8.GetBytes(_servers.Password!)), log.Text, StringComparison.Ordinal);
        Assert.DoesNotContain(Convert.ToBase64String(Encoding.UTF8.GetBytes("\0" + _servers.PasswordUser + "\0" + _servers.Password)), log.Text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(MailProtocol.Imap)]
    [InlineData(MailProtocol.Pop)]
    [InlineData(MailProtocol.Smtp)]
    public async Task ProtocolLog_MailKitLoggerAloneWithOurMechanism_MailKitsDetectorMasksToo(MailProtocol protocol)
    {
        // A client created with MailKit's own logger (not ours) still logs no token: MailKit's secret detectors
        // recognise the initial response, the token sent after "+" and the answer to the challenge.
        using var identity = new TestIdentity(_servers);
        var mailbox = MailServers.NewMailbox("mk");
        var token = identity.MintDelegated(mailbox, protocol);
        // Expired, so the adapter asks for a fresh token and answers the server twice.
        var bad = identity.MintDelegated(mailbox, protocol, d =>
        {
            d.IssuedAt = DateTimeOffset.UtcNow.AddHours(-2);
            d.ExpiresAt = DateTimeOffset.UtcNow.AddHours(-1);
        });
        var log = new CapturingProtocolLogger();
        using MailService client = protocol switch
        {
            MailProtocol.Imap => new ImapClient(log),
            MailProtocol.Pop => new Pop3Client(log),
            _ => new SmtpClient(log),
        };
        var options = _servers.ConnectOptions(protocol);
        client.ServerCertificateValidationCallback = options.ServerCertificateValidationCallback;
        client.CheckCertificateRevocation = false;
        await client.ConnectAsync(_servers.Host, options.Port!.Value, MailKitConnector.ToSecureSocketOptions(options.TlsMode!.Value));
        var provider = new ScriptedTokenProvider(false, bad, token);

        await AuthenticateAsync(client, provider, mailbox);

        Assert.True(client.IsAuthenticated);
        AssertNoSecret(log.Text, token, mailbox, MailKitOAuthMechanism.XOAuth2);
        AssertNoSecret(log.Text, bad, mailbox, MailKitOAuthMechanism.XOAuth2);
    }

    [Fact]
    public async Task AuthenticateAsync_ImapOverStartTls_Authenticates()
    {
        using var identity = new TestIdentity(_servers);
        var mailbox = MailServers.NewMailbox("starttls");
        var options = _servers.ConnectOptions(MailProtocol.Imap, startTls: true);

        using var imap = await MailKitConnector.ConnectImapAsync(identity.CreateProvider(Flow.ClientCertificate), mailbox, options: options);

        Assert.True(imap.IsAuthenticated);
        Assert.True(imap.IsSecure);
        var inbox = imap.Inbox;
        await inbox.OpenAsync(FolderAccess.ReadOnly);
        Assert.Equal(0, inbox.Count);
    }

    [Fact]
    public async Task AuthenticateAsync_Pop3OverStls_Authenticates()
    {
        using var identity = new TestIdentity(_servers);
        var mailbox = MailServers.NewMailbox("stls");

        using var pop = await MailKitConnector.ConnectPop3Async(identity.CreateProvider(Flow.ClientSecret), mailbox, options: _servers.ConnectOptions(MailProtocol.Pop, startTls: true));

        Assert.True(pop.IsAuthenticated);
        Assert.True(pop.IsSecure);
    }

    private static Task AuthenticateAsync(MailService client, MailTokenProvider provider, string mailbox) => client switch
    {
        ImapClient imap => imap.AuthenticateAsync(provider, mailbox),
        Pop3Client pop => pop.AuthenticateAsync(provider, mailbox),
        SmtpClient smtp => smtp.AuthenticateAsync(provider, mailbox),
        _ => throw new ArgumentOutOfRangeException(nameof(client)),
    };

    private static void AssertNoSecret(string text, string token, string mailbox, MailKitOAuthMechanism mechanism)
    {
        Assert.DoesNotContain(token, text, StringComparison.Ordinal);
        // No recognisable piece of the token either: header, payload, signature.
        foreach (var part in token.Split('.'))
        {
            Assert.DoesNotContain(part[..Math.Min(24, part.Length)], text, StringComparison.Ordinal);
        }

        var xoauth2 = Convert.ToBase64String(Encoding.ASCII.GetBytes($"user={mailbox}\u0001auth=Bearer {token}\u0001\u0001"));
        Assert.DoesNotContain(xoauth2[..40], text, StringComparison.Ordinal);
        if (mechanism == MailKitOAuthMechanism.OAuthBearer)
        {
            var bearer = Convert.ToBase64String(Encoding.UTF8.GetBytes($"n,a={mailbox},\u0001"));
            Assert.DoesNotContain(bearer[..12], text, StringComparison.Ordinal);
        }
    }
}
