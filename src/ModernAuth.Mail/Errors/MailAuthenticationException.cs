using ModernAuth.Mail.Diagnostics;

namespace ModernAuth.Mail;

/// <summary>
/// Authentication for a mail protocol failed: no token could be had, or a server rejected it. The message says
/// what happened, why it usually happens and what to do; <see cref="ErrorCode"/> is stable for programs to test,
/// <see cref="Remedy"/> is the fix, and <see cref="IsRetryable"/> says whether trying again later may work.
/// Cancellation is never wrapped: it surfaces as <see cref="OperationCanceledException"/>.
/// </summary>
public class MailAuthenticationException : Exception
{
    /// <summary>Creates an exception.</summary>
    /// <param name="errorCode">A stable code from <see cref="MailErrorCodes"/>.</param>
    /// <param name="message">What happened and why. Must not contain a secret.</param>
    /// <param name="remedy">What to do about it.</param>
    /// <param name="isRetryable">Whether trying again later may succeed.</param>
    /// <param name="innerException">The original failure.</param>
    public MailAuthenticationException(string errorCode, string message, string remedy, bool isRetryable = false, Exception? innerException = null)
        : base(Compose(message, remedy), innerException)
    {
        ErrorCode = string.IsNullOrWhiteSpace(errorCode) ? MailErrorCodes.Unknown : errorCode;
        Remedy = remedy ?? string.Empty;
        IsRetryable = isRetryable;
    }

    /// <summary>Creates an exception with the code <see cref="MailErrorCodes.Unknown"/>.</summary>
    public MailAuthenticationException()
        : this(MailErrorCodes.Unknown, "Authentication failed.", string.Empty)
    {
    }

    /// <summary>Creates an exception with the code <see cref="MailErrorCodes.Unknown"/>.</summary>
    /// <param name="message">What happened.</param>
    public MailAuthenticationException(string message)
        : this(MailErrorCodes.Unknown, message, string.Empty)
    {
    }

    /// <summary>Creates an exception with the code <see cref="MailErrorCodes.Unknown"/>.</summary>
    /// <param name="message">What happened.</param>
    /// <param name="innerException">The original failure.</param>
    public MailAuthenticationException(string message, Exception? innerException)
        : this(MailErrorCodes.Unknown, message, string.Empty, false, innerException)
    {
    }

    /// <summary>A stable code from <see cref="MailErrorCodes"/>, for example <c>invalid_client_secret</c>.</summary>
    public string ErrorCode { get; }

    /// <summary>What to do about it: a portal step or an exact command.</summary>
    public string Remedy { get; }

    /// <summary>Whether trying again later may succeed (throttling, the service being down, a timeout).</summary>
    public bool IsRetryable { get; }

    /// <summary>The server's or token service's own words, when there were any (secrets removed).</summary>
    public string? ServerResponse { get; init; }

    /// <summary>The protocol that was being authenticated, when known.</summary>
    public MailProtocol? Protocol { get; init; }

    /// <summary>
    /// How long the server asked the client to wait before trying again (for example Exchange Online's
    /// <c>Suggested Backoff Time</c> when it throttles), or <see langword="null"/> when it did not say.
    /// </summary>
    public TimeSpan? RetryAfter { get; init; }

    /// <summary>What diagnostics found in the token and the server's reply.</summary>
    public IReadOnlyList<MailFinding> Findings { get; init; } = Array.Empty<MailFinding>();

    private static string Compose(string message, string remedy)
    {
        message = string.IsNullOrWhiteSpace(message) ? "Authentication failed." : message.Trim();
        return string.IsNullOrWhiteSpace(remedy) ? message : message + " Fix: " + remedy.Trim();
    }
}
