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

    // Dovecot answers a token without a claim its passdb needs (roles, the user claim) with a temporary failure: the
    // token's findings say what is missing far better, and retrying the same token never helps.
    private static readonly HashSet<string> TemporaryFailures = new(StringComparer.Ordinal)
    {
        MailFindingCodes.ImapAuthUnavailable,
        MailFindingCodes.PopAuthUnavailable,
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

    /// <summary>
    /// Weighs the server's reply against the token's own findings. When the server only said "rejected" (or, as
    /// Dovecot does for a token without a claim it needs, "temporary failure"), a finding of the token that explains it
    /// decides the code, the remedy and retryability; and a fresh token is asked for only when it could differ.
    /// </summary>
    public static RejectionVerdict Judge(AttemptContext context, MailAccessToken token, MailResponseExplanation explanation)
    {
        var inspection = InspectToken(context, token);
        var generic = GenericRejections.Contains(explanation.Code);
        if (generic || TemporaryFailures.Contains(explanation.Code))
        {
            var cause = TokenRejectionRules.FindCause(inspection.Findings, includeWarnings: generic);
            if (cause is not null)
            {
                return new RejectionVerdict(explanation, inspection, cause.Code, "The token: " + cause.Observed + ". " + cause.Explanation, cause.Fix, IsRetryable: false, TokenRejectionRules.FreshTokenMayFix(cause));
            }
        }

        var freshTokenMayHelp = !explanation.IsRetryable && !NotFixedByFreshToken.Contains(explanation.Code);
        return new RejectionVerdict(explanation, inspection, explanation.Code, explanation.Explanation, explanation.Remedy, explanation.IsRetryable, freshTokenMayHelp);
    }

    /// <summary>Builds the exception the caller gets.</summary>
    public static MailAuthenticationException CreateException(
        AttemptContext context,
        MailAccessToken token,
        ServerReply reply,
        RejectionVerdict verdict,
        int attempts,
        Exception failure)
    {
        var explanation = verdict.Reply;
        var tokenFindings = verdict.Token.Findings;
        var findings = new List<MailFinding>(tokenFindings.Count + 2) { explanation.ToFinding() };
        var code = verdict.Code;
        var why = verdict.Why;
        var remedy = verdict.Remedy;
        if (MailboxRefused(context, token, verdict) is { } refused)
        {
            // Nothing wrong with the token, refused again: the server will not give this principal this mailbox.
            findings.Add(refused);
            code = refused.Code;
            why = refused.Explanation;
            remedy = refused.Fix;
        }

        findings.AddRange(tokenFindings);
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
        if (explanation.BackoffMilliseconds is { } backoff && verdict.IsRetryable)
        {
            message.Append(" The server asks to wait ").Append(backoff.ToString(CultureInfo.InvariantCulture)).Append(" ms before trying again.");
        }

        return new MailAuthenticationException(code, message.ToString(), remedy, verdict.IsRetryable, failure)
        {
            ServerResponse = reply.Shown,
            Protocol = context.Protocol,
            Findings = findings,
            RetryAfter = verdict.IsRetryable && explanation.BackoffMilliseconds is { } ms ? TimeSpan.FromMilliseconds(ms) : null,
        };
    }

    private static MailFinding? MailboxRefused(AttemptContext context, MailAccessToken token, RejectionVerdict verdict)
    {
        var summary = verdict.Token.Summary;
        if (!context.AppOnly || !token.IsJwt || summary.IsAppOnly != true || !GenericRejections.Contains(verdict.Code) ||
            TokenRejectionRules.FindCause(verdict.Token.Findings, includeWarnings: true) is not null)
        {
            return null;
        }

        var tenant = summary.TenantId ?? "<tenant id>";
        var appId = summary.AppId ?? "<app id>";
        var principal = summary.ObjectId ?? "<service principal id>";
        var grant = context.Protocol == MailProtocol.Smtp
            ? "Add-MailboxPermission -Identity " + context.User + " -User " + principal + " -AccessRights FullAccess, or the RBAC role: New-ManagementRoleAssignment -App " + principal + " -Role \"Application SMTP.SendAsApp\" -CustomResourceScope <scope>"
            : "Add-MailboxPermission -Identity " + context.User + " -User " + principal + " -AccessRights FullAccess";
        return new MailFinding(
            MailFindingCodes.MailboxRefused,
            MailFindingSeverity.Error,
            "app-only token of tenant " + tenant + " with " + string.Join(", ", summary.Roles) + "; user=" + context.User,
            "The token is what app-only " + Name(context.Protocol) + " needs (Exchange audience, the role, tenant " + tenant + "), and the server still refused it for " + context.User +
            ": this principal may not open that mailbox. Usually the mailbox is not in tenant " + tenant + " (an address of another organization, or a typo), " +
            "or the app has no service principal in that tenant's Exchange Online, or no permission on the mailbox. A fresh token cannot change that.",
            "Check the address and that it is a mailbox of tenant " + tenant + ": Connect-ExchangeOnline -Organization " + tenant + "; Get-EXOMailbox -Identity " + context.User +
            ". A mailbox of another organization needs a token of its tenant: an admin there consents the app (https://login.microsoftonline.com/<its tenant>/adminconsent?client_id=" + appId +
            ") and you configure that tenant id. In the mailbox's tenant: New-ServicePrincipal -AppId " + appId + " -ObjectId <Enterprise Application object id>, then " + grant + ".")
        {
            Claim = "tid",
        };
    }

    private static TokenInspectionResult InspectToken(AttemptContext context, MailAccessToken token)
    {
        var inspector = new TokenInspector(new TokenInspectorOptions
        {
            Protocol = context.Protocol,
            AppOnly = context.AppOnly,
            Mailbox = context.User,
            Cloud = context.Cloud,
            TimeProvider = context.TimeProvider,
        });
        return inspector.Inspect(token.Token);
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

/// <summary>
/// What a rejection means: the server's reply, the token's inspection, and the code, explanation, remedy and
/// retryability the caller gets (the token's finding when it explains the reply), and whether a fresh token could help.
/// </summary>
internal sealed record RejectionVerdict(MailResponseExplanation Reply, TokenInspectionResult Token, string Code, string Why, string Remedy, bool IsRetryable, bool FreshTokenMayHelp);

/// <summary>What diagnostics need to know about an authentication.</summary>
internal sealed record AttemptContext(MailProtocol Protocol, string User, bool AppOnly, string MechanismName, MailCloud Cloud, TimeProvider TimeProvider);
