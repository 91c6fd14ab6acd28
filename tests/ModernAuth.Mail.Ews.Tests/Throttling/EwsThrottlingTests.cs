using System.Net;
using System.Text;
using ModernAuth.Mail.Ews.Tests.Support;
using ModernAuth.Mail.Testing;

namespace ModernAuth.Mail.Ews.Tests.Throttling;

/// <summary>
/// One pipeline decides each throttled call: the handler's for the caller's own requests, the client's for its own
/// (whichever HttpClient carries them), never both nested.
/// </summary>
public sealed class EwsThrottlingTests : IAsyncLifetime
{
    private const string BusyInsideHttp200 = """
        <?xml version="1.0" encoding="utf-8"?><s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><m:GetFolderResponse xmlns:m="http://schemas.microsoft.com/exchange/services/2006/messages" xmlns:t="http://schemas.microsoft.com/exchange/services/2006/types"><m:ResponseMessages><m:GetFolderResponseMessage ResponseClass="Error"><m:MessageText>The server cannot service this request right now. Try again later.</m:MessageText><m:ResponseCode>ErrorServerBusy</m:ResponseCode><m:DescriptiveLinkKey>0</m:DescriptiveLinkKey></m:GetFolderResponseMessage></m:ResponseMessages></m:GetFolderResponse></s:Body></s:Envelope>
        """;

    private const string UserSoap = """
        <?xml version="1.0" encoding="utf-8"?>
        <soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/" xmlns:t="http://schemas.microsoft.com/exchange/services/2006/types" xmlns:m="http://schemas.microsoft.com/exchange/services/2006/messages">
          <soap:Header><t:RequestServerVersion Version="Exchange2013_SP1" /></soap:Header>
          <soap:Body><m:GetFolder><m:FolderShape><t:BaseShape>Default</t:BaseShape></m:FolderShape><m:FolderIds><t:DistinguishedFolderId Id="inbox" /></m:FolderIds></m:GetFolder></soap:Body>
        </soap:Envelope>
        """;

    private EwsTestContext _context = null!;

    public async Task InitializeAsync() => _context = await EwsTestContext.StartAsync();

    public async Task DisposeAsync() => await _context.DisposeAsync();

