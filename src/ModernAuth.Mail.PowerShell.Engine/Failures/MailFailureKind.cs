namespace ModernAuth.Mail.PowerShell.Engine.Failures;

/// <summary>What kind of failure a <see cref="MailOperationException"/> is: the cmdlets turn it into an ErrorCategory.</summary>
internal enum MailFailureKind
{
    InvalidInput,
    NotFound,
    Connection,
    Tls,
    Rejected,
    Timeout,
    NotSupported,
}
