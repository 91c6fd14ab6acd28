using System.Management.Automation;

namespace ModernAuth.Mail.PowerShell.Errors;

/// <summary>A failure the cmdlets find themselves (bad parameters, no sign-in, a -Credential with a password): code, fix and category.</summary>
internal sealed class CmdletFailure(string errorCode, string message, string remedy, ErrorCategory category) : Exception(message)
{
    public string ErrorCode { get; } = errorCode;

    public string Remedy { get; } = remedy;

    public ErrorCategory Category { get; } = category;
}
