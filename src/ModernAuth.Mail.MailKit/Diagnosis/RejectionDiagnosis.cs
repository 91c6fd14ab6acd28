using System.Globalization;
using System.Text;
using ModernAuth.Mail.Diagnostics;

namespace ModernAuth.Mail.MailKit.Internal;

/// <summary>
/// Turns what a server answered to a token into the package's exception: the server's words go through the core
/// <see cref="MailResponseCatalog"/> (the one list of known replies), the token through <see cref="TokenInspector"/>.
/// </summary>
internal static class RejectionDiagnosis
{
    private const int MaxServerResponseLength = 2048;

    // Replies a fresh token cannot change: a tenant or mailbox setting, a policy, a missing mailbox permission.
    // Retrying them only costs a token request and another failed sign-in in the tenant's logs.
    private static readonly HashSet<string> NotFixedByFreshToken = new(StringComparer.Ordinal)
    {
        MailFindingCodes.ImapNotConnected,
        MailFindingCodes.SmtpAuthDisabled,
        MailFindingCodes.SmtpSecurityDefaults,
        MailFindingCodes.SmtpConditionalAccess,
        MailFindingCodes.SmtpBasicAuthDisabled,
        MailFindingCodes.SmtpBasicAuthRemoved,
        MailFindingCodes.SmtpSendAsDenied,
        MailFindingCodes.SmtpMailboxLogonFailure,
    };

    // Replies that only say "rejected": the token's own findings say why better.
    private static readonly HashSet<string> GenericRejections = new(StringComparer.Ordinal)
    {
        MailFindingCodes.SaslOAuthErrorChallenge,
        MailFindingCodes.ImapAuthenticateFailed,
        MailFindingCodes.ImapAuthRejected,
        MailFindingCodes.PopAuthenticationFailure,
        MailFindingCodes.PopAuthRejected,
        MailFindingCodes.SmtpAuthenticationUnsuccessful,
        MailFindingCodes.SmtpAuthRejected,
        MailFindingCodes.Unrecognised,
    };

    /// <summary>Collects the server's words of one failed attempt.</summary>
    /// <param name="serverLines">The lines the protocol logger kept, or <see langword="null"/> when the client has no <see cref="MailKitProtocolLogger"/>.</param>
    /// <param name="errorChallenge">The decoded challenge the mechanism answered, if any.</param>
    /// <param name="failure">What MailKit threw.</param>
    /// <param name="protocol">The protocol.</param>
    public static ServerReply Collect(IReadOnlyList<string>? serverLines, string? errorChallenge, Exception failure, MailProtocol protocol)
    {
        // What the catalog reads: the raw lines (it decodes base64 challenges itself). What the caller sees: the same
        // lines with challenges decoded, tags and empty continuations left out.
        var raw = new StringBuilder();
        var shown = new StringBuilder();
        if (serverLines is { Count: > 0 })
        {
            foreach (var line in serverLines)
            {
                var text = line.Trim();
                if (text.Length == 0 || text == "+" || text == "334")
                {
                    continue;
                }

                raw.Append(text).Append("\r\n");
                AppendShown(shown, Readable(text, protocol));
            }
        }
        else
        {
            if (!string.IsNullOrEmpty(errorChallenge))
            {
                raw.Append(errorChallenge).Append("\r\n");
                AppendShown(shown, errorChallenge!);
            }

            // MailKit keeps SMTP's reply in the message as "535: 5.7.3 ..."; IMAP and POP3 say only "Authentication failed.".
            if (protocol == MailProtocol.Smtp && TrySmtpReply(failure.Message, out var smtp))
            {
                raw.Append(smtp).Append("\r\n");
                AppendShown(shown, smtp);
            }
        }

        var text2 = shown.Length == 0 ? null : Clip(shown.ToString());
        return new ServerReply(raw.ToString(), text2, HasWords: serverLines is not null || text2 is not null);
    }

    /// <summary>Explains a reply with the core catalog.</summary>
    public static MailResponseExplanation Explain(ServerReply reply, MailProtocol protocol) =>
        MailResponseCatalog.Default.Explain(reply.CatalogText, protocol);

    /// <summary>Whether a fresh token may fix what the server answered.</summary>
    public static bool FreshTokenMayHelp(MailResponseExplanation explanation) =>
        !explanation.IsRetryable && !NotFixedByFreshToken.Contains(explanation.Code);