    [Fact]
    public async Task GetFolderAsync_BusyMessagesAnd503sMixed_OneBudgetForTheWholeCall()
    {
        // Before one pipeline decided, the client's loop (ErrorServerBusy in HTTP 200) wrapped the handler's (503), so
        // each client retry got a fresh handler budget: up to 16 requests for a budget of 3 retries.
        var time = new InstantTimeProvider();
        var options = _context.CreateOptions(time);
        options.MaxRetries = 3;
        options.DefaultRetryDelay = TimeSpan.FromMilliseconds(100);
        var client = _context.CreateClient(appOnly: true, options: options);
        for (var i = 0; i < 10; i++)
        {
            _context.Server.AnswerNext(200, "text/xml; charset=utf-8", BusyInsideHttp200);
            _context.Server.AnswerNext(503, "text/plain", "Service Unavailable");
        }

        var error = await Assert.ThrowsAsync<EwsException>(() => client.GetFolderAsync(EwsFolderId.Inbox));

        Assert.Equal(EwsErrorCodes.Throttled, error.ErrorCode);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, error.StatusCode); // the fourth answer
        Assert.Equal(4, _context.Server.Requests.Count);
        Assert.Equal([TimeSpan.FromMilliseconds(100), TimeSpan.FromMilliseconds(200), TimeSpan.FromMilliseconds(400)], time.Waits);
        Assert.Contains("[3006]", _context.Logs.AllText, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetFolderAsync_ClientOverHttpClientWithHandler_ThrottledOnceByOneBudget()
    {
        // The IHttpClientFactory shape: the caller's HttpClient carries the handler, the client sends through it.
        var time = new InstantTimeProvider();
        var options = _context.CreateOptions(time);
        options.MaxRetries = 2;
        options.DefaultRetryDelay = TimeSpan.FromMilliseconds(50);
        var handler = new EwsAuthenticationHandler(_context.CreateAppOnlyProvider(), EwsTestContext.Shared, options) { InnerHandler = options.Transport! };
        using var http = new HttpClient(handler, disposeHandler: false);
        using var client = new EwsClient(http, EwsTestContext.Shared, options);
        for (var i = 0; i < 10; i++)
        {
            _context.Server.AnswerNext(429, "text/plain", "Too many requests");
        }

        var error = await Assert.ThrowsAsync<EwsException>(() => client.GetFolderAsync(EwsFolderId.Inbox));

        Assert.Equal(EwsErrorCodes.Throttled, error.ErrorCode);
        Assert.Equal((HttpStatusCode)429, error.StatusCode);
        Assert.Null(error.RetryAfter); // the server named no wait
        Assert.Equal(3, _context.Server.Requests.Count);
        Assert.Equal([TimeSpan.FromMilliseconds(50), TimeSpan.FromMilliseconds(100)], time.Waits);
    }

    [Fact]
    public async Task SendAsync_CallersOwnSoapThrottledTwice_HandlerWaitsRetryAfterThenSucceeds()
    {
        var time = new InstantTimeProvider();
        var options = _context.CreateOptions(time);
        var handler = new EwsAuthenticationHandler(_context.CreateAppOnlyProvider(), EwsTestContext.Shared, options) { InnerHandler = options.Transport! };
        using var http = new HttpClient(handler, disposeHandler: false);
        _context.Server.AnswerNext(429, "text/plain", "slow down", ("Retry-After", "3"));
        _context.Server.FaultNext("ErrorServerBusy", "The server cannot service this request right now. Try again later.", backOffMilliseconds: 1200);

        using var response = await http.PostAsync(_context.Server.Endpoint, new StringContent(UserSoap, Encoding.UTF8, "text/xml"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal([TimeSpan.FromSeconds(3), TimeSpan.FromMilliseconds(1200)], time.Waits);
        Assert.Equal(3, _context.Server.Requests.Count);
        Assert.Single(_context.Server.Requests.Select(r => r.Body).Distinct());
    }

    [Fact]
    public async Task SendAsync_MaxRetriesZero_ThrottledAtOnceAndBudgetLogged()
    {
        var time = new InstantTimeProvider();
        var options = _context.CreateOptions(time);
        options.MaxRetries = 0;
        var handler = new EwsAuthenticationHandler(_context.CreateAppOnlyProvider(), EwsTestContext.Shared, options) { InnerHandler = options.Transport! };
        using var http = new HttpClient(handler, disposeHandler: false);
        _context.Server.AnswerNext(503, "text/plain", "busy", ("Retry-After", "1"));

        var error = await Assert.ThrowsAsync<EwsException>(() => http.PostAsync(_context.Server.Endpoint, new StringContent(UserSoap, Encoding.UTF8, "text/xml")));

        Assert.Equal(EwsErrorCodes.Throttled, error.ErrorCode);
        Assert.Equal(TimeSpan.FromSeconds(1), error.RetryAfter);
        Assert.Empty(time.Waits);
        Assert.Single(_context.Server.Requests);
        Assert.Contains("[3006]", _context.Logs.AllText, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetFolderAsync_CancelledDuringThrottlingWait_OperationCanceledNotWrapped()
    {
        var options = _context.CreateOptions(TimeProvider.System);
        var client = _context.CreateClient(appOnly: true, options: options);
        _context.Server.AnswerNext(429, "text/plain", "slow down", ("Retry-After", "30"));
        using var cancellation = new CancellationTokenSource();
        _context.Server.RequestReceived += _ => cancellation.CancelAfter(TimeSpan.FromMilliseconds(200));

        var call = client.GetFolderAsync(EwsFolderId.Inbox, cancellation.Token);

        var finished = await Task.WhenAny(call, Task.Delay(TimeSpan.FromSeconds(10)));
        Assert.Same(call, finished);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call);
        Assert.Single(_context.Server.Requests);
    }
}
