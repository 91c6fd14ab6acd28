namespace ModernAuth.Mail.Diagnostics;

/// <summary>
/// What a server's reply or a token-service error means: a stable code, how serious it is, whether retrying can
/// help, the server's words (normalised, secrets removed), why it happens and the fix, plus what could be parsed
/// from it (a throttling back-off, an <c>AADSTS</c> number, trace and correlation ids).
/// </summary>
public sealed class MailResponseExplanation
{
    /// <summary>Creates an explanation.</summary>
    /// <param name="code">A stable code from <see cref="MailFindingCodes"/> or <see cref="MailErrorCodes"/>.</param>
    /// <param name="severity">How serious it is.</param>
    /// <param name="serverText">The reply, normalised (tags, trailing trace brackets and secrets removed).</param>
    /// <param name="explanation">What it usually means.</param>
    /// <param name="remedy">What to do: portal steps or exact commands.</param>
    /// <exception cref="ArgumentException"><paramref name="code"/> is empty.</exception>
    public MailResponseExplanation(string code, MailFindingSeverity severity, string serverText, string explanation, string remedy)
    {
        if (string.IsNullOrWhiteSpace(code))
        {
            throw new ArgumentException("An explanation needs a code.", nameof(code));
        }

        Code = code;
        Severity = severity;
        ServerText = serverText ?? string.Empty;
        Explanation = explanation ?? string.Empty;
        Remedy = remedy ?? string.Empty;
    }

    /// <summary>The stable code (see <c>docs/troubleshooting.md</c>); <c>unrecognised</c> when nothing matched.</summary>
    public string Code { get; }

    /// <summary>How serious it is.</summary>
    public MailFindingSeverity Severity { get; }

    /// <summary>The server's reply, normalised: IMAP tag and Exchange's trailing <c>[host timestamp id]</c> removed, multi-line SMTP replies joined, secrets redacted.</summary>
    public string ServerText { get; }

    /// <summary>What the reply usually means.</summary>
    public string Explanation { get; }

    /// <summary>What to do.</summary>
    public string Remedy { get; }

    /// <summary>Whether the text matched an entry of the catalog.</summary>
    public bool IsRecognised { get; init; }

    /// <summary>Whether trying again later may succeed (throttling, a temporary failure).</summary>
    public bool IsRetryable { get; init; }

    /// <summary>Who answered.</summary>
    public MailResponseSource Source { get; init; }

    /// <summary>The reply's status: <c>NO</c> / <c>BAD</c> (IMAP), <c>-ERR</c> (POP), <c>535</c> (SMTP), <c>401</c> / <c>invalid_token</c> (a SASL challenge).</summary>
    public string? Status { get; init; }

    /// <summary>The SMTP enhanced status code, for example <c>5.7.139</c>.</summary>
    public string? EnhancedStatusCode { get; init; }

    /// <summary>How long the server asked the client to wait (IMAP throttling), in milliseconds.</summary>
    public long? BackoffMilliseconds { get; init; }

    /// <summary>The <c>AADSTS</c> error number of a token-service error.</summary>
    public int? AadstsCode { get; init; }

    /// <summary>The token service's trace id, for a support request.</summary>
    public string? TraceId { get; init; }

    /// <summary>The token service's correlation id, for a support request and the sign-in logs.</summary>
    public string? CorrelationId { get; init; }

    /// <summary>The timestamp the token service or Exchange put into the reply, as written.</summary>
    public string? Timestamp { get; init; }

    /// <summary>Exchange's trailing diagnostic bracket (<c>host timestamp id</c>), for a support request.</summary>
    public string? ServerTrace { get; init; }

    /// <summary>The same explanation as a <see cref="MailFinding"/>, to sit beside the token's findings.</summary>
    /// <returns>A finding with the same code, severity, server text, explanation and remedy.</returns>
    public MailFinding ToFinding() => new(Code, Severity, ServerText, Explanation, Remedy);

    /// <inheritdoc/>
    public override string ToString() => $"[{Severity}] {Code}: {ServerText} {Explanation} Fix: {Remedy}";
}
