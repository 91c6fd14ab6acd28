using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using ModernAuth.Mail.Diagnostics;
using ModernAuth.Mail.Ews.Internal;
using Polly;

namespace ModernAuth.Mail.Ews;

/// <summary>
/// Authenticates EWS requests of any <see cref="HttpClient"/> with OAuth 2.0: adds <c>Authorization: Bearer</c> with a
/// token from a <see cref="MailTokenProvider"/> (<see cref="MailProtocol.Ews"/>), <c>X-AnchorMailbox</c> on every
/// request, and for app-only providers the <c>ExchangeImpersonation</c> SOAP header naming the mailbox when the
/// request has none. When EWS answers 401 it fetches a fresh token once and replays the request; when it throttles
/// (429, 503, <c>ErrorServerBusy</c>) it waits as the server says, within a bounded budget.
/// </summary>
/// <remarks>
/// <para>Failures throw instead of returning the response: a token rejected after the refresh is a
/// <see cref="MailAuthenticationException"/> with code <see cref="EwsErrorCodes.TokenRejected"/>; a SOAP fault, a
/// spent throttling budget or any other HTTP error is an <see cref="EwsException"/>. Successful (HTTP 200) responses
/// pass through untouched, including EWS error response messages inside them.</para>
/// <para>The request body is buffered so that it can be replayed. Tokens are never logged.</para>
/// </remarks>
public class EwsAuthenticationHandler : DelegatingHandler
{
    private const string AnchorHeader = "X-AnchorMailbox";
    private const int MaxErrorBodyBytes = 1024 * 1024;

    private readonly MailTokenProvider _provider;
    private readonly EwsAuthenticationHandlerOptions _options;
    private readonly ILogger _logger;
    private readonly MailTokenRequest _tokenRequest;
    private readonly ResiliencePipeline _throttling;

    /// <summary>Creates a handler. Set <see cref="DelegatingHandler.InnerHandler"/> (or let <c>IHttpClientFactory</c> do it) before use.</summary>
    /// <param name="provider">Where tokens come from.</param>
    /// <param name="mailbox">The SMTP address of the mailbox the requests open: sent as <c>X-AnchorMailbox</c> and, when impersonating, in <c>ExchangeImpersonation</c>.</param>
    /// <param name="options">The options; <see langword="null"/> for the defaults.</param>
    /// <exception cref="ArgumentNullException"><paramref name="provider"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="mailbox"/> is empty or not an address.</exception>
    /// <exception cref="MailAuthenticationException">The cloud or provider is for personal Microsoft accounts, which have no EWS (<see cref="MailErrorCodes.NotSupported"/>).</exception>
    public EwsAuthenticationHandler(MailTokenProvider provider, string mailbox, EwsAuthenticationHandlerOptions? options = null)
        : this(provider, mailbox, options, endpointGiven: false)
    {
    }

    internal EwsAuthenticationHandler(MailTokenProvider provider, string mailbox, EwsAuthenticationHandlerOptions? options, bool endpointGiven)
    {
        _provider = provider ?? throw new ArgumentNullException(nameof(provider));
        Mailbox = EwsGuard.Mailbox(mailbox);
        _options = options ?? new EwsAuthenticationHandlerOptions();
        Cloud = _options.Cloud ?? provider.Cloud;
        EwsGuard.ThrowIfPersonalAccounts(Cloud, provider, endpointGiven);
        UsesImpersonation = _options.UseImpersonation ?? provider.IsAppOnly;
        var account = provider.IsAppOnly || string.IsNullOrWhiteSpace(_options.SignInAccount) ? Mailbox : _options.SignInAccount!.Trim();
        _tokenRequest = provider.CreateRequest(MailProtocol.Ews, account);
        _logger = (ILogger?)_options.LoggerFactory?.CreateLogger("ModernAuth.Mail.Ews.EwsAuthenticationHandler") ?? NullLogger.Instance;
        _throttling = EwsThrottling.Create(_options, _logger);
    }