    /// <summary>Builds the exception the caller gets.</summary>
    public static MailAuthenticationException CreateException(
        AttemptContext context,
        MailAccessToken token,
        ServerReply reply,
        MailResponseExplanation explanation,
        int attempts,
        Exception failure)
    {
        var tokenFindings = InspectToken(context, token);
        var serverFinding = explanation.ToFinding();
        var findings = new List<MailFinding>(tokenFindings.Count + 1) { serverFinding };
        findings.AddRange(tokenFindings);

        var code = explanation.Code;
        var remedy = explanation.Remedy;
        var why = explanation.Explanation;
        if (GenericRejections.Contains(explanation.Code))
        {
            var decisive = tokenFindings.FirstOrDefault(f => f.Severity == MailFindingSeverity.Error)
                ?? tokenFindings.FirstOrDefault(f => f.Severity == MailFindingSeverity.Warning);
            if (decisive is not null)
            {
                code = decisive.Code;
                remedy = decisive.Fix;
                why = "The token: " + decisive.Observed + ". " + decisive.Explanation;
            }
        }

        var message = new StringBuilder()
            .Append("The ").Append(Name(context.Protocol)).Append(" server rejected the OAuth token for ").Append(context.User)
            .Append(" (").Append(context.MechanismName).Append(", token ").Append(token.Fingerprint)
            .Append(attempts > 1 ? ", also after a fresh token" : string.Empty).Append(").");
        if (reply.Shown is not null)
        {
            message.Append(" It said: \"").Append(OneLine(reply.Shown)).Append("\".");
        }
        else if (!reply.HasWords && context.Protocol != MailProtocol.Smtp)
        {
            message.Append(" MailKit does not keep the IMAP or POP3 server's words: create the client with a MailKitProtocolLogger to see them.");
        }

        message.Append(' ').Append(why.Trim());
        if (explanation.BackoffMilliseconds is { } backoff)
        {
            message.Append(" The server asks to wait ").Append(backoff.ToString(CultureInfo.InvariantCulture)).Append(" ms before trying again.");
        }

        return new MailAuthenticationException(code, message.ToString(), remedy, explanation.IsRetryable, failure)
        {
            ServerResponse = reply.Shown,
            Protocol = context.Protocol,
            Findings = findings,
            RetryAfter = explanation.BackoffMilliseconds is { } ms ? TimeSpan.FromMilliseconds(ms) : null,
        };
    }

    private static IReadOnlyList<MailFinding> InspectToken(AttemptContext context, MailAccessToken token)
    {
        var inspector = new TokenInspector(new TokenInspectorOptions
        {
            Protocol = context.Protocol,
            AppOnly = context.AppOnly,
            Mailbox = context.User,
            Cloud = context.Cloud,
            TimeProvider = context.TimeProvider,
        });
        return inspector.Inspect(token.Token).Findings;
    }

    private static string Readable(string line, MailProtocol protocol)
    {
        var body = line;
        if (protocol == MailProtocol.Smtp && body.StartsWith("334 ", StringComparison.Ordinal))
        {
            body = body.Substring(4).Trim();
        }
        else if (protocol != MailProtocol.Smtp && body.StartsWith("+ ", StringComparison.Ordinal))
        {
            body = body.Substring(2).Trim();
        }
        else
        {
            return line;
        }

        try
        {
            var decoded = Encoding.UTF8.GetString(Convert.FromBase64String(body));
            return decoded.Trim().StartsWith("{", StringComparison.Ordinal) ? decoded.Trim() : line;
        }
        catch (FormatException)
        {
            return line;
        }
    }

    private static bool TrySmtpReply(string message, out string reply)
    {
        // "535: 5.7.3 Authentication unsuccessful" -> "535 5.7.3 Authentication unsuccessful"
        reply = string.Empty;
        if (message.Length > 5 && char.IsDigit(message[0]) && char.IsDigit(message[1]) && char.IsDigit(message[2]) && message[3] == ':')
        {
            reply = message.Substring(0, 3) + " " + message.Substring(4).Trim();
            return true;
        }

        return false;
    }

    private static void AppendShown(StringBuilder shown, string line)
    {
        if (shown.Length > 0)
        {
            shown.Append('\n');
        }

        shown.Append(line);
    }

    private static string Clip(string text) => text.Length <= MaxServerResponseLength ? text : text.Substring(0, MaxServerResponseLength) + "...";

    private static string OneLine(string text) => text.Replace("\r", string.Empty).Replace('\n', ' ');

    private static string Name(MailProtocol protocol) => protocol switch
    {
        MailProtocol.Imap => "IMAP",
        MailProtocol.Pop => "POP3",
        MailProtocol.Smtp => "SMTP",
        _ => protocol.ToString(),
    };
}

/// <summary>The server's words of one attempt: <see cref="CatalogText"/> for the catalog, <see cref="Shown"/> for people.</summary>
internal readonly record struct ServerReply(string CatalogText, string? Shown, bool HasWords);

/// <summary>What diagnostics need to know about an authentication.</summary>
internal sealed record AttemptContext(MailProtocol Protocol, string User, bool AppOnly, string MechanismName, MailCloud Cloud, TimeProvider TimeProvider);
