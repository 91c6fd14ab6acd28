using System.Collections.Concurrent;
using Azure.Core;
using Azure.Identity;
using MailKit;
using MimeKit;
using ModernAuth.Mail.AzureIdentity.Tests.Support;
using ModernAuth.Mail.MailKit;

namespace ModernAuth.Mail.AzureIdentity.Tests.Providers;

/// <summary>Real Azure.Identity credentials against the fake Entra ID, through the bridge, into real Dovecot and Postfix.</summary>
public sealed class TokenCredentialMailTokenProviderTests
{
    [Fact]
    public async Task ClientSecretCredential_ImapAndSmtp_LogInAtDovecotAndPostfixWithOneTokenRequest()
    {
        await using var identity = await AzureTestIdentity.StartAsync();
        var provider = identity.SecretCredential().AsMailTokenProvider(identity.ProviderOptions());
        var mailbox = AzureTestIdentity.NewMailbox("azid-secret");
        var subject = "Azure.Identity bridge " + Guid.NewGuid().ToString("N");

        using (var smtp = await MailKitConnector.ConnectSmtpAsync(provider, mailbox, options: identity.ConnectOptions(MailProtocol.Smtp)))
        {
            Assert.True(smtp.IsAuthenticated);
            var message = new MimeMessage();
            message.From.Add(MailboxAddress.Parse(mailbox));
            message.To.Add(MailboxAddress.Parse(mailbox));
            message.Subject = subject;
            message.Body = new TextPart("plain") { Text = "Sent with a token from ClientSecretCredential." };
            await smtp.SendAsync(message);
            await smtp.DisconnectAsync(quit: true);
        }

        using (var imap = await MailKitConnector.ConnectImapAsync(provider, mailbox, options: identity.ConnectOptions(MailProtocol.Imap)))
        {
            Assert.True(imap.IsAuthenticated);
            await imap.Inbox.OpenAsync(FolderAccess.ReadOnly);
            var deadline = DateTime.UtcNow.AddSeconds(30);
            while (!(await imap.Inbox.SearchAsync(global::MailKit.Search.SearchQuery.SubjectContains(subject))).Any())
            {
                Assert.True(DateTime.UtcNow < deadline, "The message sent over SMTP never reached the IMAP inbox.");
                await Task.Delay(200);
                await imap.NoOpAsync();
            }

            await imap.DisconnectAsync(quit: true);
        }

        // SMTP and IMAP ask for the same resource (https://outlook.office365.com/.default): one token for both.
        Assert.Equal(1, identity.TokenRequests);
        var request = Assert.Single(identity.Fake.Requests, r => r.IsTokenRequest);
        Assert.Equal("https://outlook.office365.com/.default", request.Scope);
        Assert.True(provider.IsAppOnly);
    }

    [Fact]
    public async Task ClientCertificateCredential_Imap_LogsInAtDovecot()
    {
        await using var identity = await AzureTestIdentity.StartAsync();
        var provider = identity.CertificateCredential().AsMailTokenProvider(identity.ProviderOptions());
        var mailbox = AzureTestIdentity.NewMailbox("azid-cert");

        using var imap = await MailKitConnector.ConnectImapAsync(provider, mailbox, options: identity.ConnectOptions(MailProtocol.Imap));

        Assert.True(imap.IsAuthenticated);
        Assert.Equal(1, identity.TokenRequests);
        await imap.DisconnectAsync(quit: true);
    }

    [Fact]
    public async Task GetTokenAsync_SecondCall_ServedFromTheGateWithoutCallingTheCredential()
    {
        await using var identity = await AzureTestIdentity.StartAsync();
        var credential = new CountingCredential(identity.SecretCredential());
        var provider = credential.AsMailTokenProvider(identity.ProviderOptions());

        var first = await provider.GetTokenAsync(provider.CreateRequest(MailProtocol.Imap, "a@contoso.test"));
        var second = await provider.GetTokenAsync(provider.CreateRequest(MailProtocol.Smtp, "b@contoso.test"));

        Assert.Equal(first.Token, second.Token);
        Assert.Equal("a@contoso.test", first.Account);
        Assert.Equal("b@contoso.test", second.Account);
        Assert.Equal(1, credential.Calls);
        Assert.Equal(1, identity.TokenRequests);
    }

