using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace ModernAuth.Mail.Diagnostics;

/// <summary>
/// Explains what a mail server or the token service answered: IMAP, POP and SMTP replies from Exchange Online,
/// Dovecot and Postfix, SASL challenges with a JSON error, Microsoft Graph errors (the JSON body as printed, or its code
/// and message), and Microsoft Entra ID <c>AADSTS</c> errors. Paste the
/// text as it came (with IMAP tags, multi-line SMTP replies, Exchange's trailing <c>[host timestamp id]</c>, a
/// protocol log); <see cref="Explain(string, MailProtocol?)"/> returns a stable code, the fix, whether retrying
/// helps and what could be parsed (a back-off time, trace ids).
/// </summary>
/// <remarks>
/// <see cref="Explain(string, MailProtocol?)"/> never throws and runs in bounded time: the input is cut at
/// <see cref="MaxInputLength"/> characters and every pattern has a match timeout. Secrets in the pasted text (a
/// JWT, a long base64 run such as an XOAUTH2 string, a client's lines in a protocol log) are never echoed back.
/// </remarks>
public class MailResponseCatalog
{
    /// <summary>The longest input read, in characters; the rest is ignored.</summary>
    public const int MaxInputLength = 16 * 1024;

    private static readonly TimeSpan RegexTimeout = TimeSpan.FromMilliseconds(250);
    private const RegexOptions Options = RegexOptions.CultureInvariant | RegexOptions.IgnoreCase;

    private static readonly Regex ImapLine = new(@"^(?<tag>[^\s]{1,64})\s+(?<status>NO|BAD|BYE|OK)\b\s*(?<text>.*)$", Options, RegexTimeout);
    private static readonly Regex PopLine = new(@"^(?<status>-ERR|\+OK)\b\s*(?<text>.*)$", Options, RegexTimeout);
    private static readonly Regex SmtpLine = new(@"^(?<code>[2-5]\d\d)(?<sep>[ -]|$)\s*(?:(?<enh>[245]\.\d{1,3}\.\d{1,3})\b\s*)?(?<text>.*)$", Options, RegexTimeout);
    private static readonly Regex Trailer = new(@"\s*\[(?<trace>[^\[\]]*\.[^\[\]]*)\]\s*$", Options, RegexTimeout);
    private static readonly Regex Jwt = new(@"eyJ[A-Za-z0-9_\-]{8,}\.[A-Za-z0-9_\-]*(?:\.[A-Za-z0-9_\-]*)?", RegexOptions.CultureInvariant, RegexTimeout);
    private static readonly Regex LongBase64 = new(@"[A-Za-z0-9+/_\-]{80,}={0,2}", RegexOptions.CultureInvariant, RegexTimeout);
    private static readonly Regex Backoff = new(@"Suggested\s+Backoff\s+Time:\s*(?<ms>\d{1,12})\s*milliseconds", Options, RegexTimeout);
    private static readonly Regex TraceIdPattern = new(@"(?:Trace ID:\s*|""trace_id""\s*:\s*"")(?<id>[0-9a-f\-]{8,64})", Options, RegexTimeout);
    private static readonly Regex CorrelationIdPattern = new(@"(?:Correlation ID:\s*|""correlation_id""\s*:\s*"")(?<id>[0-9a-f\-]{8,64})", Options, RegexTimeout);
    private static readonly Regex TimestampPattern = new(@"(?:Timestamp:\s*|""timestamp""\s*:\s*"")(?<ts>\d{4}-\d\d-\d\d[ T]\d\d:\d\d:\d\d(?:\.\d+)?Z?)", Options, RegexTimeout);
    private static readonly Regex AppIdPattern = new(@"(?:app|application|client)[^'""]{0,30}'(?<id>[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})'", Options, RegexTimeout);
    private static readonly Regex TenantPattern = new(@"(?:tenant|directory)\s+(?:identifier\s+)?'(?<id>[^'\s]{1,100})'", Options, RegexTimeout);
    private static readonly Regex AadstsDescription = new(@"AADSTS\d{5,7}:?\s*(?<text>[^\r\n""]*?)(?=\s*Trace ID:|\s*$|"")", Options, RegexTimeout);

    private static readonly IReadOnlyList<Rule> Rules = BuildRules();

    /// <summary>The shared catalog.</summary>
    public static MailResponseCatalog Default { get; } = new();

    /// <summary>Every code <see cref="Explain(string, MailProtocol?)"/> can return, including the <see cref="MailErrorCodes"/> of token-service errors.</summary>
    public static IReadOnlyList<string> Codes { get; } = BuildCodes();

