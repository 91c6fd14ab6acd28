using System.Net;
using ModernAuth.Mail.Diagnostics;

namespace ModernAuth.Mail.Graph;

/// <summary>
/// A Microsoft Graph mail request failed after authentication: Graph answered with an error (an access policy, a
/// missing permission, an unknown mailbox, throttling beyond the retry budget, a message too large) or could not be
/// reached. The message says what happened, why it usually happens and what to do; <see cref="ErrorCode"/> is stable
/// for programs to test (a Graph code of <see cref="MailFindingCodes"/> or one of <see cref="GraphErrorCodes"/>).
/// A token Graph rejects is a <see cref="MailAuthenticationException"/> instead, and cancellation is never wrapped.
/// </summary>
public class GraphMailException : Exception
{
    /// <summary>Creates an exception.</summary>
    /// <param name="errorCode">A stable code, for example <c>graph_access_policy_denied</c>.</param>
    /// <param name="message">What happened and why. Must not contain a secret.</param>
    /// <param name="remedy">What to do about it.</param>
    /// <param name="isRetryable">Whether trying again later may succeed.</param>
    /// <param name="innerException">The original failure.</param>
    public GraphMailException(string errorCode, string message, string remedy, bool isRetryable = false, Exception? innerException = null)
        : base(Compose(message, remedy), innerException)
    {
        ErrorCode = string.IsNullOrWhiteSpace(errorCode) ? MailFindingCodes.GraphError : errorCode;
        Remedy = remedy ?? string.Empty;
        IsRetryable = isRetryable;
    }

    /// <summary>Creates an exception with the code <c>graph_error</c>.</summary>
    public GraphMailException()
        : this(MailFindingCodes.GraphError, "The Microsoft Graph request failed.", string.Empty)
    {
    }

    /// <summary>Creates an exception with the code <c>graph_error</c>.</summary>
    /// <param name="message">What happened.</param>
    public GraphMailException(string message)
        : this(MailFindingCodes.GraphError, message, string.Empty)
    {
    }

    /// <summary>Creates an exception with the code <c>graph_error</c>.</summary>
    /// <param name="message">What happened.</param>
    /// <param name="innerException">The original failure.</param>
    public GraphMailException(string message, Exception? innerException)
        : this(MailFindingCodes.GraphError, message, string.Empty, false, innerException)
    {
    }

    /// <summary>A stable code, for example <c>graph_access_policy_denied</c>, <c>graph_throttled</c>, <c>graph_http_error</c>.</summary>
    public string ErrorCode { get; }

    /// <summary>What to do about it: a portal step or an exact PowerShell command.</summary>
    public string Remedy { get; }

    /// <summary>Whether trying again later may succeed (throttling, a busy service, a network failure, a timeout).</summary>
    public bool IsRetryable { get; }

    /// <summary>Graph's own error code, for example <c>ErrorAccessDenied</c>; <see langword="null"/> when there was none.</summary>
    public string? GraphErrorCode { get; init; }

    /// <summary>Graph's error message, when there was one.</summary>
    public string? GraphMessage { get; init; }

    /// <summary>The HTTP status of the response, when one arrived.</summary>
    public HttpStatusCode? StatusCode { get; init; }

    /// <summary>The <c>request-id</c> Graph gave the request, for a support case.</summary>
    public string? RequestId { get; init; }

    /// <summary>How long Graph asked the client to wait (<c>Retry-After</c>), when it said.</summary>
    public TimeSpan? RetryAfter { get; init; }

    /// <summary>What diagnostics found in the token (for a missing permission) and in Graph's reply.</summary>
    public IReadOnlyList<MailFinding> Findings { get; init; } = Array.Empty<MailFinding>();

    private static string Compose(string message, string remedy)
    {
        message = string.IsNullOrWhiteSpace(message) ? "The Microsoft Graph request failed." : message.Trim();
        return string.IsNullOrWhiteSpace(remedy) ? message : message + " Fix: " + remedy.Trim();
    }
}