    [Fact]
    public async Task GetTokenAsync_HundredConcurrentColdCallers_OneTokenRequest()
    {
        await using var identity = await AzureTestIdentity.StartAsync();
        var credential = new CountingCredential(identity.SecretCredential());
        var provider = credential.AsMailTokenProvider(identity.ProviderOptions());
        using var start = new ManualResetEventSlim();

        var callers = Enumerable.Range(0, 100).Select(i => Task.Run(async () =>
        {
            start.Wait();
            return await provider.GetTokenAsync(new MailTokenRequest(MailProtocol.Imap, $"user{i}@contoso.test"));
        })).ToArray();
        start.Set();
        var tokens = await Task.WhenAll(callers);

        Assert.Single(tokens.Select(t => t.Token).Distinct());
        Assert.Equal(1, credential.Calls);
        Assert.Equal(1, identity.TokenRequests);
    }

    [Fact]
    public async Task GetTokenAsync_Graph_AsksForGraphDefaultScope()
    {
        await using var identity = await AzureTestIdentity.StartAsync();
        var provider = identity.SecretCredential().AsMailTokenProvider(identity.ProviderOptions());

        await provider.GetTokenAsync(new MailTokenRequest(MailProtocol.Graph, "a@contoso.test"));
        await provider.GetTokenAsync(new MailTokenRequest(MailProtocol.Ews, "a@contoso.test"));

        Assert.Equal(
            new[] { "https://graph.microsoft.com/.default", "https://outlook.office365.com/.default" },
            identity.Fake.Requests.Where(r => r.IsTokenRequest).Select(r => r.Scope).ToArray());
    }

    [Fact]
    public async Task GetTokenAsync_UsGovernmentCloud_AsksForThatCloudsResource()
    {
        var credential = new RecordingCredential();
        var provider = credential.AsMailTokenProvider(new TokenCredentialMailTokenProviderOptions { Cloud = MailCloud.UsGovernmentHigh, TenantId = "fabrikam.onmicrosoft.us" });

        await provider.GetTokenAsync(new MailTokenRequest(MailProtocol.Imap, "a@fabrikam.us"));

        var context = Assert.Single(credential.Requests);
        Assert.Equal(new[] { "https://outlook.office365.us/.default" }, context.Scopes);
        Assert.Equal("fabrikam.onmicrosoft.us", context.TenantId);
        Assert.Same(MailCloud.UsGovernmentHigh, provider.Cloud);
    }

