using System.Net.Sockets;
using MailKit;
using MailKit.Net.Smtp;
using MailKit.Security;

namespace ModernAuth.Mail.Cli.Output;

/// <summary>
/// Turns a failure into one readable paragraph with the fix and an exit code. Stack traces only with --verbose.
/// Messages come from the library's exceptions, which never hold a token or a secret.
/// </summary>
internal static class ErrorReporter
{
    public static int Report(Exception error, CliConsole console, bool verbose)
    {
        var (code, text) = Describe(error);
        console.Error.WriteLine(text);
        if (verbose)
        {
            if (error is MailAuthenticationException { Findings.Count: > 0 } failure)
            {
                console.Error.WriteLine();
                console.Error.WriteLine(Diagnostics.MailFindingFormatter.FormatText(failure.Findings));
            }

            console.Error.WriteLine();
            console.Error.WriteLine(error.ToString());
        }

        return code;
    }

    public static int ExitCodeOf(Exception error) => Describe(error).Code;

    public static (int Code, string Text) Describe(Exception error)
    {
        switch (error)
        {
            case UsageException usage:
                return (ExitCodes.Usage, $"Error: {usage.Message}");
            case ConfigurationException configuration:
                return (ExitCodes.Configuration, $"Configuration: {configuration.Message}");
            case MailAuthenticationException failure:
                var code = failure.ErrorCode is MailErrorCodes.InvalidConfiguration or MailErrorCodes.CertificateUnavailable or MailErrorCodes.TokenCacheUnavailable
                    ? ExitCodes.Configuration
                    : ExitCodes.Authentication;
                return (code, $"Authentication failed ({failure.ErrorCode}): {Paragraph(failure)}");
            case Ews.EwsException ews:
                var ewsCode = ews.ErrorCode.Contains("auth", StringComparison.OrdinalIgnoreCase) || ews.StatusCode is System.Net.HttpStatusCode.Unauthorized or System.Net.HttpStatusCode.Forbidden
                    ? ExitCodes.Authentication
                    : ExitCodes.Failure;
                return (ewsCode, $"EWS failed ({ews.ErrorCode}): {OneLine(ews.Message)}{(string.IsNullOrWhiteSpace(ews.Remedy) || ews.Message.Contains(ews.Remedy, StringComparison.Ordinal) ? "" : " To fix it: " + OneLine(ews.Remedy))}");
            case Graph.GraphMailException graph:
                var graphCode = graph.StatusCode is System.Net.HttpStatusCode.Unauthorized or System.Net.HttpStatusCode.Forbidden ? ExitCodes.Authentication : ExitCodes.Failure;
                return (graphCode, $"Microsoft Graph failed ({graph.ErrorCode}): {OneLine(graph.Message)}");
            case ArgumentException argument when argument.Message.Contains("mailbox", StringComparison.OrdinalIgnoreCase):
                return (ExitCodes.Configuration, $"Configuration: {StripParameter(argument)} Set --mailbox, MODERNAUTH_MAIL_MAILBOX or \"mailbox\" in the profile.");
            case SslHandshakeException tls:
                return (ExitCodes.Failure, $"TLS with the server failed: {FirstLine(tls.Message)} Check the host name and port, and that the server's certificate is trusted on this machine.");
            case SocketException socket:
                return (ExitCodes.Failure, $"Could not connect to the server: {socket.Message} ({socket.SocketErrorCode}). Check the host name and port (--imap-server, --pop-server, --smtp-server or the profile), DNS, and any firewall or proxy on the way.");
            case SmtpCommandException smtp:
                return (ExitCodes.Failure, $"The SMTP server refused the message: {(int)smtp.StatusCode} {smtp.Message} {Explain(smtp.Message, MailProtocol.Smtp)}".TrimEnd());
            case CommandException command:
                return (ExitCodes.Failure, $"The server refused the command: {command.Message}");
            case ProtocolException protocol:
                return (ExitCodes.Failure, $"The server broke off the conversation: {protocol.Message}");
            case IOException io:
                return (ExitCodes.Failure, $"The connection failed: {io.Message} Check the host name and port, and that the server is running.");
            case NotSupportedException notSupported:
                return (ExitCodes.Failure, notSupported.Message);
            case TimeoutException timeout:
                return (ExitCodes.Failure, $"The server did not answer in time: {timeout.Message}");
            default:
                return (ExitCodes.Failure, $"Unexpected error ({error.GetType().Name}): {error.Message} Run again with --verbose for details.");
        }
    }

    /// <summary>The exception's message, the server's short reply when the message lacks it, and the remedy unless the message already ends with it.</summary>
    public static string Paragraph(MailAuthenticationException failure)
    {
        var message = OneLine(failure.Message);
        var text = message.EndsWith('.') ? message : message + ".";
        if (failure.ServerResponse is { Length: > 0 and <= 300 } server && !server.Contains("Original exception", StringComparison.Ordinal) && !message.Contains(OneLine(server), StringComparison.Ordinal))
        {
            text += $" The server said: {OneLine(server)}.";
        }

        if (!string.IsNullOrWhiteSpace(failure.Remedy) && !message.Contains(OneLine(failure.Remedy).TrimEnd('.'), StringComparison.Ordinal))
        {
            text += $" To fix it: {OneLine(failure.Remedy)}";
        }

        return text;
    }

    private static string Explain(string text, MailProtocol protocol)
    {
        var explanation = Diagnostics.MailResponseCatalog.Default.Explain(text, protocol);
        return explanation.IsRecognised ? $"({explanation.Code}) {explanation.Explanation} To fix it: {explanation.Remedy}" : string.Empty;
    }

    private static string StripParameter(ArgumentException error)
    {
        var message = error.Message;
        var at = message.IndexOf(" (Parameter", StringComparison.Ordinal);
        return at > 0 ? message[..at] : message;
    }

    private static string OneLine(string text) => string.Join(" ", text.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).TrimEnd('.');

    private static string FirstLine(string text) => text.Split('\n')[0].Trim();
}
