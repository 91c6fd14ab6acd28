using System.Management.Automation;
using System.Net;
using ModernAuth.Mail.PowerShell.Engine.Failures;

namespace ModernAuth.Mail.PowerShell.Errors;

/// <summary>
/// Every failure as a PowerShell error: the stable code (the catalog's, see docs/troubleshooting.md) as the error id
/// (PowerShell adds the cmdlet: <c>smtp_auth_disabled,ModernAuth.Mail.PowerShell.SendModernAuthMailMessageCommand</c>),
/// the fix as <see cref="ErrorDetails.RecommendedAction"/> and at the end of the message, and a category that says what
/// kind of failure it is. Messages come from the libraries' exceptions, which never hold a token or a secret.
/// </summary>
internal static class ErrorRecords
{
    public static ErrorRecord From(Exception error, object? target)
    {
        var (code, remedy, category) = error switch
        {
            CmdletFailure failure => (failure.ErrorCode, failure.Remedy, failure.Category),
            MailAuthenticationException mail => (mail.ErrorCode, mail.Remedy, CategoryOf(mail.ErrorCode)),
            MailOperationException operation => (operation.ErrorCode, operation.Remedy, CategoryOf(operation.Kind)),
            Graph.GraphMailException graph => (graph.ErrorCode, graph.Remedy, CategoryOf(graph.StatusCode)),
            Ews.EwsException ews => (ews.ErrorCode, ews.Remedy, CategoryOf(ews.StatusCode)),
            _ => ("unexpected_error", "Run again with -Verbose; if it persists, report it with the output of Get-Error.", ErrorCategory.NotSpecified),
        };

        var message = OneLine(error.Message);
        if (PowerShellRemedy(code) is { } ours)
        {
            // The library's fix names its options (Flow=DeviceCode): the message keeps what happened, the fix is the module's.
            var theirs = string.IsNullOrWhiteSpace(remedy) ? -1 : message.IndexOf(OneLine(remedy!), StringComparison.Ordinal);
            message = theirs < 0 ? message : message.Substring(0, theirs).TrimEnd().TrimEnd(':').TrimEnd();
            message = message.EndsWith(" Fix", StringComparison.Ordinal) ? message.Substring(0, message.Length - 4) : message;
            remedy = ours;
        }

        if (error is MailAuthenticationException { ServerResponse: { Length: > 0 and <= 300 } server } && message.IndexOf(OneLine(server), StringComparison.Ordinal) < 0)
        {
            message = $"{message.TrimEnd('.')}. The server said: {OneLine(server)}";
        }

        if (!string.IsNullOrWhiteSpace(remedy) && message.IndexOf(OneLine(remedy).TrimEnd('.'), StringComparison.Ordinal) < 0)
        {
            message = $"{message.TrimEnd('.')}. To fix it: {OneLine(remedy)}";
        }

        var record = new ErrorRecord(error, code, category, target ?? (error as MailOperationException)?.Target)
        {
            ErrorDetails = new ErrorDetails(message) { RecommendedAction = remedy },
        };
        return record;
    }

    /// <summary>The fix in the module's words where the library's names settings or options a script does not have.</summary>
    private static string? PowerShellRemedy(string code) => code switch
    {
        MailErrorCodes.BrowserUnavailable => "On a machine without a desktop browser (a server, a container, SSH) sign in with -DeviceCode instead of -Interactive (the code to enter is shown on the information stream, and the sign-in is kept for later runs); on a Linux desktop, install xdg-utils and a browser.",
        _ => null,
    };

    private static ErrorCategory CategoryOf(string code) => code switch
    {
        MailErrorCodes.InvalidConfiguration or MailErrorCodes.MixedResourceScopes or MailErrorCodes.InvalidScope => ErrorCategory.InvalidArgument,
        MailErrorCodes.CertificateUnavailable or MailErrorCodes.TokenCacheUnavailable => ErrorCategory.ResourceUnavailable,
        MailErrorCodes.TokenServiceUnavailable or MailErrorCodes.TokenServiceUnreachable => ErrorCategory.ConnectionError,
        MailErrorCodes.TokenServiceTimeout => ErrorCategory.OperationTimeout,
        MailErrorCodes.TokenServiceThrottled => ErrorCategory.LimitsExceeded,
        MailErrorCodes.NotSupported => ErrorCategory.NotImplemented,
        MailErrorCodes.ConsentRequired => ErrorCategory.PermissionDenied,
        _ => ErrorCategory.AuthenticationError,
    };

    private static ErrorCategory CategoryOf(MailFailureKind kind) => kind switch
    {
        MailFailureKind.InvalidInput => ErrorCategory.InvalidArgument,
        MailFailureKind.NotFound => ErrorCategory.ObjectNotFound,
        MailFailureKind.Connection => ErrorCategory.ConnectionError,
        MailFailureKind.Tls => ErrorCategory.SecurityError,
        MailFailureKind.Timeout => ErrorCategory.OperationTimeout,
        MailFailureKind.NotSupported => ErrorCategory.NotImplemented,
        _ => ErrorCategory.InvalidOperation,
    };

    private static ErrorCategory CategoryOf(HttpStatusCode? status) => status switch
    {
        HttpStatusCode.Unauthorized => ErrorCategory.AuthenticationError,
        HttpStatusCode.Forbidden => ErrorCategory.PermissionDenied,
        HttpStatusCode.NotFound => ErrorCategory.ObjectNotFound,
        (HttpStatusCode)429 => ErrorCategory.LimitsExceeded,
        HttpStatusCode.RequestTimeout or HttpStatusCode.GatewayTimeout => ErrorCategory.OperationTimeout,
        HttpStatusCode.ServiceUnavailable or HttpStatusCode.BadGateway => ErrorCategory.ResourceUnavailable,
        _ => ErrorCategory.InvalidOperation,
    };

    private static string OneLine(string text) =>
        string.Join(" ", text.Split(new[] { '\r', '\n' }, StringSplitOptions.RemoveEmptyEntries).Select(l => l.Trim())).Trim();
}
