namespace ModernAuth.Mail.Ews;

/// <summary>
/// The stable error codes of <see cref="EwsException.ErrorCode"/> and of the <see cref="MailAuthenticationException.ErrorCode"/>
/// values this package adds. They never change meaning; <c>docs/ews.md</c> lists each with its fix.
/// </summary>
public static class EwsErrorCodes
{
    /// <summary>EWS answered with an error <c>ResponseCode</c> (see <see cref="EwsException.ResponseCode"/>): in a response message or a SOAP fault.</summary>
    public const string ResponseError = "ews_response_error";

    /// <summary>EWS or IIS throttled the request (HTTP 429/503, or <c>ErrorServerBusy</c>) longer than the retry budget allows. Retryable.</summary>
    public const string Throttled = "ews_throttled";

    /// <summary>The server answered with an HTTP error and no EWS response code (a proxy, a load balancer, IIS, a wrong URL).</summary>
    public const string HttpError = "ews_http_error";

    /// <summary>The server answered with something that is not an EWS SOAP response: malformed XML, an HTML page, an empty body.</summary>
    public const string InvalidResponse = "ews_invalid_response";

    /// <summary>The request could not be sent as it is: its body is not a SOAP envelope the handler can add a header to, or it uses plain HTTP.</summary>
    public const string InvalidRequest = "ews_invalid_request";

    /// <summary>The request took longer than <see cref="EwsClientOptions.Timeout"/>. Retryable.</summary>
    public const string Timeout = "ews_timeout";

    /// <summary>
    /// A <see cref="MailAuthenticationException"/> code: EWS rejected the token with HTTP 401 even after a fresh token was
    /// fetched (wrong permission, audience or tenant; app not allowed to use EWS; no access to the mailbox).
    /// </summary>
    public const string TokenRejected = "ews_token_rejected";
}
