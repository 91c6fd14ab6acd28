using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using ModernAuth.Mail.Diagnostics;
using ModernAuth.Mail.Ews.Internal;

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
        _tokenRequest = new MailTokenRequest(MailProtocol.Ews, account);
        _logger = (ILogger?)_options.LoggerFactory?.CreateLogger("ModernAuth.Mail.Ews.EwsAuthenticationHandler") ?? NullLogger.Instance;
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

        await PrepareBodyAsync(request, cancellationToken).ConfigureAwait(false);
        request.Headers.Remove(AnchorHeader);
        request.Headers.TryAddWithoutValidation(AnchorHeader, Mailbox);

        var refreshed = false;
        var forceRefresh = false;
        var retries = 0;
        var waited = TimeSpan.Zero;
        var attempt = 0;
        while (true)
        {
            attempt++;
            var token = await _provider.GetTokenAsync(forceRefresh ? _tokenRequest.WithForceRefresh() : _tokenRequest, cancellationToken).ConfigureAwait(false);
            forceRefresh = false;
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token.Token);
            var debug = _logger.IsEnabled(LogLevel.Debug);
            if (debug)
            {
                Log.RequestSending(_logger, uri?.GetLeftPart(UriPartial.Path) ?? "(no URL)", Mailbox, attempt, token.Fingerprint);
            }

            var started = Stopwatch.GetTimestamp();
            var response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
            if (debug)
            {
                var elapsedMs = (Stopwatch.GetTimestamp() - started) * 1000 / Stopwatch.Frequency;
                Log.ResponseReceived(_logger, (int)response.StatusCode, elapsedMs, ResponseInfo.From(response).RequestId ?? "-");
            }

            if (response.IsSuccessStatusCode)
            {
                await LogResponseBodyAsync(response, token.Token, cancellationToken).ConfigureAwait(false);
                return response;
            }

            TimeSpan? delay;
            string reason;
            using (response)
            {
                var info = ResponseInfo.From(response);
                if (response.StatusCode == HttpStatusCode.Unauthorized)
                {
                    if (!refreshed)
                    {
                        refreshed = forceRefresh = true;
                        Log.TokenRejected(_logger, token.Fingerprint, DescribeRejection(response, info));
                        continue;
                    }

                    throw TokenRejected(response, info, token);
                }

                if (response.StatusCode is (HttpStatusCode)429 or HttpStatusCode.ServiceUnavailable)
                {
                    delay = RetryAfter(response);
                    reason = $"HTTP {(int)response.StatusCode}" + (delay is null ? string.Empty : ", Retry-After " + Ms(delay.Value) + " ms");
                    delay ??= DefaultDelay(retries);
                    if (!CanRetry(ref retries, ref waited, delay.Value, reason))
                    {
                        throw Throttled(reason, delay.Value, info);
                    }
                }
                else
                {
                    var body = await ReadBodyAsync(response, cancellationToken).ConfigureAwait(false);
                    await LogBodyAsync(body, token.Token, request: false).ConfigureAwait(false);
                    var fault = TryReadFault(body, info);
                    if (fault is null)
                    {
                        throw SoapResponseReader.FromHttpError(body, info);
                    }

                    if (fault.ResponseCode != "ErrorServerBusy")
                    {
                        throw fault;
                    }

                    reason = "ErrorServerBusy" + (fault.RetryAfter is { } b ? ", BackOffMilliseconds " + Ms(b) : string.Empty);
                    delay = fault.RetryAfter ?? DefaultDelay(retries);
                    if (!CanRetry(ref retries, ref waited, delay.Value, reason))
                    {
                        throw fault;
                    }
                }
            }

            await Delay.WaitAsync(_options.TimeProvider, delay.Value, cancellationToken).ConfigureAwait(false);
        }
    }

    private static string Ms(TimeSpan value) => ((long)value.TotalMilliseconds).ToString(System.Globalization.CultureInfo.InvariantCulture);

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

    private TimeSpan? RetryAfter(HttpResponseMessage response)
    {
        var retryAfter = response.Headers.RetryAfter;
        if (retryAfter?.Delta is { } delta)
        {
            return delta < TimeSpan.Zero ? TimeSpan.Zero : delta;
        }

        if (retryAfter?.Date is { } date)
        {
            var wait = date - _options.TimeProvider.GetUtcNow();
            return wait < TimeSpan.Zero ? TimeSpan.Zero : wait;
        }

        return null;
    }

    private TimeSpan DefaultDelay(int retries) =>
        TimeSpan.FromTicks(_options.DefaultRetryDelay.Ticks * (1L << Math.Min(retries, 16)));

    private bool CanRetry(ref int retries, ref TimeSpan waited, TimeSpan delay, string reason)
    {
        if (retries >= _options.MaxRetries || waited + delay > _options.MaxTotalRetryDelay)
        {
            Log.ThrottleBudgetExhausted(_logger, reason, retries, (long)waited.TotalMilliseconds, (long)delay.TotalMilliseconds);
            return false;
        }

        retries++;
        waited += delay;
        Log.Throttled(_logger, reason, (long)delay.TotalMilliseconds, retries, _options.MaxRetries);
        return true;
    }

    private static EwsException Throttled(string reason, TimeSpan delay, in ResponseInfo info) =>
        new(EwsErrorCodes.Throttled,
            $"EWS kept throttling the request ({reason}) beyond the retry budget (EwsAuthenticationHandlerOptions.MaxRetries / MaxTotalRetryDelay).",
            "Wait for RetryAfter before the next request, lower the number of concurrent requests (Exchange Online allows about 10 per mailbox), or raise the retry budget.",
            isRetryable: true)
        {
            StatusCode = info.StatusCode,
            ServerDiagnostics = info.Diagnostics,
            RequestId = info.RequestId,
            RetryAfter = delay,
        };

    private MailAuthenticationException TokenRejected(HttpResponseMessage response, in ResponseInfo info, MailAccessToken token)
    {
        var rejection = DescribeRejection(response, info);
        Log.TokenRejectedAfterRefresh(_logger, token.Fingerprint, rejection, EwsErrorCodes.TokenRejected);

        IReadOnlyList<MailFinding> findings;
        try
        {
            var inspection = new TokenInspector(new TokenInspectorOptions
            {
                Protocol = MailProtocol.Ews,
                AppOnly = _provider.IsAppOnly,
                Mailbox = Mailbox,
                Cloud = Cloud,
                TimeProvider = _options.TimeProvider,
            }).Inspect(token.Token);
            findings = inspection.Findings;
        }
#pragma warning disable CA1031 // Diagnostics must never hide the real failure.
        catch (Exception)
#pragma warning restore CA1031
        {
            findings = Array.Empty<MailFinding>();
        }

        var remedy = _provider.IsAppOnly
            ? "Give the app the application permission full_access_as_app (Office 365 Exchange Online > Application permissions) with admin consent and request https://outlook.office365.com/.default " +
              "(the token's roles must contain full_access_as_app). Check that the tenant's EWS application access policy allows the app (EWSAllowedAppIDs: Set-OrganizationConfig -EwsApplicationAccessPolicy EnforceAllowList -EwsAllowList @{Add=\"<app id>\"}), " +
              "that no ApplicationAccessPolicy (New-ApplicationAccessPolicy) excludes " + Mailbox + ", and that EWS is on for the mailbox (Set-CASMailbox -EwsEnabled $true)."
            : "Give the app the delegated permission EWS.AccessAsUser.All (Office 365 Exchange Online) and request https://outlook.office365.com/EWS.AccessAsUser.All (the token's scp must contain EWS.AccessAsUser.All; " +
              "a bare EWS.AccessAsUser.All gets a Microsoft Graph token). Check that the tenant's EWS application access policy allows the app (EWSAllowedAppIDs / EwsAllowList) and that EWS is on for the mailbox (Set-CASMailbox -EwsEnabled $true). " +
              "Personal Microsoft accounts have no EWS: use IMAP (ModernAuth.Mail.MailKit) or Microsoft Graph.";
        var firstError = findings.FirstOrDefault(f => f.Severity == MailFindingSeverity.Error);
        var message = "EWS rejected the token with HTTP 401 even after a fresh token was fetched (" + rejection + ")." +
            (firstError is null ? string.Empty : " Token check: " + firstError.Explanation);
        return new MailAuthenticationException(EwsErrorCodes.TokenRejected, message, remedy, isRetryable: false)
        {
            ServerResponse = "HTTP 401; " + rejection,
            Protocol = MailProtocol.Ews,
            Findings = findings,
        };
    }
}
