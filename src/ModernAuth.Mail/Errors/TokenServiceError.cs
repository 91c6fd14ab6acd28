namespace ModernAuth.Mail;

/// <summary>What an <c>AADSTS</c> error from Microsoft Entra ID means and how to fix it.</summary>
internal sealed class TokenServiceError
{
    public TokenServiceError(int[] aadstsCodes, string errorCode, string meaning, string remedy, bool isRetryable = false)
    {
        AadstsCodes = aadstsCodes;
        ErrorCode = errorCode;
        Meaning = meaning;
        Remedy = remedy;
        IsRetryable = isRetryable;
    }

    /// <summary>The AADSTS numbers this entry explains.</summary>
    public int[] AadstsCodes { get; }

    /// <summary>The stable <see cref="MailErrorCodes"/> value.</summary>
    public string ErrorCode { get; }

    /// <summary>What it means, in one sentence.</summary>
    public string Meaning { get; }

    /// <summary>The fix. Placeholders: <c>{clientId}</c>, <c>{tenantId}</c>.</summary>
    public string Remedy { get; }

    public bool IsRetryable { get; }
}
