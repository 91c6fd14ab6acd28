using ModernAuth.Mail.Ews.Tests.Support;

namespace ModernAuth.Mail.Ews.Tests.Http;

/// <summary>No token, nor any part of one, ever reaches the logs, whatever path the request takes.</summary>
public sealed class EwsLoggingTests : IAsyncLifetime
{
    private EwsTestContext _context = null!;

    public async Task InitializeAsync() => _context = await EwsTestContext.StartAsync();

    public async Task DisposeAsync() => await _context.DisposeAsync();

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Logs_EveryPathWithSoapBodiesAtTrace_NeverContainTokenOrSignature(bool appOnly)
    {
        var options = _context.CreateOptions();
        options.LogSoapBodies = true;
        var client = _context.CreateClient(appOnly, options: options);
        var mailbox = _context.Server.Mailbox(appOnly ? EwsTestContext.Shared : EwsTestContext.User);
        var stored = mailbox.AddMessage("inbox", "log me");

        // Success, 401 refresh, throttling, a SOAP fault and an error response message: every branch that logs.
        await client.FindItemsAsync(EwsFolderId.Inbox);
        _context.Server.RejectNextToken();
        await client.GetItemAsync(new EwsItemId(stored.Id));
        _context.Server.AnswerNext(429, "text/plain", "slow", ("Retry-After", "1"));
        await client.GetFolderAsync(EwsFolderId.Inbox);
        _context.Server.FaultNext("ErrorServerBusy", "busy", 10);
        await client.SyncFolderItemsAsync(EwsFolderId.Inbox);
        await Assert.ThrowsAsync<EwsException>(() => client.GetItemAsync(new EwsItemId("AAMkNotThere=")));
        _context.Server.RejectNextToken();
        _context.Server.RejectNextToken();
        await Assert.ThrowsAsync<MailAuthenticationException>(() => client.GetFolderAsync(EwsFolderId.Inbox));

        var tokens = _context.Server.Requests.Select(r => r.BearerToken).OfType<string>().Distinct().ToList();
        Assert.True(tokens.Count >= 2, "the refresh must have produced a second token");
        var logs = _context.Logs.AllText;
        Assert.Contains("Bearer ***", logs, StringComparison.Ordinal);
        Assert.Contains("[3008]", logs, StringComparison.Ordinal);
        Assert.Contains("[3009]", logs, StringComparison.Ordinal);
        Assert.Contains("log me", logs, StringComparison.Ordinal);
        foreach (var token in tokens)
        {
            Assert.DoesNotContain(token, logs, StringComparison.Ordinal);
            var parts = token.Split('.');
            Assert.DoesNotContain(parts[2], logs, StringComparison.Ordinal);
            Assert.DoesNotContain(parts[1], logs, StringComparison.Ordinal);
            Assert.Contains(new MailAccessToken(token, DateTimeOffset.MaxValue).Fingerprint, logs, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Logs_SoapBodiesOff_NoBodyLogged()
    {
        var client = _context.CreateClient(appOnly: true);
        _context.Server.Mailbox(EwsTestContext.Shared).AddMessage("inbox", "private subject");

        await client.FindItemsAsync(EwsFolderId.Inbox);

        Assert.DoesNotContain("private subject", _context.Logs.AllText, StringComparison.Ordinal);
        Assert.DoesNotContain("[3008]", _context.Logs.AllText, StringComparison.Ordinal);
    }

    [Fact]
    public void Redact_TextWithJwtAndOpaqueTokens_ReplacesThem()
    {
        const string jwt = "eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.eyJhdWQiOiJodHRwczovL291dGxvb2sub2ZmaWNlMzY1LmNvbSJ9.c2lnbmF0dXJlLXBhcnQ";
        var opaque = "EwA" + new string('x', 80);

        var redacted = Internal.Redaction.Redact($"<t:Token>{jwt}</t:Token> Authorization: Bearer abc.def {opaque} secret-42", "secret-42");

        Assert.DoesNotContain("eyJ0eXAi", redacted, StringComparison.Ordinal);
        Assert.DoesNotContain("c2lnbmF0dXJlLXBhcnQ", redacted, StringComparison.Ordinal);
        Assert.DoesNotContain(opaque, redacted, StringComparison.Ordinal);
        Assert.DoesNotContain("abc.def", redacted, StringComparison.Ordinal);
        Assert.DoesNotContain("secret-42", redacted, StringComparison.Ordinal);
    }
}
