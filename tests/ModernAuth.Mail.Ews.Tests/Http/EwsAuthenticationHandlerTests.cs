using System.Net;
using System.Text;
using System.Xml.Linq;
using ModernAuth.Mail.Diagnostics;
using ModernAuth.Mail.Ews.Tests.Support;
using ModernAuth.Mail.Testing;

namespace ModernAuth.Mail.Ews.Tests.Http;

/// <summary>The handler on its own and under the client: 401 refresh and replay, throttling, impersonation, plain HTTP.</summary>
public sealed class EwsAuthenticationHandlerTests : IAsyncLifetime
{
    private static readonly XNamespace T = "http://schemas.microsoft.com/exchange/services/2006/types";
    private static readonly XNamespace S = "http://schemas.xmlsoap.org/soap/envelope/";
    private EwsTestContext _context = null!;

    public async Task InitializeAsync() => _context = await EwsTestContext.StartAsync();

    public async Task DisposeAsync() => await _context.DisposeAsync();

    [Fact]
    public async Task SendAsync_ServerRejectsFirstToken_RefreshesOnceAndReplaysSameBody()
    {
        var client = _context.CreateClient(appOnly: true);
        _context.Server.RejectNextToken();

        var inbox = await client.GetFolderAsync(EwsFolderId.Inbox);

        Assert.Equal("Inbox", inbox.DisplayName);
        Assert.Equal(2, _context.Entra.TokenRequestCount);
        var requests = _context.Server.Requests;
        Assert.Equal(2, requests.Count);
        Assert.Equal(requests[0].Body, requests[1].Body);
        Assert.NotEqual(requests[0].BearerToken, requests[1].BearerToken);
        Assert.All(requests, r => Assert.Equal(EwsTestContext.Shared, r.AnchorMailbox));
        Assert.Contains("[3003]", _context.Logs.AllText, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(true, "full_access_as_app")]
    [InlineData(false, "EWS.AccessAsUser.All")]
    public async Task SendAsync_ServerRejectsFreshTokenToo_TokenRejectedWithRemedy(bool appOnly, string permission)
    {
        var client = _context.CreateClient(appOnly);
        await client.GetFolderAsync(EwsFolderId.Inbox);
        var tokenRequestsBefore = _context.Entra.TokenRequestCount;
        _context.Server.RejectNextToken();
        _context.Server.RejectNextToken("The token has an invalid signature.");

        var error = await Assert.ThrowsAsync<MailAuthenticationException>(() => client.GetFolderAsync(EwsFolderId.Inbox));

        Assert.Equal(EwsErrorCodes.TokenRejected, error.ErrorCode);
        Assert.Equal(MailProtocol.Ews, error.Protocol);
        Assert.False(error.IsRetryable);
        Assert.Contains(permission, error.Remedy, StringComparison.Ordinal);
        Assert.Contains("EWSAllowedAppIDs", error.Remedy, StringComparison.Ordinal);
        Assert.Contains("invalid signature", error.ServerResponse, StringComparison.Ordinal);
        Assert.Contains("invalid_token", error.ServerResponse, StringComparison.Ordinal);
        Assert.Equal(3, _context.Server.Requests.Count);
        Assert.True(_context.Entra.TokenRequestCount > tokenRequestsBefore, "a forced refresh must reach the token service");
    }

    [Fact]
    public async Task SendAsync_AppWithoutFullAccessAsApp_ServerRejectsAndFindingsNameTheRole()
    {
        const string clientId = "0d7b2d3c-1111-4e2f-9a8b-7c6d5e4f3a2b";
        _context.Entra.RegisterApplication(EwsTestContext.Tenant, clientId).WithSecret(EwsTestContext.Secret).WithAppRoles("IMAP.AccessAsApp");
        var provider = new ClientSecretTokenProvider(EwsTestContext.Tenant, clientId, EwsTestContext.Secret, new ClientSecretTokenProviderOptions().UseFakeEntraId(_context.Entra));
        using var client = new EwsClient(provider, EwsTestContext.Shared, _context.CreateOptions());

        var error = await Assert.ThrowsAsync<MailAuthenticationException>(() => client.GetFolderAsync(EwsFolderId.Inbox));

        // The token shows why: its finding decides the code and the fix. Roles granted since show only in a fresh token,
        // so that one refresh is still made.
        Assert.Equal(MailFindingCodes.MissingRole, error.ErrorCode);
        Assert.False(error.IsRetryable);
        Assert.Contains("full_access_as_app", error.Remedy, StringComparison.Ordinal);
        Assert.Contains(error.Findings, f => f.Code == MailFindingCodes.MissingRole);
        Assert.Contains("even after a fresh token", error.Message, StringComparison.Ordinal);
        Assert.Equal(2, _context.Server.Requests.Count);
    }

    [Fact]
    public async Task SendAsync_TokenForAnotherApi_WrongAudienceWithoutAFreshToken()
    {
        // A provider configured for another resource gets the same audience in every token: no refresh is worth it.
        var options = new ClientSecretTokenProviderOptions { Cloud = MailCloud.Global with { ExchangeResource = new Uri("https://graph.microsoft.com") } }.UseFakeEntraId(_context.Entra);
        var provider = new ClientSecretTokenProvider(EwsTestContext.Tenant, EwsTestContext.ConfidentialClientId, EwsTestContext.Secret, options);
        using var client = new EwsClient(provider, EwsTestContext.Shared, _context.CreateOptions());

        var error = await Assert.ThrowsAsync<MailAuthenticationException>(() => client.GetFolderAsync(EwsFolderId.Inbox));

        Assert.Equal(MailFindingCodes.WrongAudience, error.ErrorCode);
        Assert.Contains("https://outlook.office365.com/.default", error.Remedy, StringComparison.Ordinal);
        Assert.DoesNotContain("even after a fresh token", error.Message, StringComparison.Ordinal);
        Assert.Single(_context.Server.Requests);
        Assert.Equal(1, _context.Entra.TokenRequestCount);
        Assert.Contains("[3013]", _context.Logs.AllText, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(429)]
    [InlineData(503)]
    public async Task SendAsync_ThrottledWithRetryAfter_WaitsAsToldThenSucceeds(int status)
    {
        var time = new InstantTimeProvider();
        var client = _context.CreateClient(appOnly: false, options: _context.CreateOptions(time));
        _context.Server.AnswerNext(status, "text/plain", "slow down", ("Retry-After", "7"));

        var inbox = await client.GetFolderAsync(EwsFolderId.Inbox);

        Assert.Equal("Inbox", inbox.DisplayName);
        Assert.Equal([TimeSpan.FromSeconds(7)], time.Waits);
        Assert.Equal(2, _context.Server.Requests.Count);
        Assert.Equal(_context.Server.Requests[0].Body, _context.Server.Requests[1].Body);
    }

    [Fact]
    public async Task SendAsync_ThrottledBeyondMaxRetries_ThrottledAfterBoundedAttempts()
    {
        var time = new InstantTimeProvider();
        var options = _context.CreateOptions(time);
        options.MaxRetries = 3;
        options.DefaultRetryDelay = TimeSpan.FromMilliseconds(100);
        var client = _context.CreateClient(appOnly: true, options: options);
        for (var i = 0; i < 10; i++)
        {
            _context.Server.AnswerNext(503, "text/html", "<html><title>Service Unavailable</title></html>");
        }

        var error = await Assert.ThrowsAsync<EwsException>(() => client.FindItemsAsync(EwsFolderId.Inbox));

        Assert.Equal(EwsErrorCodes.Throttled, error.ErrorCode);
        Assert.True(error.IsRetryable);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, error.StatusCode);
        Assert.Equal(4, _context.Server.Requests.Count);
        Assert.Equal([TimeSpan.FromMilliseconds(100), TimeSpan.FromMilliseconds(200), TimeSpan.FromMilliseconds(400)], time.Waits);
    }

    [Fact]
    public async Task SendAsync_RetryAfterLongerThanBudget_FailsAtOnceWithRetryAfter()
    {
        var time = new InstantTimeProvider();
        var client = _context.CreateClient(appOnly: true, options: _context.CreateOptions(time));
        _context.Server.AnswerNext(429, "text/plain", "Too many requests", ("Retry-After", "300"));

        var error = await Assert.ThrowsAsync<EwsException>(() => client.GetFolderAsync(EwsFolderId.Inbox));

        Assert.Equal(EwsErrorCodes.Throttled, error.ErrorCode);
        Assert.Equal(TimeSpan.FromSeconds(300), error.RetryAfter);
        Assert.Empty(time.Waits);
        Assert.Single(_context.Server.Requests);
    }

    [Fact]
    public async Task SendAsync_ErrorServerBusyFaultWithBackOff_WaitsBackOffMillisecondsThenSucceeds()
    {
        var time = new InstantTimeProvider();
        var client = _context.CreateClient(appOnly: true, options: _context.CreateOptions(time));
        _context.Server.FaultNext("ErrorServerBusy", "The server cannot service this request right now. Try again later.", backOffMilliseconds: 1500);

        var inbox = await client.GetFolderAsync(EwsFolderId.Inbox);

        Assert.Equal("Inbox", inbox.DisplayName);
        Assert.Equal([TimeSpan.FromMilliseconds(1500)], time.Waits);
        Assert.Equal(2, _context.Server.Requests.Count);
    }

    [Fact]
    public async Task SendAsync_ErrorServerBusyEveryTime_ThrottledWithResponseCodeAndBackOff()
    {
        var time = new InstantTimeProvider();
        var client = _context.CreateClient(appOnly: true, options: _context.CreateOptions(time));
        for (var i = 0; i < 10; i++)
        {
            _context.Server.FaultNext("ErrorServerBusy", "The server cannot service this request right now. Try again later.", backOffMilliseconds: 2000);
        }

        var error = await Assert.ThrowsAsync<EwsException>(() => client.GetFolderAsync(EwsFolderId.Inbox));

        Assert.Equal(EwsErrorCodes.Throttled, error.ErrorCode);
        Assert.Equal("ErrorServerBusy", error.ResponseCode);
        Assert.Equal(TimeSpan.FromMilliseconds(2000), error.RetryAfter);
        Assert.True(error.IsRetryable);
        Assert.Equal(HttpStatusCode.InternalServerError, error.StatusCode);
        Assert.Equal(3, time.Waits.Count);
        Assert.Equal(4, _context.Server.Requests.Count);
    }

    [Fact]
    public async Task SendAsync_PlainHttpClientWithUserSoap_HandlerAddsImpersonationHeader()
    {
        var handler = new EwsAuthenticationHandler(_context.CreateAppOnlyProvider(), EwsTestContext.Shared)
        {
            InnerHandler = _context.Server.CreateTrustingHandler(),
        };
        using var http = new HttpClient(handler);
        const string soap = """
            <?xml version="1.0" encoding="utf-8"?>
            <soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/" xmlns:t="http://schemas.microsoft.com/exchange/services/2006/types" xmlns:m="http://schemas.microsoft.com/exchange/services/2006/messages">
              <soap:Header><t:RequestServerVersion Version="Exchange2013_SP1" /></soap:Header>
              <soap:Body>
                <m:GetFolder>
                  <m:FolderShape><t:BaseShape>Default</t:BaseShape></m:FolderShape>
                  <m:FolderIds><t:DistinguishedFolderId Id="inbox" /></m:FolderIds>
                </m:GetFolder>
              </soap:Body>
            </soap:Envelope>
            """;

        using var response = await http.PostAsync(_context.Server.Endpoint, new StringContent(soap, Encoding.UTF8, "text/xml"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("<t:DisplayName>Inbox</t:DisplayName>", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        var sent = XDocument.Parse(Assert.Single(_context.Server.Requests).Body);
        var header = sent.Root!.Element(S + "Header")!;
        Assert.Equal("Exchange2013_SP1", (string?)header.Element(T + "RequestServerVersion")!.Attribute("Version"));
        Assert.Equal(EwsTestContext.Shared, header.Element(T + "ExchangeImpersonation")!.Element(T + "ConnectingSID")!.Element(T + "SmtpAddress")!.Value);
        Assert.True(handler.UsesImpersonation);
    }

    [Fact]
    public async Task SendAsync_EnvelopeWithoutHeader_HandlerCreatesHeader()
    {
        var handler = new EwsAuthenticationHandler(_context.CreateAppOnlyProvider(), EwsTestContext.Shared) { InnerHandler = _context.Server.CreateTrustingHandler() };
        using var http = new HttpClient(handler);
        const string soap = "<s:Envelope xmlns:s=\"http://schemas.xmlsoap.org/soap/envelope/\"><s:Body><GetFolder xmlns=\"http://schemas.microsoft.com/exchange/services/2006/messages\"><FolderShape><BaseShape xmlns=\"http://schemas.microsoft.com/exchange/services/2006/types\">IdOnly</BaseShape></FolderShape><FolderIds><DistinguishedFolderId xmlns=\"http://schemas.microsoft.com/exchange/services/2006/types\" Id=\"drafts\" /></FolderIds></GetFolder></s:Body></s:Envelope>";

        using var response = await http.PostAsync(_context.Server.Endpoint, new StringContent(soap, Encoding.UTF8, "text/xml"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var sent = XDocument.Parse(Assert.Single(_context.Server.Requests).Body).Root!;
        Assert.Equal(S + "Header", ((XElement)sent.FirstNode!).Name);
        Assert.NotNull(sent.Element(S + "Header")!.Element(T + "ExchangeImpersonation"));
    }

    [Fact]
    public async Task SendAsync_BodyImpersonatesAnotherMailbox_SentAsIsAndWarned()
    {
        var handler = new EwsAuthenticationHandler(_context.CreateAppOnlyProvider(), EwsTestContext.Shared, new EwsAuthenticationHandlerOptions { LoggerFactory = _context.Logs.CreateFactory() })
        {
            InnerHandler = _context.Server.CreateTrustingHandler(),
        };
        using var http = new HttpClient(handler);
        const string soap = "<soap:Envelope xmlns:soap=\"http://schemas.xmlsoap.org/soap/envelope/\" xmlns:t=\"http://schemas.microsoft.com/exchange/services/2006/types\"><soap:Header><t:ExchangeImpersonation><t:ConnectingSID><t:PrimarySmtpAddress>adele@contoso.test</t:PrimarySmtpAddress></t:ConnectingSID></t:ExchangeImpersonation></soap:Header><soap:Body><GetFolder xmlns=\"http://schemas.microsoft.com/exchange/services/2006/messages\"><FolderShape><t:BaseShape>IdOnly</t:BaseShape></FolderShape><FolderIds><t:DistinguishedFolderId Id=\"inbox\" /></FolderIds></GetFolder></soap:Body></soap:Envelope>";

        var error = await Assert.ThrowsAsync<EwsException>(() => http.PostAsync(_context.Server.Endpoint, new StringContent(soap, Encoding.UTF8, "text/xml")));

        Assert.Equal("ErrorInvalidExchangeImpersonationHeaderData", error.ResponseCode);
        Assert.Equal(soap, Assert.Single(_context.Server.Requests).Body);
        Assert.Contains("[3012]", _context.Logs.AllText, StringComparison.Ordinal);
        Assert.Contains("adele@contoso.test", _context.Logs.AllText, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SendAsync_AppOnlyWithNonSoapBody_InvalidRequestBeforeSending()
    {
        var handler = new EwsAuthenticationHandler(_context.CreateAppOnlyProvider(), EwsTestContext.Shared) { InnerHandler = _context.Server.CreateTrustingHandler() };
        using var http = new HttpClient(handler);

        var error = await Assert.ThrowsAsync<EwsException>(() => http.PostAsync(_context.Server.Endpoint, new StringContent("{\"not\":\"soap\"}")));

        Assert.Equal(EwsErrorCodes.InvalidRequest, error.ErrorCode);
        Assert.Empty(_context.Server.Requests);
    }

    [Fact]
    public async Task SendAsync_PlainHttpToRemoteHost_RefusesToSendToken()
    {
        var handler = new EwsAuthenticationHandler(_context.CreateDelegatedProvider(), EwsTestContext.User) { InnerHandler = new ThrowingHandler() };
        using var http = new HttpClient(handler);

        var error = await Assert.ThrowsAsync<EwsException>(() => http.PostAsync("http://mail.contoso.test/EWS/Exchange.asmx", new StringContent("<x/>")));

        Assert.Equal(EwsErrorCodes.InvalidRequest, error.ErrorCode);
        Assert.Contains("clear text", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task EwsClient_OverSuppliedHttpClientWithHandler_WorksAndLeavesClientOpen()
    {
        var handler = new EwsAuthenticationHandler(_context.CreateDelegatedProvider(), EwsTestContext.User) { InnerHandler = _context.Server.CreateTrustingHandler() };
        using var http = new HttpClient(handler) { BaseAddress = _context.Server.Endpoint };
        _context.Server.Mailbox(EwsTestContext.User).AddMessage("inbox", "hello");

        using (var client = new EwsClient(http, EwsTestContext.User, null))
        {
            Assert.Equal(_context.Server.Endpoint, client.Endpoint);
            Assert.Equal("hello", Assert.Single((await client.FindItemsAsync(EwsFolderId.Inbox)).Items).Subject);
        }

        using var again = new EwsClient(http, EwsTestContext.User, null);
        Assert.Equal(1, (await again.GetFolderAsync(EwsFolderId.Inbox)).TotalCount);
    }

    private sealed class ThrowingHandler : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
            throw new InvalidOperationException("No request may be sent.");
    }
}
