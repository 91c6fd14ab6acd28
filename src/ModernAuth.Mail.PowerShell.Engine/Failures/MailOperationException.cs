namespace ModernAuth.Mail.PowerShell.Engine.Failures;

/// <summary>
/// A failure outside the token path (a bad address, a missing attachment, a server that refused the message or could
/// not be reached), with a stable code (the catalog's where the server's reply is in it), the fix and its kind. Failures
/// of signing in stay <see cref="MailAuthenticationException"/>s; Graph's and EWS's stay theirs.
/// </summary>
internal sealed class MailOperationException(string errorCode, string message, string remedy, MailFailureKind kind, Exception? innerException = null)
    : Exception(message, innerException)
{
    public string ErrorCode { get; } = errorCode;

    public string Remedy { get; } = remedy;

    public MailFailureKind Kind { get; } = kind;

    /// <summary>The input at fault (a path, an address), when there is one.</summary>
    public object? Target { get; init; }
}
