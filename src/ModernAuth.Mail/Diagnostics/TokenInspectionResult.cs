namespace ModernAuth.Mail.Diagnostics;

/// <summary>What <see cref="TokenInspector.Inspect(string)"/> found: a summary of the token and the findings.</summary>
public sealed class TokenInspectionResult
{
    /// <summary>Creates a result.</summary>
    /// <param name="summary">What was read from the token.</param>
    /// <param name="findings">What was found, most serious first.</param>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    public TokenInspectionResult(TokenSummary summary, IReadOnlyList<MailFinding> findings)
    {
        Summary = summary ?? throw new ArgumentNullException(nameof(summary));
        Findings = findings ?? throw new ArgumentNullException(nameof(findings));
    }

    /// <summary>What was read from the token (never the token itself).</summary>
    public TokenSummary Summary { get; }

    /// <summary>What was found, errors first, then warnings, then information.</summary>
    public IReadOnlyList<MailFinding> Findings { get; }

    /// <summary>Whether any finding is an <see cref="MailFindingSeverity.Error"/>: the token will be rejected.</summary>
    public bool HasErrors
    {
        get
        {
            foreach (var finding in Findings)
            {
                if (finding.Severity == MailFindingSeverity.Error)
                {
                    return true;
                }
            }

            return false;
        }
    }

    /// <summary>Whether a finding with <paramref name="code"/> is present.</summary>
    /// <param name="code">A code from <see cref="MailFindingCodes"/>.</param>
    /// <returns><see langword="true"/> when present.</returns>
    public bool Has(string code)
    {
        foreach (var finding in Findings)
        {
            if (string.Equals(finding.Code, code, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }
}