    [Fact]
    public async Task GetTokenAsync_WrongSecret_InvalidClientSecretWithRemedyAndNoSecretAnywhere()
    {
        await using var identity = await AzureTestIdentity.StartAsync();
        const string wrong = "wrong~Secret.Value-never-logged-0123456789";
        var provider = identity.SecretCredential(wrong).AsMailTokenProvider(identity.ProviderOptions());

        var error = await Assert.ThrowsAsync<MailAuthenticationException>(async () => await provider.GetTokenAsync(new MailTokenRequest(MailProtocol.Imap, "a@contoso.test")));

        Assert.Equal(MailErrorCodes.InvalidClientSecret, error.ErrorCode);
        Assert.False(error.IsRetryable);
        Assert.Contains("AADSTS7000215", error.Message, StringComparison.Ordinal);
        Assert.Contains("ClientSecretCredential", error.Message, StringComparison.Ordinal);
        Assert.Contains("New client secret", error.Remedy, StringComparison.Ordinal);
        Assert.Contains(identity.ClientId, error.Remedy, StringComparison.Ordinal);
        Assert.IsType<AuthenticationFailedException>(error.InnerException);
        Assert.Equal(MailProtocol.Imap, error.Protocol);
        Assert.DoesNotContain(wrong, error.Message + error.Remedy + error.ServerResponse, StringComparison.Ordinal);
        Assert.DoesNotContain(wrong, identity.Logs.AllText, StringComparison.Ordinal);
        Assert.Contains("[1002]", identity.Logs.AllText, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetTokenAsync_CredentialUnavailable_InvalidConfigurationNamingWhatToConfigure()
    {
        // A real Azure.Identity credential with nothing to go on: no AZURE_* variables in this process.
        var credential = new EnvironmentCredential(new EnvironmentCredentialOptions());
        var provider = credential.AsMailTokenProvider();

        var error = await Assert.ThrowsAsync<MailAuthenticationException>(async () => await provider.GetTokenAsync(new MailTokenRequest(MailProtocol.Smtp, "a@contoso.test")));

        Assert.Equal(MailErrorCodes.InvalidConfiguration, error.ErrorCode);
        Assert.StartsWith("EnvironmentCredential is not available in this environment: EnvironmentCredential authentication unavailable.", error.Message, StringComparison.Ordinal);
        Assert.Contains("managed identity", error.Remedy, StringComparison.Ordinal);
        Assert.IsType<CredentialUnavailableException>(error.InnerException);
    }

    [Fact]
    public async Task GetTokenAsync_TokenServiceDown_RetryableUnavailable()
    {
        await using var identity = await AzureTestIdentity.StartAsync();
        identity.Fake.FailNext(5, System.Net.HttpStatusCode.ServiceUnavailable);
        var provider = identity.SecretCredential().AsMailTokenProvider(identity.ProviderOptions());

        var error = await Assert.ThrowsAsync<MailAuthenticationException>(async () => await provider.GetTokenAsync(new MailTokenRequest(MailProtocol.Imap, "a@contoso.test")));

        Assert.Equal(MailErrorCodes.TokenServiceUnavailable, error.ErrorCode);
        Assert.True(error.IsRetryable);
        Assert.Contains("HTTP 503", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetTokenAsync_Cancelled_OperationCanceledUnwrapped()
    {
        await using var identity = await AzureTestIdentity.StartAsync();
        identity.Fake.HangNext();
        var provider = identity.SecretCredential().AsMailTokenProvider(identity.ProviderOptions());
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await provider.GetTokenAsync(new MailTokenRequest(MailProtocol.Imap, "a@contoso.test"), cancel.Token));
    }

    [Fact]
    public async Task GetTokenAsync_Success_LogsFingerprintNeverTokenOrSecret()
    {
        await using var identity = await AzureTestIdentity.StartAsync();
        var provider = identity.SecretCredential().AsMailTokenProvider(identity.ProviderOptions());

        var token = await provider.GetTokenAsync(new MailTokenRequest(MailProtocol.Imap, "a@contoso.test"));

        var logs = identity.Logs.AllText;
        Assert.Contains("[1001]", logs, StringComparison.Ordinal);
        Assert.Contains(token.Fingerprint, logs, StringComparison.Ordinal);
        Assert.DoesNotContain(token.Token, logs, StringComparison.Ordinal);
        Assert.DoesNotContain(token.Token.Split('.')[1], logs, StringComparison.Ordinal);
        Assert.DoesNotContain(identity.Secret, logs, StringComparison.Ordinal);
        Assert.DoesNotContain(token.Token, token.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(identity.Secret, provider.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetTokenAsync_DelegatedOptionWithAppOnlyToken_WarnsToFixTheOption()
    {
        await using var identity = await AzureTestIdentity.StartAsync();
        var provider = identity.SecretCredential().AsMailTokenProvider(identity.ProviderOptions(o => o.IsAppOnly = false));

        var token = await provider.GetTokenAsync(new MailTokenRequest(MailProtocol.Imap, "a@contoso.test"));

        Assert.False(provider.IsAppOnly);
        Assert.Contains("[7001]", identity.Logs.AllText, StringComparison.Ordinal);
        Assert.Contains("app-only (roles)", identity.Logs.AllText, StringComparison.Ordinal);
        Assert.Equal("https://outlook.office365.com/.default", Assert.Single(identity.Fake.Requests, r => r.IsTokenRequest).Scope);
        Assert.NotNull(token.Token);
    }

    [Fact]
    public void Constructor_NullCredential_Throws()
    {
        Assert.Throws<ArgumentNullException>(() => new TokenCredentialMailTokenProvider(null!));
        Assert.Throws<ArgumentNullException>(() => ((TokenCredential)null!).AsMailTokenProvider());
    }

    /// <summary>Counts the bridge's calls into a real credential.</summary>
    private sealed class CountingCredential(TokenCredential inner) : TokenCredential
    {
        private int _calls;

        public int Calls => Volatile.Read(ref _calls);

        public override AccessToken GetToken(TokenRequestContext requestContext, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _calls);
            return inner.GetToken(requestContext, cancellationToken);
        }

        public override ValueTask<AccessToken> GetTokenAsync(TokenRequestContext requestContext, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _calls);
            return inner.GetTokenAsync(requestContext, cancellationToken);
        }
    }

    /// <summary>Records what the bridge asks for and answers with an opaque token.</summary>
    private sealed class RecordingCredential : TokenCredential
    {
        public ConcurrentQueue<TokenRequestContext> Requests { get; } = new();

        public override AccessToken GetToken(TokenRequestContext requestContext, CancellationToken cancellationToken) =>
            GetTokenAsync(requestContext, cancellationToken).AsTask().GetAwaiter().GetResult();

        public override ValueTask<AccessToken> GetTokenAsync(TokenRequestContext requestContext, CancellationToken cancellationToken)
        {
            Requests.Enqueue(requestContext);
            return new ValueTask<AccessToken>(new AccessToken("opaque-" + Guid.NewGuid().ToString("N"), DateTimeOffset.UtcNow.AddHours(1)));
        }
    }
}
