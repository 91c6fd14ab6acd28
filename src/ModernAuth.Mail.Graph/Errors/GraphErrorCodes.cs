using ModernAuth.Mail.Diagnostics;

namespace ModernAuth.Mail.Graph;

/// <summary>
/// The error codes of <see cref="GraphMailException.ErrorCode"/> that this package adds to the Graph codes of
/// <see cref="MailFindingCodes"/> (<c>graph_access_policy_denied</c>, <c>graph_throttled</c>, ...), and the
/// <see cref="MailAuthenticationException.ErrorCode"/> of a rejected token. They never change meaning.
/// </summary>
public static class GraphErrorCodes
{
    /// <summary>
    /// A <see cref="MailAuthenticationException"/> code: Graph rejected the token with <c>401</c> even after a fresh one
    /// was fetched (wrong audience or tenant, a personal-account token where only work accounts work).
    /// </summary>
    public const string TokenRejected = "graph_token_rejected";

    /// <summary>Graph could not be reached (DNS, TCP, TLS) or the connection broke. Retryable.</summary>
    public const string HttpError = "graph_http_error";

    /// <summary>The request took longer than <see cref="GraphMailClientOptions.Timeout"/>. Retryable.</summary>
    public const string Timeout = "graph_timeout";

    /// <summary>Graph answered with something this client cannot read.</summary>
    public const string InvalidResponse = "graph_invalid_response";
}