    /// <summary>The cloud: the options' <see cref="EwsAuthenticationHandlerOptions.Cloud"/>, else the provider's.</summary>
    public MailCloud Cloud { get; }

    /// <summary>The mailbox every request is anchored to.</summary>
    public string Mailbox { get; }

    /// <summary>Whether requests carry the <c>ExchangeImpersonation</c> header (see <see cref="EwsAuthenticationHandlerOptions.UseImpersonation"/>).</summary>
    public bool UsesImpersonation { get; }

    /// <inheritdoc/>
    /// <exception cref="MailAuthenticationException">No token could be had, or EWS rejected a fresh token (<see cref="EwsErrorCodes.TokenRejected"/>).</exception>
    /// <exception cref="EwsException">EWS answered with a SOAP fault or an HTTP error, kept throttling beyond the budget, or the request cannot be sent as it is.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (request is null)
        {
            throw new ArgumentNullException(nameof(request));
        }

        var uri = request.RequestUri;
        if (uri is not null && uri.IsAbsoluteUri && uri.Scheme == Uri.UriSchemeHttp && !uri.IsLoopback)
        {
            throw new EwsException(EwsErrorCodes.InvalidRequest, $"The EWS URL {uri.GetLeftPart(UriPartial.Path)} is plain HTTP: the bearer token would travel in clear text.", "Use the https:// URL of the EWS endpoint.");
        }

        // A request EwsClient wrote is retried by the client's own throttling pipeline (around sending and reading the
        // answer, which can hold ErrorServerBusy too); anything else by this handler's. Never both.
        var callerRetries = request.Content is EwsSoapContent;
        await PrepareBodyAsync(request, cancellationToken).ConfigureAwait(false);
        request.Headers.Remove(AnchorHeader);
        request.Headers.TryAddWithoutValidation(AnchorHeader, Mailbox);

