namespace ModernAuth.Mail;

/// <summary>
/// A <see cref="MailTokenProviderSettings"/> could not become a provider: each of <see cref="Failures"/> names a setting
/// and says what belongs there. <see cref="MailAuthenticationException.ErrorCode"/> is
/// <see cref="MailErrorCodes.InvalidConfiguration"/>; never retryable.
/// </summary>
public class MailSettingsException : MailAuthenticationException
{
    /// <summary>Creates an exception from the failures of <see cref="MailTokenProviderSettings.Validate"/>.</summary>
    /// <param name="failures">What is wrong; at least one.</param>
    /// <exception cref="ArgumentException"><paramref name="failures"/> is empty.</exception>
    public MailSettingsException(IReadOnlyList<MailSettingsFailure> failures)
        : base(
            MailErrorCodes.InvalidConfiguration,
            Describe(failures),
            "Correct the settings named above; each message says what belongs there.")
    {
        Failures = failures;
    }

    /// <summary>What is wrong, one failure per setting problem.</summary>
    public IReadOnlyList<MailSettingsFailure> Failures { get; }

    private static string Describe(IReadOnlyList<MailSettingsFailure> failures)
    {
        if (failures is null || failures.Count == 0)
        {
            throw new ArgumentException("At least one failure is needed.", nameof(failures));
        }

        return failures.Count == 1
            ? "The token provider settings are invalid: " + failures[0]
            : "The token provider settings are invalid:" + string.Concat(failures.Select(f => Environment.NewLine + "- " + f));
    }
}
