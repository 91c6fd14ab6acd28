namespace ModernAuth.Mail.Diagnostics;

/// <summary>
/// One thing diagnostics found in a token, a server reply or a token-service error: a stable code, how serious
/// it is, what was seen, why it matters, and the fix.
/// </summary>
public sealed class MailFinding
{
    /// <summary>Creates a finding.</summary>
    /// <param name="code">A stable, documented code such as <c>wrong_audience</c>.</param>
    /// <param name="severity">How serious it is.</param>
    /// <param name="observed">What was seen (a claim and its value, or the server's words). Never a secret.</param>
    /// <param name="explanation">Why it matters.</param>
    /// <param name="fix">What to do: a portal step or an exact command.</param>
    /// <exception cref="ArgumentException"><paramref name="code"/> is empty.</exception>
    public MailFinding(string code, MailFindingSeverity severity, string observed, string explanation, string fix)
    {
        if (string.IsNullOrWhiteSpace(code))
        {
            throw new ArgumentException("A finding needs a code.", nameof(code));
        }

        Code = code;
        Severity = severity;
        Observed = observed ?? string.Empty;
        Explanation = explanation ?? string.Empty;
        Fix = fix ?? string.Empty;
    }

    /// <summary>The stable code (see <c>docs/troubleshooting.md</c>).</summary>
    public string Code { get; }

    /// <summary>How serious it is.</summary>
    public MailFindingSeverity Severity { get; }

    /// <summary>What was seen.</summary>
    public string Observed { get; }

    /// <summary>Why it matters.</summary>
    public string Explanation { get; }

    /// <summary>What to do.</summary>
    public string Fix { get; }

    /// <summary>
    /// The token claim the finding is about (<c>aud</c>, <c>scp</c>, <c>roles</c>, ...), or <see langword="null"/>
    /// when it is not about one claim (a server reply, the token's shape).
    /// </summary>
    public string? Claim { get; init; }

    /// <inheritdoc/>
    public override string ToString() => $"[{Severity}] {Code}: {Observed} {Explanation} Fix: {Fix}";
}