        var call = new Call(request);
        return callerRetries
            ? await SendRefreshingOnceAsync(call, cancellationToken).ConfigureAwait(false)
            : await _throttling.ExecuteAsync(static (s, ct) => new ValueTask<HttpResponseMessage>(s.Handler.SendRefreshingOnceAsync(s.Call, ct)), (Handler: this, Call: call), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// One attempt: sends with the current token and, when EWS answers 401 for the first time in this call, once more
    /// with a fresh token. Success returns the response; any failure throws (throttling as <see cref="EwsErrorCodes.Throttled"/>).
    /// </summary>
    private async Task<HttpResponseMessage> SendRefreshingOnceAsync(Call call, CancellationToken cancellationToken)
    {
        var request = call.Request;
        var forceRefresh = false;
        HttpResponseMessage response;

        // At most two sends: the second only after the first 401 of this call, with a fresh token. Not a retry policy:
        // throttling is the pipeline's (EwsThrottling).
        while (true)
        {
            call.Token = await _provider.GetTokenAsync(forceRefresh ? _tokenRequest.WithForceRefresh() : _tokenRequest, cancellationToken).ConfigureAwait(false);
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", call.Token.Token);
            call.Attempt++;
            var debug = _logger.IsEnabled(LogLevel.Debug);
            if (debug)
            {
                Log.RequestSending(_logger, request.RequestUri?.GetLeftPart(UriPartial.Path) ?? "(no URL)", Mailbox, call.Attempt, call.Token.Fingerprint);
            }

            var started = Stopwatch.GetTimestamp();
            response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
            if (debug)
            {
                var elapsedMs = (Stopwatch.GetTimestamp() - started) * 1000 / Stopwatch.Frequency;
                Log.ResponseReceived(_logger, (int)response.StatusCode, elapsedMs, ResponseInfo.From(response).RequestId ?? "-");
            }

            if (response.StatusCode != HttpStatusCode.Unauthorized || call.Refreshed)
            {
                break;
            }

            // The first 401 of this call: the same request once more with a fresh token, unless the token shows a fault
            // a fresh one would carry again (wrong audience, tenant, token type, ...): then that finding is the answer.
            var findings = InspectToken(call.Token);
            var cause = TokenRejectionRules.FindCause(findings, includeWarnings: false);
            if (cause is not null && !TokenRejectionRules.FreshTokenMayFix(cause))
            {
                using (response)
                {
                    throw TokenRejected(response, ResponseInfo.From(response), call.Token, findings, cause, refreshed: false);
                }
            }

            call.Refreshed = forceRefresh = true;
            using (response)
            {
                Log.TokenRejected(_logger, call.Token.Fingerprint, DescribeRejection(response, ResponseInfo.From(response)));
            }
        }

        if (response.IsSuccessStatusCode)
        {
            await LogResponseBodyAsync(response, call.Token.Token, cancellationToken).ConfigureAwait(false);
            return response;
        }

        using (response)
        {
            throw await FailureAsync(response, call.Token, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>The exception for a failed response: a rejected fresh token, throttling, a SOAP fault or an HTTP error.</summary>
    private async Task<Exception> FailureAsync(HttpResponseMessage response, MailAccessToken token, CancellationToken cancellationToken)
    {
        var info = ResponseInfo.From(response);
        if (response.StatusCode == HttpStatusCode.Unauthorized)
        {
            var findings = InspectToken(token);
            return TokenRejected(response, info, token, findings, TokenRejectionRules.FindCause(findings, includeWarnings: false), refreshed: true);
        }

        if (response.StatusCode is (HttpStatusCode)429 or HttpStatusCode.ServiceUnavailable)
        {
            return Throttled(response, info);
        }

        var body = await ReadBodyAsync(response, cancellationToken).ConfigureAwait(false);
        await LogBodyAsync(body, token.Token, request: false).ConfigureAwait(false);

        // A SOAP fault (ErrorServerBusy in one is throttling, EwsErrorCodes.Throttled), else the HTTP error.
        return TryReadFault(body, info) ?? SoapResponseReader.FromHttpError(body, info);
    }

    private static string DescribeRejection(HttpResponseMessage response, in ResponseInfo info)
    {
        var parts = new List<string>();
        if (info.Diagnostics is not null)
        {
            parts.Add("x-ms-diagnostics: " + info.Diagnostics);
        }

        foreach (var challenge in response.Headers.WwwAuthenticate)
        {
            parts.Add("WWW-Authenticate: " + challenge);
        }

        return parts.Count == 0 ? "no reason given" : string.Join("; ", parts);
    }

    private static async Task<byte[]> ReadBodyAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        if (response.Content is null)
        {
            return Array.Empty<byte>();
        }

        // Error bodies are small; a huge one is cut, which the XML reader then reports as malformed.
        using var stream = await response.Content.ReadAsStreamAsync().ConfigureAwait(false);
        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while (buffer.Length < MaxErrorBodyBytes && (read = await stream.ReadAsync(chunk, 0, chunk.Length, cancellationToken).ConfigureAwait(false)) > 0)
        {
            buffer.Write(chunk, 0, read);
        }

        return buffer.ToArray();
    }

    private static EwsException? TryReadFault(byte[] body, in ResponseInfo info)
    {
        if (body.Length == 0 || SoapResponseReader.LooksLikeHtml(body, info.MediaType))
        {
            return null;
        }

        try
        {
            return SoapResponseReader.ReadFault(SoapResponseReader.ParseEnvelope(body, info), info);
        }
        catch (EwsException)
        {
            return null;
        }
    }

    private async Task PrepareBodyAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var original = request.Content;
        if (original is null)
        {
            return;
        }

        cancellationToken.ThrowIfCancellationRequested();

        // ByteArrayContent (and StringContent) can be sent again as it is: nothing to buffer unless the body is checked.
        var replayable = original is ByteArrayContent;
        var logBodies = _options.LogSoapBodies && _logger.IsEnabled(LogLevel.Trace);
        var checkImpersonation = UsesImpersonation && !(original is EwsSoapContent soap && string.Equals(soap.ImpersonatedMailbox, Mailbox, StringComparison.OrdinalIgnoreCase));
        if (replayable && !checkImpersonation && !logBodies)
        {
            return;
        }

        // Buffered once so that the 401 and throttling paths can send the very same bytes again.
        var body = await original.ReadAsByteArrayAsync().ConfigureAwait(false);
        var changed = false;
        if (checkImpersonation)
        {
            switch (ImpersonationHeader.Find(body, out var impersonated))
            {
                case ImpersonationHeader.State.Absent:
                    body = ImpersonationHeader.Add(body, Mailbox);
                    changed = true;
                    Log.ImpersonationHeaderAdded(_logger, Mailbox);
                    break;
                case ImpersonationHeader.State.Present when !string.Equals(impersonated, Mailbox, StringComparison.OrdinalIgnoreCase):
                    Log.ImpersonationHeaderMismatch(_logger, impersonated ?? "(none)", Mailbox);
                    break;
                case ImpersonationHeader.State.NotSoap:
                    throw new EwsException(
                        EwsErrorCodes.InvalidRequest,
                        "The request body is not a SOAP envelope, so the ExchangeImpersonation header that app-only EWS requires cannot be added.",
                        "Send an EWS SOAP 1.1 envelope (soap:Envelope with soap:Header and soap:Body), or add the ExchangeImpersonation header yourself.");
            }
        }

        if (changed || !replayable)
        {
            var replay = new ByteArrayContent(body);
            foreach (var header in original.Headers)
            {
                if (!string.Equals(header.Key, "Content-Length", StringComparison.OrdinalIgnoreCase))
                {
                    replay.Headers.TryAddWithoutValidation(header.Key, header.Value);
                }
            }

            request.Content = replay;
            original.Dispose();
        }

        await LogBodyAsync(body, null, request: true).ConfigureAwait(false);
    }

    private Task LogBodyAsync(byte[] body, string? token, bool request)
    {
        if (!_options.LogSoapBodies || !_logger.IsEnabled(LogLevel.Trace))
        {
            return Task.CompletedTask;
        }

        var text = Redaction.Redact(Encoding.UTF8.GetString(body), token);
        if (request)
        {
            Log.SoapRequestBody(_logger, text);
        }
        else
        {
            Log.SoapResponseBody(_logger, text);
        }

        return Task.CompletedTask;
    }

    private async Task LogResponseBodyAsync(HttpResponseMessage response, string token, CancellationToken cancellationToken)
    {
        if (!_options.LogSoapBodies || !_logger.IsEnabled(LogLevel.Trace) || response.Content is null)
        {
            return;
        }

        // Reading buffers the content, so the caller can still read it.
#if NET8_0_OR_GREATER
        var body = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
#else
        cancellationToken.ThrowIfCancellationRequested();
        var body = await response.Content.ReadAsByteArrayAsync().ConfigureAwait(false);
#endif
        await LogBodyAsync(body, token, request: false).ConfigureAwait(false);
    }

    /// <summary>
    /// HTTP 429 or 503 as <see cref="EwsErrorCodes.Throttled"/>, with the server's <c>Retry-After</c> (seconds or a date)
    /// as <see cref="EwsException.RetryAfter"/>. The throttling pipeline retries it; the caller sees it once the budget is spent.
    /// </summary>
    private EwsException Throttled(HttpResponseMessage response, in ResponseInfo info)
    {
        TimeSpan? retryAfter = response.Headers.RetryAfter switch
        {
            { Delta: { } delta } => delta < TimeSpan.Zero ? TimeSpan.Zero : delta,
            { Date: { } date } => date - _options.TimeProvider.GetUtcNow() is var wait && wait > TimeSpan.Zero ? wait : TimeSpan.Zero,
            _ => null,
        };
        var reason = $"HTTP {(int)response.StatusCode}" + (retryAfter is { } r ? ", Retry-After " + ((long)r.TotalMilliseconds).ToString(System.Globalization.CultureInfo.InvariantCulture) + " ms" : string.Empty);
        return new EwsException(
            EwsErrorCodes.Throttled,
            $"EWS kept throttling the request ({reason}) beyond the retry budget (EwsAuthenticationHandlerOptions.MaxRetries / MaxTotalRetryDelay).",
            "Wait for RetryAfter before the next request, lower the number of concurrent requests (Exchange Online allows about 10 per mailbox), or raise the retry budget.",
            isRetryable: true)
        {
            StatusCode = info.StatusCode,
            ServerDiagnostics = info.Diagnostics,
            RequestId = info.RequestId,
            RetryAfter = retryAfter,
        };
    }

    private IReadOnlyList<MailFinding> InspectToken(MailAccessToken token)
    {
        try
        {
            return new TokenInspector(new TokenInspectorOptions
            {
                Protocol = MailProtocol.Ews,
                AppOnly = _provider.IsAppOnly,
                Mailbox = Mailbox,
                Cloud = Cloud,
                TimeProvider = _options.TimeProvider,
            }).Inspect(token.Token).Findings;
        }
#pragma warning disable CA1031 // Diagnostics must never hide the real failure.
        catch (Exception)
#pragma warning restore CA1031
        {
            return Array.Empty<MailFinding>();
        }
    }

    private MailAuthenticationException TokenRejected(HttpResponseMessage response, in ResponseInfo info, MailAccessToken token, IReadOnlyList<MailFinding> findings, MailFinding? cause, bool refreshed)
    {
        var rejection = DescribeRejection(response, info);
        if (refreshed)
        {
            Log.TokenRejectedAfterRefresh(_logger, token.Fingerprint, rejection, cause?.Code ?? EwsErrorCodes.TokenRejected);
        }
        else
        {
            Log.TokenRejectedNotRefreshed(_logger, token.Fingerprint, rejection, cause!.Code);
        }

        var remedy = _provider.IsAppOnly
            ? "Give the app the application permission full_access_as_app (Office 365 Exchange Online > Application permissions) with admin consent and request https://outlook.office365.com/.default " +
              "(the token's roles must contain full_access_as_app). Check that the tenant's EWS application access policy allows the app (EWSAllowedAppIDs: Set-OrganizationConfig -EwsApplicationAccessPolicy EnforceAllowList -EwsAllowList @{Add=\"<app id>\"}), " +
              "that no ApplicationAccessPolicy (New-ApplicationAccessPolicy) excludes " + Mailbox + ", and that EWS is on for the mailbox (Set-CASMailbox -EwsEnabled $true)."
            : "Give the app the delegated permission EWS.AccessAsUser.All (Office 365 Exchange Online) and request https://outlook.office365.com/EWS.AccessAsUser.All (the token's scp must contain EWS.AccessAsUser.All; " +
              "a bare EWS.AccessAsUser.All gets a Microsoft Graph token). Check that the tenant's EWS application access policy allows the app (EWSAllowedAppIDs / EwsAllowList) and that EWS is on for the mailbox (Set-CASMailbox -EwsEnabled $true). " +
              "Personal Microsoft accounts have no EWS: use IMAP (ModernAuth.Mail.MailKit) or Microsoft Graph.";
        // The token's own finding, when it has one, says what to fix better than the generic remedy; a fault a fresh
        // token would carry again was not worth a second token request.
        var message = "EWS rejected the token with HTTP 401" + (refreshed ? " even after a fresh token was fetched" : string.Empty) + " (" + rejection + ")." +
            (cause is null ? string.Empty : " The token: " + cause.Observed + ". " + cause.Explanation);
        return new MailAuthenticationException(cause?.Code ?? EwsErrorCodes.TokenRejected, message, cause?.Fix ?? remedy, isRetryable: false)
        {
            ServerResponse = "HTTP 401; " + rejection,
            Protocol = MailProtocol.Ews,
            Findings = findings,
        };
    }

    /// <summary>One call of <see cref="SendAsync"/>: the request, the token last sent, whether it was refreshed already.</summary>
    private sealed class Call
    {
        public Call(HttpRequestMessage request) => Request = request;

        public HttpRequestMessage Request { get; }

        public MailAccessToken Token { get; set; }

        public bool Refreshed { get; set; }

        public int Attempt { get; set; }
    }
}