    /// <summary>
    /// Explains <paramref name="response"/>: a server reply, several lines of a protocol log, a SASL challenge (raw
    /// JSON or base64), or a token-service error (its description or JSON body). Never throws.
    /// </summary>
    /// <param name="response">The text as received. May be <see langword="null"/> or anything.</param>
    /// <param name="protocol">The protocol, when known; it breaks ties (a bare <c>535</c> is SMTP either way).</param>
    /// <returns>The explanation; <see cref="MailResponseExplanation.IsRecognised"/> is <see langword="false"/> when nothing matched.</returns>
    public virtual MailResponseExplanation Explain(string? response, MailProtocol? protocol = null)
    {
        try
        {
            return ExplainCore(response, protocol);
        }
#pragma warning disable CA1031 // A diagnostic must explain any input, not crash on it.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            return Unrecognised("(the text could not be read: " + ex.GetType().Name + ")", MailResponseSource.Unknown, null);
        }
    }

    private static MailResponseExplanation ExplainCore(string? response, MailProtocol? protocol)
    {
        if (response is null || response.Trim().Length == 0)
        {
            return Unrecognised("(no text)", MailResponseSource.Unknown, null);
        }

        var text = response.Length > MaxInputLength ? response.Substring(0, MaxInputLength) : response;

        // Token service errors first: their descriptions quote other text freely.
        if (TokenServiceErrors.TryParseAadsts(text, out var aadsts))
        {
            return ExplainAadsts(text, aadsts);
        }

        // A managed identity endpoint's answer (as MSAL reports it) has no AADSTS number.
        if (ExplainManagedIdentity(text) is { } managed)
        {
            return managed;
        }

        // Microsoft Graph: its JSON error, or a code only Graph uses.
        if (GraphErrorCatalog.TryExplain(text, protocol) is { } graph)
        {
            return graph;
        }

        var lines = Normalise(text);
        MailResponseExplanation? challenge = null;
        foreach (var line in lines)
        {
            if (line.Challenge is not null)
            {
                challenge = ExplainChallenge(line);
            }
        }

        foreach (var rule in Rules)
        {
            for (var i = lines.Count - 1; i >= 0; i--)
            {
                var line = lines[i];
                if (line.Challenge is not null || !rule.Applies(line, protocol))
                {
                    continue;
                }

                Match match;
                try
                {
                    match = rule.Pattern.Match(line.Canonical);
                }
                catch (RegexMatchTimeoutException)
                {
                    continue;
                }

                if (!match.Success)
                {
                    continue;
                }

                if (challenge is not null)
                {
                    // The JSON challenge says why; the final reply only says that it failed.
                    return challenge;
                }

                long? backoff = null;
                if (rule.Code == MailFindingCodes.ImapThrottled)
                {
                    var m = SafeMatch(Backoff, line.Canonical);
                    if (m is not null && long.TryParse(m.Groups["ms"].Value, NumberStyles.None, CultureInfo.InvariantCulture, out var ms))
                    {
                        backoff = ms;
                    }
                }

                var remedy = backoff is { } b
                    ? rule.Remedy.Replace("{backoff}", b.ToString(CultureInfo.InvariantCulture))
                    : rule.Remedy.Replace("{backoff}", "the suggested number of");
                return new MailResponseExplanation(rule.Code, rule.Severity, line.Canonical, rule.Meaning, remedy)
                {
                    IsRecognised = true,
                    IsRetryable = rule.Retryable,
                    Source = line.Source,
                    Status = line.Status,
                    EnhancedStatusCode = line.Enhanced,
                    BackoffMilliseconds = backoff,
                    ServerTrace = line.Trace,
                    Timestamp = ExchangeTimestamp(line.Trace),
                };
            }
        }

        if (challenge is not null)
        {
            return challenge;
        }

        var last = lines.Count > 0 ? lines[lines.Count - 1] : null;
        return Unrecognised(last?.Canonical ?? "(no readable line)", last?.Source ?? MailResponseSource.Unknown, last?.Status);
    }

    private static MailResponseExplanation ExplainAadsts(string text, int code)
    {
        var entry = TokenServiceErrors.Find(code);
        var appId = SafeMatch(AppIdPattern, text)?.Groups["id"].Value;
        var tenant = SafeMatch(TenantPattern, text)?.Groups["id"].Value;
        var description = SafeMatch(AadstsDescription, text)?.Groups["text"].Value.Trim();
        var serverText = "AADSTS" + code.ToString(CultureInfo.InvariantCulture) + (string.IsNullOrEmpty(description) ? string.Empty : ": " + Clip(Redact(description!), 400));
        var errorCode = entry?.ErrorCode ?? MailErrorCodes.TokenServiceError;
        var meaning = entry?.Meaning ?? "Entra ID refused the token request with an error this catalog does not describe.";
        var remedy = entry is null
            ? "Look the code up: https://login.microsoftonline.com/error?code=" + code.ToString(CultureInfo.InvariantCulture) + " and check the sign-in logs (Entra admin center > Monitoring > Sign-in logs) with the correlation id."
            : TokenServiceErrors.FillRemedy(entry.Remedy, appId, tenant);
        return new MailResponseExplanation(errorCode, entry?.IsRetryable == true ? MailFindingSeverity.Warning : MailFindingSeverity.Error, serverText, meaning, remedy)
        {
            // An AADSTS number the catalog does not describe is a token-service error all the same (code, text and
            // ids are kept), but nothing here knows what it means: not recognised.
            IsRecognised = entry is not null,
            IsRetryable = entry?.IsRetryable ?? false,
            Source = MailResponseSource.TokenService,
            AadstsCode = code,
            TraceId = SafeMatch(TraceIdPattern, text)?.Groups["id"].Value,
            CorrelationId = SafeMatch(CorrelationIdPattern, text)?.Groups["id"].Value,
            Timestamp = SafeMatch(TimestampPattern, text)?.Groups["ts"].Value,
        };
    }

    private static MailResponseExplanation? ExplainManagedIdentity(string text)
    {
        var line = Clip(Redact(Normalise(text).LastOrDefault()?.Canonical ?? text.Trim()), 400);
        if (Internal.ManagedIdentityErrors.IsUnreachable(text))
        {
            return new MailResponseExplanation(MailErrorCodes.ManagedIdentityUnavailable, MailFindingSeverity.Error, line,
                "The managed identity endpoint (IMDS at 169.254.169.254, or the App Service / Arc / Cloud Shell endpoint) could not be reached: the code is not running on an Azure resource with a managed identity, or the endpoint is blocked.",
                Internal.ManagedIdentityErrors.UnavailableRemedy)
            { IsRecognised = true, Source = MailResponseSource.TokenService };
        }

        if (Internal.ManagedIdentityErrors.IsNotAssigned(text))
        {
            return new MailResponseExplanation(MailErrorCodes.ManagedIdentityNotAssigned, MailFindingSeverity.Error, line,
                "The managed identity endpoint answered, but the identity asked for (the system-assigned one, or the user-assigned client id or resource id) is not assigned to this Azure resource.",
                Internal.ManagedIdentityErrors.NotAssignedRemedy)
            { IsRecognised = true, Source = MailResponseSource.TokenService };
        }

        return null;
    }

    private static MailResponseExplanation ExplainChallenge(Line line)
    {
        var c = line.Challenge!;
        var status = c.Status ?? "(none)";
        var scope = c.Scope is null ? string.Empty : " The server wants the scope '" + c.Scope + "'.";
        return new MailResponseExplanation(
            MailFindingCodes.SaslOAuthErrorChallenge,
            MailFindingSeverity.Error,
            line.Canonical,
            "The server rejected the token and said why in a SASL challenge (status " + status + ")." + scope +
            " 'invalid_token' or 401: the token is expired, for another audience, signed by an unknown key, or names another user than user=; 'insufficient_scope' / 403: a scope is missing. The tagged failure follows once the client answers the challenge.",
            "Inspect the token (TokenInspector) for exp, aud, scope and the user claim. The client must answer the challenge to finish (XOAUTH2: an empty line; OAUTHBEARER: 'AQ==', the byte 0x01) and then gets the final reply. For Dovecot, the server log with auth_debug = yes names the failing check (audience via client_id, scope, username_attribute, key).")
        {
            IsRecognised = true,
            Source = MailResponseSource.SaslChallenge,
            Status = c.Status,
        };
    }

    private static MailResponseExplanation Unrecognised(string serverText, MailResponseSource source, string? status) => new(
        MailFindingCodes.Unrecognised,
        MailFindingSeverity.Info,
        Clip(serverText, 400),
        "The text matches no entry of the catalog.",
        "Paste the server's complete reply line, including its status: the tagged IMAP reply (for example 'A1 NO AUTHENTICATE failed.'), the POP '-ERR ...' line, the SMTP reply with its code ('535 5.7.3 ...'), the SASL challenge ('+ eyJ...' or its JSON), or the token service's error description with its AADSTS number. MailKit keeps IMAP and POP replies only in its protocol log (IProtocolLogger).")
    {
        IsRecognised = false,
        Source = source,
        Status = status,
    };

    private static List<Line> Normalise(string text)
    {
        var result = new List<Line>();
        Line? smtpOpen = null;
        foreach (var raw in text.Split(new[] { "\r\n", "\n", "\r" }, StringSplitOptions.None))
        {
            var line = raw.Trim();
            if (line.Length == 0)
            {
                continue;
            }

            // Protocol logs: "S: ..." is the server, "C: ..." the client, whose lines carry the secrets: drop them.
            if (line.StartsWith("C:", StringComparison.Ordinal) || line.StartsWith("C ", StringComparison.Ordinal))
            {
                continue;
            }

            if (line.StartsWith("S:", StringComparison.Ordinal))
            {
                line = line.Substring(2).Trim();
            }

            var challenge = TryChallenge(line, out var challengeText);
            if (challenge is not null)
            {
                result.Add(new Line { Canonical = challengeText!, Challenge = challenge, Source = MailResponseSource.SaslChallenge, Status = challenge.Status });
                smtpOpen = null;
                continue;
            }

            string? trace = null;
            var trailer = SafeMatch(Trailer, line);
            if (trailer is not null)
            {
                trace = trailer.Groups["trace"].Value.Trim();
                line = line.Substring(0, trailer.Index).TrimEnd();
            }

            line = Collapse(Redact(line));
            var smtp = SafeMatch(SmtpLine, line);
            if (smtp is not null)
            {
                var code = smtp.Groups["code"].Value;
                var enh = smtp.Groups["enh"].Success ? smtp.Groups["enh"].Value : null;
                var body = smtp.Groups["text"].Value.Trim();
                if (smtpOpen is not null && smtpOpen.Status == code)
                {
                    // A continuation of a multi-line reply: "535-5.7.139 first part" then "535 5.7.139 second part".
                    smtpOpen.Canonical = Collapse(smtpOpen.Canonical + " " + body);
                    smtpOpen.Trace ??= trace;
                }
                else
                {
                    smtpOpen = new Line
                    {
                        Source = MailResponseSource.Smtp,
                        Status = code,
                        Enhanced = enh,
                        Canonical = Collapse(code + " " + (enh is null ? string.Empty : enh + " ") + body),
                        Trace = trace,
                    };
                    result.Add(smtpOpen);
                }

                if (smtp.Groups["sep"].Value != "-")
                {
                    smtpOpen = null;
                }

                continue;
            }

            smtpOpen = null;
            var pop = SafeMatch(PopLine, line);
            if (pop is not null)
            {
                result.Add(new Line { Source = MailResponseSource.Pop, Status = pop.Groups["status"].Value.ToUpperInvariant(), Canonical = line, Trace = trace });
                continue;
            }

            var imap = SafeMatch(ImapLine, line);
            if (imap is not null)
            {
                var status = imap.Groups["status"].Value.ToUpperInvariant();
                result.Add(new Line { Source = MailResponseSource.Imap, Status = status, Canonical = Collapse(status + " " + imap.Groups["text"].Value), Trace = trace });
                continue;
            }

            result.Add(new Line { Source = MailResponseSource.Unknown, Canonical = line, Trace = trace });
        }

        return result;
    }

    private static Challenge? TryChallenge(string line, out string? canonical)
    {
        canonical = null;
        var body = line;
        if (body.StartsWith("334 ", StringComparison.Ordinal))
        {
            body = body.Substring(4).Trim();
        }
        else if (body.StartsWith("+", StringComparison.Ordinal) && !body.StartsWith("+OK", StringComparison.OrdinalIgnoreCase))
        {
            body = body.Substring(1).Trim();
        }

        if (body.Length == 0 || body.Length > 4096)
        {
            return null;
        }

        string json;
        if (body[0] == '{')
        {
            json = body;
        }
        else
        {
            var bytes = Base64Url.TryDecode(body);
            if (bytes is null || bytes.Length < 2 || bytes[0] != (byte)'{')
            {
                return null;
            }

            try
            {
                json = new UTF8Encoding(false, true).GetString(bytes);
            }
            catch (ArgumentException)
            {
                return null;
            }
        }

        try
        {
            using var doc = JsonDocument.Parse(json, new JsonDocumentOptions { MaxDepth = 8 });
            if (doc.RootElement.ValueKind != JsonValueKind.Object || !doc.RootElement.TryGetProperty("status", out var statusElement))
            {
                return null;
            }

            var challenge = new Challenge
            {
                Status = Scalar(statusElement),
                Scope = doc.RootElement.TryGetProperty("scope", out var scope) ? Scalar(scope) : null,
                Schemes = doc.RootElement.TryGetProperty("schemes", out var schemes) ? Scalar(schemes) : null,
            };
            var sb = new StringBuilder("{\"status\":\"").Append(Clip(challenge.Status ?? string.Empty, 64)).Append('"');
            if (challenge.Schemes is not null)
            {
                sb.Append(",\"schemes\":\"").Append(Clip(challenge.Schemes, 64)).Append('"');
            }

            if (challenge.Scope is not null)
            {
                sb.Append(",\"scope\":\"").Append(Clip(challenge.Scope, 200)).Append('"');
            }

            canonical = sb.Append('}').ToString();
            return challenge;
        }
        catch (Exception ex) when (ex is JsonException or ArgumentException or InvalidOperationException)
        {
            return null;
        }
    }

    private static string? Scalar(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.String => Redact(element.GetString() ?? string.Empty),
        JsonValueKind.Number => element.GetRawText(),
        _ => null,
    };

    private static string? ExchangeTimestamp(string? trace)
    {
        if (trace is null)
        {
            return null;
        }

        foreach (var part in trace.Split(' '))
        {
            if (part.Length >= 19 && char.IsDigit(part[0]) && part[4] == '-' && part.IndexOf('T') == 10)
            {
                return part;
            }
        }

        return null;
    }

    /// <summary>A regex match that treats a timeout (hostile input) as no match.</summary>
    internal static Match? SafeMatch(Regex regex, string input)
    {
        try
        {
            var match = regex.Match(input);
            return match.Success ? match : null;
        }
        catch (RegexMatchTimeoutException)
        {
            return null;
        }
    }

    /// <summary>Removes what must never be echoed: JWTs and long base64 runs (tokens, XOAUTH2 strings).</summary>
    internal static string Redact(string text)
    {
        try
        {
            text = Jwt.Replace(text, "<redacted token>");
            return LongBase64.Replace(text, m => "<redacted " + m.Length.ToString(CultureInfo.InvariantCulture) + " characters>");
        }
        catch (RegexMatchTimeoutException)
        {
            return "<redacted>";
        }
    }

    /// <summary>Runs of white space and control characters become one space; none at the start or end.</summary>
    internal static string Collapse(string text)
    {
        var sb = new StringBuilder(text.Length);
        var space = false;
        foreach (var c in text)
        {
            if (char.IsWhiteSpace(c) || char.IsControl(c))
            {
                space = sb.Length > 0;
                continue;
            }

            if (space)
            {
                sb.Append(' ');
                space = false;
            }

            sb.Append(c);
        }

        return sb.ToString();
    }

    /// <summary>At most <paramref name="max"/> characters, with "..." where it was cut.</summary>
    internal static string Clip(string text, int max) => text.Length <= max ? text : text.Substring(0, max) + "...";

    private static IReadOnlyList<string> BuildCodes()
    {
        var codes = new List<string>();
        foreach (var rule in Rules)
        {
            if (!codes.Contains(rule.Code))
            {
                codes.Add(rule.Code);
            }
        }

        codes.AddRange(GraphErrorCatalog.Codes);
        codes.Add(MailFindingCodes.SaslOAuthErrorChallenge);
        codes.Add(MailFindingCodes.Unrecognised);
        foreach (var entry in TokenServiceErrors.All)
        {
            if (!codes.Contains(entry.ErrorCode))
            {
                codes.Add(entry.ErrorCode);
            }
        }

        if (!codes.Contains(MailErrorCodes.TokenServiceError))
        {
            codes.Add(MailErrorCodes.TokenServiceError);
        }

        return codes.AsReadOnly();
    }

    private static Rule[] BuildRules()
    {
        const string imapAppOnly = "App-only: (1) the app registration has Office 365 Exchange Online > Application permission IMAP.AccessAsApp with admin consent; (2) Exchange knows the app: New-ServicePrincipal -AppId <app id> -ObjectId <Enterprise Application object id> (the Enterprise Application's object id, not the App Registration's; check with Get-ServicePrincipal | Format-List AppId,ObjectId); (3) Add-MailboxPermission -Identity <mailbox> -User <service principal id> -AccessRights FullAccess. Delegated: the token was requested with 'https://outlook.office.com/IMAP.AccessAsUser.All' (not a bare scope, which resolves to Microsoft Graph). Either way IMAP must be on for the mailbox: Set-CASMailbox -Identity <mailbox> -ImapEnabled $true. Run TokenInspector on the token: it names the wrong claim.";
        const string popAppOnly = "App-only: (1) Office 365 Exchange Online > Application permission POP.AccessAsApp with admin consent; (2) New-ServicePrincipal -AppId <app id> -ObjectId <Enterprise Application object id> (not the App Registration's object id); (3) Add-MailboxPermission -Identity <mailbox> -User <service principal id> -AccessRights FullAccess. Delegated: scope 'https://outlook.office.com/POP.AccessAsUser.All'. POP must be on: Set-CASMailbox -Identity <mailbox> -PopEnabled $true (Outlook.com: turn POP on in Settings > Mail > Forwarding and IMAP). Run TokenInspector on the token: it names the wrong claim.";
        const string smtpGates = "Check the three gates: the tenant (Get-TransportConfig | Format-List SmtpClientAuthenticationDisabled; fix: Set-TransportConfig -SmtpClientAuthenticationDisabled $false), the mailbox (Get-CASMailbox -Identity <mailbox> | Format-List SmtpClientAuthenticationDisabled; fix: Set-CASMailbox -Identity <mailbox> -SmtpClientAuthenticationDisabled $false, or $null to inherit the tenant's setting), and Entra ID (security defaults, Conditional Access).";
        const string dovecot = "Dovecot validated the token and refused it. With introspection_mode = local it checks the signature key (local_validation_key_dict), the issuer (issuers), the audience (client_id / audience), every listed scope in a 'scope' claim (scp is ignored), that the claim named by username_attribute equals the SASL user, and exp with no leeway. Set auth_debug = yes and auth_verbose = yes and read the log line for this login; run TokenInspector on the token.";

        return new[]
        {
            new Rule(MailFindingCodes.ImapNotConnected, MailResponseSource.Imap, MailFindingSeverity.Error, false,
                @"\bUser is authenticated but not connected",
                "Exchange accepted the token but the authenticated principal cannot open the mailbox named in XOAUTH2 user=: no Full Access permission, a wrong or misspelt mailbox address, or a delegated token used for another user's mailbox.",
                "Put the mailbox's primary SMTP address in user= (for a shared mailbox, the shared mailbox's address). Grant access in Exchange Online PowerShell: app-only: Add-MailboxPermission -Identity <mailbox> -User <service principal id> -AccessRights FullAccess (after New-ServicePrincipal -AppId <app id> -ObjectId <Enterprise Application object id>); delegated: Add-MailboxPermission -Identity <mailbox> -User <signed-in user> -AccessRights FullAccess -InheritanceType All. Permissions can take up to an hour to apply."),
            new Rule(MailFindingCodes.ImapThrottled, MailResponseSource.Imap, MailFindingSeverity.Warning, true,
                @"\bRequest is throttled",
                "Exchange throttled the connection: too many commands or connections for this mailbox or application.",
                "Wait {backoff} milliseconds before the next command, then continue; open fewer concurrent connections per mailbox and reuse one connection instead of reconnecting per message."),
            new Rule(MailFindingCodes.ImapAuthenticateFailed, MailResponseSource.Imap, MailFindingSeverity.Error, false,
                @"^NO\s+AUTHENTICATE\s+failed",
                "Exchange rejected the token: it is for another resource (Microsoft Graph instead of Exchange), lacks IMAP.AccessAsUser.All / IMAP.AccessAsApp, the application has no service principal in Exchange, or the service principal was registered with the App Registration's object id instead of the Enterprise Application's.",
                imapAppOnly),
            new Rule(MailFindingCodes.ImapLoginFailed, MailResponseSource.Imap, MailFindingSeverity.Error, false,
                @"^NO\s+LOGIN\s+failed",
                "The client logged in with a password (IMAP LOGIN). Exchange Online turned Basic authentication off for IMAP; only OAuth (AUTHENTICATE XOAUTH2) works.",
                "Authenticate with XOAUTH2 and an access token for 'https://outlook.office.com/IMAP.AccessAsUser.All' (delegated) or 'https://outlook.office365.com/.default' with IMAP.AccessAsApp (app-only). With MailKit, pass a SaslMechanismOAuth2 to Authenticate."),
            new Rule(MailFindingCodes.ImapAuthRejected, MailResponseSource.Imap, MailFindingSeverity.Error, false,
                @"^NO\s+\[AUTHENTICATIONFAILED\]",
                "The server (Dovecot and most non-Microsoft servers) refused the credentials: for OAuth, the token failed its validation.",
                dovecot),
            new Rule(MailFindingCodes.ImapAuthUnavailable, MailResponseSource.Imap, MailFindingSeverity.Warning, true,
                @"^NO\s+\[UNAVAILABLE\]",
                "The server could not decide: its authentication service failed. With Dovecot's oauth2 passdb this also happens when the token lacks the claim named by username_attribute (there is then no challenge, only this temporary failure).",
                "Retry later; if it persists, check the server's log. For Dovecot, make sure the token carries the claim named by username_attribute (for example 'email') and that the introspection URL or validation key is reachable."),
            new Rule(MailFindingCodes.PopAuthenticationFailure, MailResponseSource.Pop, MailFindingSeverity.Error, false,
                @"^-ERR\s+Authentication\s+failure:\s*unknown\s+user\s+name\s+or\s+bad\s+password",
                "Exchange's POP answer to any authentication failure: for OAuth, the same causes as IMAP 'NO AUTHENTICATE failed.' (wrong resource, missing POP.AccessAsUser.All / POP.AccessAsApp, no or wrong service principal, no mailbox permission).",
                popAppOnly),
            new Rule(MailFindingCodes.PopAuthRejected, MailResponseSource.Pop, MailFindingSeverity.Error, false,
                @"^-ERR\s+\[AUTH\]",
                "The server (Dovecot) refused the credentials: for OAuth, the token failed its validation.",
                dovecot),
            new Rule(MailFindingCodes.PopAuthUnavailable, MailResponseSource.Pop, MailFindingSeverity.Warning, true,
                @"^-ERR\s+\[SYS/TEMP\]",
                "A temporary failure on the server. With Dovecot's oauth2 passdb this also happens when the token lacks the claim named by username_attribute.",
                "Retry later; if it persists, check the server's log and that the token carries the claim named by username_attribute."),
            new Rule(MailFindingCodes.SmtpAuthDisabled, MailResponseSource.Smtp, MailFindingSeverity.Error, false,
                @"^535\s+5\.7\.139\b.*SmtpClientAuthentication\s+is\s+disabled",
                "SMTP AUTH is turned off for the tenant or for this mailbox. Exchange checks this before the token, for OAuth too.",
                "In Exchange Online PowerShell: for the whole tenant, Set-TransportConfig -SmtpClientAuthenticationDisabled $false; for one mailbox, Set-CASMailbox -Identity <mailbox> -SmtpClientAuthenticationDisabled $false ($null makes the mailbox follow the tenant's setting). In the Microsoft 365 admin center: Users > Active users > <user> > Mail > Manage email apps > Authenticated SMTP. See https://aka.ms/smtp_auth_disabled. Changes can take an hour."),
            new Rule(MailFindingCodes.SmtpSecurityDefaults, MailResponseSource.Smtp, MailFindingSeverity.Error, false,
                @"^535\s+5\.7\.139\b.*security\s+defaults",
                "The tenant's Security Defaults block this sign-in.",
                "Entra admin center > Identity > Overview > Properties > Manage security defaults: if SMTP AUTH must work, turn security defaults off and protect sign-ins with Conditional Access policies instead; or send through Microsoft Graph (sendMail) instead of SMTP."),
            new Rule(MailFindingCodes.SmtpConditionalAccess, MailResponseSource.Smtp, MailFindingSeverity.Error, false,
                @"^535\s+5\.7\.139\b.*did\s+not\s+meet\s+the\s+criteria",
                "A Conditional Access policy or an authentication policy blocked the sign-in.",
                "Entra admin center > Monitoring > Sign-in logs: find this sign-in (user or application, client app 'Authenticated SMTP'), open Conditional Access and see which policy failed; exclude the account or application from it or allow the client. Also check the authentication policies (Exchange: Get-AuthenticationPolicy) assigned to the user."),
            new Rule(MailFindingCodes.SmtpBasicAuthDisabled, MailResponseSource.Smtp, MailFindingSeverity.Error, false,
                @"^535\s+5\.7\.139\b.*basic\s+authentication\s+is\s+disabled",
                "A password was sent (AUTH LOGIN or PLAIN): Basic authentication for SMTP is off for this tenant.",
                "Authenticate with AUTH XOAUTH2 and an access token for 'https://outlook.office.com/SMTP.Send' (delegated) or 'https://outlook.office365.com/.default' with SMTP.SendAsApp (app-only). With MailKit pass a SaslMechanismOAuth2; SmtpClient.Authenticate(ICredentials) never picks XOAUTH2. A device that cannot do OAuth can send through the ModernAuth.Mail relay."),
            new Rule(MailFindingCodes.SmtpAuthBlocked, MailResponseSource.Smtp, MailFindingSeverity.Error, false,
                @"^535\s+5\.7\.139\b",
                "SMTP authentication was blocked by a tenant, mailbox or Entra ID policy.",
                smtpGates),
            new Rule(MailFindingCodes.SmtpAuthenticationUnsuccessful, MailResponseSource.Smtp, MailFindingSeverity.Error, false,
                @"^535\s+5\.7\.3\b",
                "Exchange rejected the credentials: for OAuth, the token is for another resource (Microsoft Graph), lacks SMTP.Send (delegated) or SMTP.SendAsApp (app-only), or the application has no service principal or mailbox permission in Exchange. With a password, Basic authentication is off.",
                "Run TokenInspector on the token (aud must be https://outlook.office.com or https://outlook.office365.com, scp must hold SMTP.Send or roles SMTP.SendAsApp). App-only: New-ServicePrincipal -AppId <app id> -ObjectId <Enterprise Application object id>, then Add-MailboxPermission -Identity <mailbox> -User <service principal id> -AccessRights FullAccess, or the RBAC role: New-ManagementRoleAssignment -App <service principal id> -Role \"Application SMTP.SendAsApp\" -CustomResourceScope <management scope>. XOAUTH2 user= must be the sending mailbox. " + smtpGates),
            new Rule(MailFindingCodes.SmtpAuthRejected, MailResponseSource.Smtp, MailFindingSeverity.Error, false,
                @"^535\s+5\.7\.8\b",
                "The server refused the credentials (Postfix with Dovecot SASL, Gmail and others): for OAuth, the token failed validation.",
                "For Postfix with Dovecot SASL the reason is in Dovecot's log (auth_debug = yes). If the XOAUTH2 initial response is long, raise Postfix's line_length_limit (for example 65536): the default 2048 cuts a real token. " + dovecot),
            new Rule(MailFindingCodes.SmtpBasicAuthRemoved, MailResponseSource.Smtp, MailFindingSeverity.Error, false,
                @"^550\s+5\.7\.30\b",
                "Basic authentication for SMTP client submission has been removed for this tenant: passwords no longer work at all.",
                "Switch the sender to OAuth (AUTH XOAUTH2 with an SMTP.Send or SMTP.SendAsApp token); a device that cannot do OAuth can send through the ModernAuth.Mail relay, or use Microsoft Graph sendMail."),
            new Rule(MailFindingCodes.SmtpSendAsDenied, MailResponseSource.Smtp, MailFindingSeverity.Error, false,
                @"^554\s+5\.2\.0\b.*SendAsDenied",
                "Authentication worked, but the authenticated principal may not send as the message's From address.",
                "Send with the authenticated mailbox as From, or grant the right: Add-RecipientPermission -Identity <From address> -Trustee <user or service principal id> -AccessRights SendAs (for a shared mailbox too). App-only: XOAUTH2 user= is the mailbox that sends."),
            new Rule(MailFindingCodes.SmtpMailboxLogonFailure, MailResponseSource.Smtp, MailFindingSeverity.Error, false,
                @"^430\s+4\.2\.0\b.*mailbox\s+logon\s+failure",
                "The app-only principal has no rights on the mailbox in XOAUTH2 user= (a temporary code, but retrying does not help until permissions change).",
                "Add-MailboxPermission -Identity <mailbox> -User <service principal id> -AccessRights FullAccess, or New-ManagementRoleAssignment -App <service principal id> -Role \"Application SMTP.SendAsApp\" -CustomResourceScope <management scope>; check that New-ServicePrincipal used the Enterprise Application's object id."),
            new Rule(MailFindingCodes.SmtpNotAuthenticated, MailResponseSource.Smtp, MailFindingSeverity.Error, false,
                @"^530\s+5\.7\.57\b",
                "The client sent MAIL FROM without being authenticated: AUTH was skipped, or it failed and the client went on anyway.",
                "Connect to port 587 with STARTTLS, then AUTH XOAUTH2 before MAIL FROM, and stop on an authentication error instead of ignoring it; check the earlier 535 reply for the reason. " + smtpGates),

            // The browser sign-in's own outcomes (MSAL's client error codes and ours), as a user pastes them.
            new Rule(MailErrorCodes.BrowserUnavailable, MailResponseSource.TokenService, MailFindingSeverity.Error, false,
                @"\b(linux_xdg_open_failed|browser_unavailable)\b|Unable to open a web page using xdg-open",
                "No browser could be started for the interactive sign-in (a server, a container or an SSH session has none; MSAL found no xdg-open, gnome-open, kfmclient, wslview or known browser).",
                "Use Flow=DeviceCode (modernauth-mail token --flow device-code) where no browser can run, or show the sign-in page another way with InteractiveBrowserTokenProviderOptions.OpenBrowser or CustomWebUi; on a desktop, install xdg-utils and a browser."),
            new Rule(MailErrorCodes.SignInCanceled, MailResponseSource.TokenService, MailFindingSeverity.Error, false,
                @"\b(authentication_canceled|sign_in_canceled)\b|User canceled authentication",
                "The user closed or declined the browser sign-in.",
                "Sign in again and accept the permissions the app asks for; if the consent screen asks for an administrator, an administrator grants consent first."),
            new Rule(MailErrorCodes.SignInTimedOut, MailResponseSource.TokenService, MailFindingSeverity.Error, false,
                @"\bsign_in_timed_out\b",
                "The browser sign-in did not come back within the sign-in timeout: nobody finished it, or the browser opened where nobody sees it.",
                "Sign in again within the time or raise SignInTimeout (--sign-in-timeout); where no browser can be shown use Flow=DeviceCode or a custom web UI."),
        };
    }

    private sealed class Rule
    {
        public Rule(string code, MailResponseSource source, MailFindingSeverity severity, bool retryable, string pattern, string meaning, string remedy)
        {
            Code = code;
            Source = source;
            Severity = severity;
            Retryable = retryable;
            Pattern = new Regex(pattern, Options, RegexTimeout);
            Meaning = meaning;
            Remedy = remedy;
        }

        public string Code { get; }

        public MailResponseSource Source { get; }

        public MailFindingSeverity Severity { get; }

        public bool Retryable { get; }

        public Regex Pattern { get; }

        public string Meaning { get; }

        public string Remedy { get; }

        public bool Applies(Line line, MailProtocol? protocol)
        {
            if (line.Source == Source)
            {
                return true;
            }

            // A line that could not be classified (no tag) is tried against the protocol the caller named.
            return line.Source == MailResponseSource.Unknown && (protocol is null || SourceOf(protocol.Value) == Source);
        }

        private static MailResponseSource SourceOf(MailProtocol protocol) => protocol switch
        {
            MailProtocol.Imap => MailResponseSource.Imap,
            MailProtocol.Pop => MailResponseSource.Pop,
            MailProtocol.Smtp => MailResponseSource.Smtp,
            _ => MailResponseSource.Unknown,
        };
    }

    private sealed class Line
    {
        public string Canonical { get; set; } = string.Empty;

        public MailResponseSource Source { get; set; }

        public string? Status { get; set; }

        public string? Enhanced { get; set; }

        public string? Trace { get; set; }

        public Challenge? Challenge { get; set; }
    }

    private sealed class Challenge
    {
        public string? Status { get; set; }

        public string? Scope { get; set; }

        public string? Schemes { get; set; }
    }
}
