using System.Net;

namespace ModernAuth.Mail.Ews;

/// <summary>
/// An EWS request failed after authentication: EWS answered with an error <see cref="ResponseCode"/>, throttled the
/// request beyond the retry budget, or the server answered with something that is not EWS. The message says what
/// happened, why it usually happens and what to do; <see cref="ErrorCode"/> is stable for programs to test.
/// A token the server rejects is a <see cref="MailAuthenticationException"/> instead, and cancellation is never wrapped.
/// </summary>
/// <remarks>
/// It does not derive from <see cref="MailAuthenticationException"/>: most EWS errors (an item not found, an invalid
/// sync state) are not authentication failures, and code that catches authentication failures to sign the user in
/// again must not catch them.
/// </remarks>
public class EwsException : Exception
{
    /// <summary>Creates an exception.</summary>
    /// <param name="errorCode">A stable code from <see cref="EwsErrorCodes"/>.</param>
    /// <param name="message">What happened and why. Must not contain a secret.</param>
    /// <param name="remedy">What to do about it.</param>
    /// <param name="isRetryable">Whether trying again later may succeed.</param>
    /// <param name="innerException">The original failure.</param>
    public EwsException(string errorCode, string message, string remedy, bool isRetryable = false, Exception? innerException = null)
        : base(Compose(message, remedy), innerException)
    {
        ErrorCode = string.IsNullOrWhiteSpace(errorCode) ? EwsErrorCodes.ResponseError : errorCode;
        Remedy = remedy ?? string.Empty;
        IsRetryable = isRetryable;
    }

    /// <summary>Creates an exception with the code <see cref="EwsErrorCodes.ResponseError"/>.</summary>
    public EwsException()
        : this(EwsErrorCodes.ResponseError, "The EWS request failed.", string.Empty)
    {
    }

    /// <summary>Creates an exception with the code <see cref="EwsErrorCodes.ResponseError"/>.</summary>
    /// <param name="message">What happened.</param>
    public EwsException(string message)
        : this(EwsErrorCodes.ResponseError, message, string.Empty)
    {
    }

    /// <summary>Creates an exception with the code <see cref="EwsErrorCodes.ResponseError"/>.</summary>
    /// <param name="message">What happened.</param>
    /// <param name="innerException">The original failure.</param>
    public EwsException(string message, Exception? innerException)
        : this(EwsErrorCodes.ResponseError, message, string.Empty, false, innerException)
    {
    }

    /// <summary>A stable code from <see cref="EwsErrorCodes"/>, for example <c>ews_response_error</c>.</summary>
    public string ErrorCode { get; }

    /// <summary>What to do about it.</summary>
    public string Remedy { get; }

    /// <summary>Whether trying again later may succeed (throttling, a busy or moving mailbox, a timeout).</summary>
    public bool IsRetryable { get; }

    /// <summary>EWS's own <c>ResponseCode</c>, for example <c>ErrorItemNotFound</c>; <see langword="null"/> when the server gave none.</summary>
    public string? ResponseCode { get; init; }

    /// <summary>EWS's <c>MessageText</c> (or the SOAP fault's <c>faultstring</c>), when there was one.</summary>
    public string? MessageText { get; init; }

    /// <summary>The HTTP status of the response, when one arrived.</summary>
    public HttpStatusCode? StatusCode { get; init; }

    /// <summary>The value of Exchange's <c>x-ms-diagnostics</c> response header, when present (it names the reason for a rejected token).</summary>
    public string? ServerDiagnostics { get; init; }

    /// <summary>The <c>request-id</c> Exchange gave the request, for a support case; <see langword="null"/> when absent.</summary>
    public string? RequestId { get; init; }

    /// <summary>How long the server asked the client to wait (<c>Retry-After</c> or <c>BackOffMilliseconds</c>), when it said.</summary>
    public TimeSpan? RetryAfter { get; init; }

    private static string Compose(string message, string remedy)
    {
        message = string.IsNullOrWhiteSpace(message) ? "The EWS request failed." : message.Trim();
        return string.IsNullOrWhiteSpace(remedy) ? message : message + " Fix: " + remedy.Trim();
    }
}
