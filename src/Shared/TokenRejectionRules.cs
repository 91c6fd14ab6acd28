namespace ModernAuth.Mail.Diagnostics;

/// <summary>
/// What a server's refusal of a token means once the token's own findings are known: which finding explains it, and
/// whether a fresh token from the same provider could be any different. One source file linked into the MailKit and
/// EWS packages, so both adapters decide alike.
/// </summary>
internal static class TokenRejectionRules
{
    // Faults a fresh token from the same provider carries again: asking for one costs a token request and another
    // failed sign-in in the tenant's logs, and changes nothing.
    private static readonly HashSet<string> SameInFreshToken = new(StringComparer.Ordinal)
    {
        MailFindingCodes.WrongAudience,
        MailFindingCodes.ExchangeAudienceAlias,
        MailFindingCodes.TokenTypeMismatch,
        MailFindingCodes.TenantMismatch,
        MailFindingCodes.ClientIdMismatch,
        MailFindingCodes.MailboxMismatch,
        MailFindingCodes.TokenEmpty,
        MailFindingCodes.TokenMalformed,
        MailFindingCodes.TokenTooLarge,
        MailFindingCodes.TokenUnsigned,
        MailFindingCodes.TokenNotYetValid,
        MailFindingCodes.ClaimMissing,
        MailFindingCodes.ClaimInvalid,
    };

    /// <summary>The finding of the token that explains a refusal: its first error, else (when asked) its first warning.</summary>
    /// <param name="tokenFindings">What <see cref="TokenInspector"/> found in the refused token.</param>
    /// <param name="includeWarnings">Whether a warning may explain it (the server said no more than "rejected").</param>
    public static MailFinding? FindCause(IReadOnlyList<MailFinding> tokenFindings, bool includeWarnings)
    {
        MailFinding? warning = null;
        foreach (var finding in tokenFindings)
        {
            if (finding.Severity == MailFindingSeverity.Error)
            {
                return finding;
            }

            if (includeWarnings && warning is null && finding.Severity == MailFindingSeverity.Warning)
            {
                warning = finding;
            }
        }

        return warning;
    }

    /// <summary>
    /// Whether a fresh token may lack the fault: an expired token, or roles and scopes granted after the refused token
    /// was issued (a cached token keeps its old ones until it expires).
    /// </summary>
    public static bool FreshTokenMayFix(MailFinding cause) => !SameInFreshToken.Contains(cause.Code);
}
