using System.Globalization;
using ModernAuth.Mail.Internal;

namespace ModernAuth.Mail.Diagnostics;

/// <summary>
/// Reads an access token without trusting it and explains why Exchange Online would reject it: the wrong audience,
/// a missing scope or role, the wrong user, tenant or application, an expired token, a malformed one. Every
/// finding has a stable code, what was seen, why it fails and the exact fix.
/// </summary>
/// <remarks>
/// <para>
/// Microsoft does not promise that access tokens for its APIs can be read by clients: their format may change or
/// become encrypted at any time, and tokens for personal Microsoft accounts are opaque already. Decoding here is
/// for diagnostics only; nothing in this library decides anything from a token's content, and every result
/// includes an information finding (<c>decoding_for_diagnostics_only</c>) saying so.
/// </para>
/// <para>
/// <see cref="Inspect(string)"/> never throws and never puts the token or its signature into a finding or the
/// summary. It does not check the signature; <c>TokenSignatureValidator</c> (package ModernAuth.Mail.Diagnostics) does.
/// </para>
/// </remarks>
public class TokenInspector
{
    private static readonly string[] ExchangeAppIds = { "00000002-0000-0ff1-ce00-000000000000" };

    private static readonly string[] GraphAudiences =
    {
        "https://graph.microsoft.com", "00000003-0000-0000-c000-000000000000", "https://graph.microsoft.us",
        "https://dod-graph.microsoft.us", "https://microsoftgraph.chinacloudapi.cn", "https://graph.windows.net",
        "00000002-0000-0000-c000-000000000000",
    };

    // ps.outlook.com names the same Exchange Online resource (00000002-0000-0ff1-ce00-000000000000) in the global cloud:
    // MailKit's Exchange OAuth2 guide and Microsoft's admin-consent URL for IMAP/POP application permissions use it.
    private static readonly string[] GlobalExchangeAudienceAliases = { "https://ps.outlook.com" };

    private static readonly string[] PowerShellAudiences = { "https://outlook.office365.com/powershell-liveid" };

    private readonly TokenInspectorOptions _options;

    /// <summary>Creates an inspector that checks nothing beyond the token itself (global cloud, system clock).</summary>
    public TokenInspector()
        : this(new TokenInspectorOptions())
    {
    }

    /// <summary>Creates an inspector. The options are copied: later changes to <paramref name="options"/> have no effect.</summary>
    /// <param name="options">What to check the token against.</param>
    /// <exception cref="ArgumentNullException"><paramref name="options"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The clock skew is negative or the maximum length is not positive.</exception>
    /// <exception cref="ArgumentException">The cloud or time provider is <see langword="null"/>.</exception>
    public TokenInspector(TokenInspectorOptions options)
    {
        if (options is null)
        {
            throw new ArgumentNullException(nameof(options));
        }

        _options = options.Snapshot();
    }

    /// <summary>
    /// Inspects <paramref name="token"/>: a JWT, an opaque token, or anything pasted (a <c>Bearer </c> prefix,
    /// quotes and line breaks are removed first). Never throws.
    /// </summary>
    /// <param name="token">The access token. May be <see langword="null"/>, empty or garbage.</param>
    /// <returns>The summary and the findings, errors first.</returns>
    public virtual TokenInspectionResult Inspect(string? token)
    {
        try
        {
            return InspectCore(token);
        }
#pragma warning disable CA1031 // A diagnostic must explain any input, not crash on it.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            var finding = new MailFinding(
                MailFindingCodes.TokenMalformed,
                MailFindingSeverity.Error,
                "the token could not be read (" + ex.GetType().Name + ")",
                "The input is not a token this inspector can read.",
                "Copy the access token again, whole, from the token response's access_token field.");
            return new TokenInspectionResult(new TokenSummary { Kind = TokenKind.Malformed }, new[] { finding });
        }
    }

    private TokenInspectionResult InspectCore(string? input)
    {
        var findings = new List<MailFinding>();
        if (input is null || IsBlank(input))
        {
            findings.Add(new MailFinding(
                MailFindingCodes.TokenEmpty,
                MailFindingSeverity.Error,
                input is null ? "no token" : "an empty token",
                "There is nothing to send: the token request failed or its result was not passed on.",
                "Check the token request succeeded and pass its access_token to the mail client."));
            return Done(new TokenSummary { Kind = TokenKind.Malformed }, findings);
        }

        var token = Clean(input);
        var fingerprint = TokenShape.Fingerprint(token);
        var baseSummary = new TokenSummary { Kind = TokenKind.Malformed, Length = token.Length, Fingerprint = fingerprint };
        if (token.Length > _options.MaxTokenLength)
        {
            findings.Add(new MailFinding(
                MailFindingCodes.TokenTooLarge,
                MailFindingSeverity.Error,
                string.Format(CultureInfo.InvariantCulture, "{0:N0} characters (limit {1:N0})", token.Length, _options.MaxTokenLength),
                "Access tokens are a few kilobytes; this is something else (a file, a log, several tokens) and was not decoded.",
                "Pass only the access_token value of the token response."));
            return Done(baseSummary, findings);
        }

        if (token.Length == 0)
        {
            findings.Add(new MailFinding(MailFindingCodes.TokenEmpty, MailFindingSeverity.Error, "only a 'Bearer' prefix or quotes", "There is no token after the prefix.", "Pass the access_token value itself."));
            return Done(baseSummary, findings);
        }

        // One pass: count dots, find the first character that never occurs in a token.
        int dots = 0, firstDot = -1, secondDot = -1, bad = -1;
        var base64Only = true;
        for (var i = 0; i < token.Length; i++)
        {
            var c = token[i];
            if (c == '.')
            {
                if (dots == 0)
                {
                    firstDot = i;
                }
                else if (dots == 1)
                {
                    secondDot = i;
                }

                dots++;
                base64Only = false;
            }
            else if (!IsTokenChar(c))
            {
                bad = i;
                break;
            }
            else if (c is '!' or '*' or '$' or '~')
            {
                base64Only = false;
            }
        }

        if (bad >= 0)
        {
            var c = token[bad];
            var what = char.IsWhiteSpace(c) ? "white space" : c < 32 || c == 127 ? "a control character" : c > 126 ? "a non-ASCII character" : "the character '" + c + "'";
            findings.Add(Malformed(string.Format(CultureInfo.InvariantCulture, "{0} at position {1} of {2}", what, bad, token.Length),
                "Tokens are made of letters, digits and - _ . + / = only: this input was changed on its way (joined with other text, wrapped, or re-encoded)."));
            return Done(baseSummary, findings);
        }

        if (dots == 2)
        {
            return InspectJwt(token, firstDot, secondDot, baseSummary, findings);
        }

        if (dots == 4)
        {
            // A JWE: an encrypted JWT. Readable only by its audience.
            findings.Add(Opaque(token, "an encrypted JWT (JWE, five parts)"));
            return Done(new TokenSummary { Kind = TokenKind.Opaque, Length = token.Length, Fingerprint = fingerprint }, findings);
        }

        if (token.StartsWith("eyJ", StringComparison.Ordinal))
        {
            findings.Add(Malformed(string.Format(CultureInfo.InvariantCulture, "a JWT with {0} part(s) instead of 3", dots + 1),
                "The token starts like a JWT but is incomplete: it was cut off (a column or field too short, a line limit) or parts were lost when copying."));
            return Done(baseSummary, findings);
        }

        if (dots == 0 && (base64Only || token.Length >= 100) && token.Length >= 32)
        {
            findings.Add(Opaque(token, null));
            return Done(new TokenSummary { Kind = TokenKind.Opaque, Length = token.Length, Fingerprint = fingerprint }, findings);
        }

        findings.Add(Malformed(string.Format(CultureInfo.InvariantCulture, "{0} characters, {1} dot(s): neither a JWT nor an opaque token", token.Length, dots),
            "Work-account tokens for Exchange are JWTs (three base64url parts separated by dots); personal-account tokens are long opaque strings. This is neither."));
        return Done(baseSummary, findings);
    }

    private TokenInspectionResult InspectJwt(string token, int firstDot, int secondDot, TokenSummary baseSummary, List<MailFinding> findings)
    {
        var jwt = JwtDecoder.TryDecode(token, firstDot, secondDot, out var error);
        if (jwt is null)
        {
            findings.Add(Malformed("a JWT whose " + error,
                "A JWT is base64url(header JSON).base64url(payload JSON).signature; this one cannot be read, so no server can read it either."));
            return Done(baseSummary, findings);
        }

        var appOnly = DetectAppOnly(jwt);
        var summary = new TokenSummary
        {
            Kind = TokenKind.Jwt,
            Length = baseSummary.Length,
            Fingerprint = baseSummary.Fingerprint,
            Version = jwt.Version,
            Algorithm = jwt.Algorithm,
            KeyId = jwt.KeyId,
            Audience = jwt.Audiences.Count == 0 ? null : string.Join(", ", jwt.Audiences),
            Issuer = jwt.Issuer,
            TenantId = jwt.TenantId,
            AppId = jwt.Client,
            AppDisplayName = jwt.AppDisplayName,
            User = jwt.User,
            ObjectId = jwt.ObjectId,
            Scopes = jwt.Scopes.ToArray(),
            Roles = jwt.Roles.ToArray(),
            IsAppOnly = appOnly,
            ExpiresOn = jwt.ExpiresOn,
            NotBefore = jwt.NotBefore,
            IssuedAt = jwt.IssuedAt,
        };

        var ctx = new Context(_options, summary, jwt);
        CheckSignaturePresence(jwt, findings);
        CheckClaimTypes(jwt, findings);
        CheckAudience(ctx, findings);
        CheckKind(ctx, findings);
        CheckPermissions(ctx, findings);
        CheckMailbox(ctx, findings);
        CheckTime(ctx, findings);
        CheckTenantAndClient(ctx, findings);
        AddVersionFacts(ctx, findings);
        if (jwt.ManagedIdentityResourceId is { } mirid)
        {
            findings.Add(ManagedIdentity(ctx, mirid));
        }

        if (appOnly == true)
        {
            findings.Add(AppOnlySetup(ctx));
        }

        return Done(summary, findings);
    }

    private static bool? DetectAppOnly(DecodedJwt jwt)
    {
        if (jwt.HasScp && jwt.Scopes.Count > 0)
        {
            return false;
        }

        if (string.Equals(jwt.IdentityType, "app", StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        if (string.Equals(jwt.IdentityType, "user", StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        if (jwt.Roles.Count > 0)
        {
            return true;
        }

        // Neither scp nor roles: a user token always names its user; an app-only token without consent names none.
        return jwt.User is null && !jwt.HasUserHints;
    }

    private static void CheckSignaturePresence(DecodedJwt jwt, List<MailFinding> findings)
    {
        if (jwt.SignatureEmpty || string.Equals(jwt.Algorithm, "none", StringComparison.OrdinalIgnoreCase))
        {
            findings.Add(new MailFinding(
                MailFindingCodes.TokenUnsigned,
                MailFindingSeverity.Error,
                jwt.SignatureEmpty ? "the signature part is empty (alg = " + (jwt.Algorithm ?? "missing") + ")" : "alg = none",
                "An unsigned token is never accepted: it was built by hand, or its signature was cut off.",
                "Get the token from the token service (Entra ID) and pass it whole."));
        }
    }

    private static void CheckClaimTypes(DecodedJwt jwt, List<MailFinding> findings)
    {
        foreach (var problem in jwt.Problems)
        {
            findings.Add(new MailFinding(
                MailFindingCodes.ClaimInvalid,
                MailFindingSeverity.Warning,
                problem.Key + " is " + problem.Value,
                "The claim does not have the JSON type the JWT and Entra ID specifications give it, so it was ignored here and a server will reject or ignore it too.",
                "Tokens from Entra ID never look like this: check where the token comes from (a test token service, a hand-made token).")
            { Claim = problem.Key });
        }

        if (!jwt.HasAudience)
        {
            findings.Add(Missing("aud", MailFindingSeverity.Error, "Without an audience no server knows the token is meant for it."));
        }

        if (!jwt.HasExp)
        {
            findings.Add(Missing("exp", MailFindingSeverity.Error, "Servers reject tokens without an expiry (Dovecot and Exchange both require exp)."));
        }

        if (jwt.TenantId is null)
        {
            findings.Add(Missing("tid", MailFindingSeverity.Warning, "Entra ID tokens name their tenant; without it the tenant cannot be checked."));
        }

        if (jwt.Issuer is null)
        {
            findings.Add(Missing("iss", MailFindingSeverity.Warning, "Without an issuer the token cannot be validated."));
        }
    }

    private static void CheckAudience(Context ctx, List<MailFinding> findings)
    {
        var audiences = ctx.Jwt.Audiences;
        if (audiences.Count == 0)
        {
            return;
        }

        if (ctx.Protocol == MailProtocol.Graph)
        {
            CheckGraphAudience(ctx, findings);
            return;
        }

        foreach (var aud in audiences)
        {
            if (IsExchangeAudience(aud, ctx.Options.Cloud))
            {
                return;
            }
        }

        var aud0 = audiences[0];
        var observed = "aud = " + string.Join(", ", audiences);
        if (Matches(aud0, GlobalExchangeAudienceAliases) && IsExchangeAudience("https://outlook.office365.com", ctx.Options.Cloud))
        {
            findings.Add(ExchangeAudienceAlias(ctx, observed));
            return;
        }

        // A cloud whose ExchangeResource was overridden with Graph's makes every token a Graph token: say so, and name
        // the real Exchange scope rather than the misconfigured one.
        var exchangeResource = ctx.Options.Cloud.ExchangeResource.GetLeftPart(UriPartial.Authority);
        var misconfigured = Matches(exchangeResource, GraphAudiences) || SameAudience(exchangeResource, ctx.Options.Cloud.GraphResource.GetLeftPart(UriPartial.Authority));
        var scope = misconfigured ? MailCloud.Global.GetScopes(ctx.Protocol ?? MailProtocol.Imap, ctx.ExpectAppOnly)[0] : ctx.ScopeToRequest;
        string explanation;
        if (Matches(aud0, GraphAudiences))
        {
            explanation = "The token is for Microsoft Graph, not Exchange Online, so the mail server rejects it (IMAP 'NO AUTHENTICATE failed.', POP '-ERR Authentication failure', SMTP '535 5.7.3'). A scope without its resource prefix, such as a bare 'IMAP.AccessAsUser.All' or 'Mail.Read', resolves to Microsoft Graph.";
        }
        else if (Matches(aud0, PowerShellAudiences))
        {
            explanation = "The token is for Exchange Online PowerShell (powershell-liveid), not for the mail protocols, so IMAP, POP, SMTP and EWS reject it.";
        }
        else if (Matches(aud0, GlobalExchangeAudienceAliases))
        {
            explanation = "ps.outlook.com is Exchange Online in the global cloud, while the configured cloud is " + ctx.Options.Cloud.Name + ": the servers of one cloud reject tokens of another.";
        }
        else if (IsOtherCloudExchange(aud0, ctx.Options.Cloud, out var cloudName))
        {
            explanation = "The token is for Exchange in another cloud (" + cloudName + "), while the configured cloud is " + ctx.Options.Cloud.Name + ": the servers of one cloud reject tokens of another.";
        }
        else if (ctx.Summary.AppId is not null && string.Equals(aud0, ctx.Summary.AppId, StringComparison.OrdinalIgnoreCase) ||
                 ctx.Options.ClientId is not null && string.Equals(aud0, ctx.Options.ClientId, StringComparison.OrdinalIgnoreCase))
        {
            explanation = "The audience is the application itself: this is an ID token (or a token for your own API), not an access token for Exchange Online.";
        }
        else
        {
            explanation = "The token is for another API, not Exchange Online, so the mail server rejects it.";
        }

        var fix = (misconfigured ? "The configured cloud's ExchangeResource (" + exchangeResource + ") is Microsoft Graph, so every token asked for it is a Graph token: remove that override. " : string.Empty) +
                  "Request a token for Exchange Online: scope '" + scope + "'" +
                  (ctx.ExpectAppOnly ? " (client credentials always use '<resource>/.default')." : " with its full resource prefix, plus 'offline_access'.") +
                  " Valid audiences are " + string.Join(", ", (misconfigured ? ValidAudiences(MailCloud.Global) : ValidAudiences(ctx.Options.Cloud))) + ". Use the access_token of the response, not the id_token.";
        findings.Add(new MailFinding(MailFindingCodes.WrongAudience, MailFindingSeverity.Error, observed, explanation, fix) { Claim = "aud" });
    }

    private static void CheckGraphAudience(Context ctx, List<MailFinding> findings)
    {
        var audiences = ctx.Jwt.Audiences;
        foreach (var aud in audiences)
        {
            if (IsGraphAudience(aud, ctx.Options.Cloud))
            {
                return;
            }
        }

        var aud0 = audiences[0];
        string explanation;
        if (IsExchangeAudience(aud0, ctx.Options.Cloud) || Matches(aud0, ExchangeAppIds))
        {
            explanation = "The token is for Exchange Online (IMAP, POP, SMTP, EWS), not Microsoft Graph, so Graph answers 401 InvalidAuthenticationToken ('Access token validation failure. Invalid audience.'). A token is issued for one resource: Exchange's scopes (https://outlook.office.com/..., https://outlook.office365.com/.default) never give a Graph token.";
        }
        else if (Matches(aud0, GraphAudiences))
        {
            explanation = "The token is for Microsoft Graph in another cloud (or for the retired Azure AD Graph), while the configured cloud is " + ctx.Options.Cloud.Name + ": each cloud's Graph accepts only its own tokens.";
        }
        else
        {
            explanation = "The token is for another API, not Microsoft Graph, so Graph answers 401 InvalidAuthenticationToken.";
        }

        var fix = "Request a token for Microsoft Graph: scope '" + ctx.ScopeToRequest + "'" +
                  (ctx.ExpectAppOnly ? " (client credentials always use '<resource>/.default')." : " with its full resource prefix, plus 'offline_access'.") +
                  " Valid audiences are " + GraphResourceOf(ctx.Options.Cloud) + " and " + GraphAppId + ". Use the access_token of the response, not the id_token.";
        findings.Add(new MailFinding(MailFindingCodes.WrongAudience, MailFindingSeverity.Error, "aud = " + string.Join(", ", audiences), explanation, fix) { Claim = "aud" });
    }

    private static MailFinding ExchangeAudienceAlias(Context ctx, string observed)
    {
        const string Same = "https://ps.outlook.com is another identifier of Exchange Online (app id 00000002-0000-0ff1-ce00-000000000000): " +
            "MailKit's Exchange OAuth2 guide requests 'https://ps.outlook.com/.default' for app-only IMAP and POP, and Microsoft's " +
            "admin-consent URL for IMAP and POP application permissions uses it. ";
        if (ctx.Protocol is MailProtocol.Smtp or MailProtocol.Ews)
        {
            // Not known to be refused, but not what the guides use for these protocols: a warning, not an error.
            var name = ctx.Protocol == MailProtocol.Smtp ? "SMTP" : "EWS";
            return new MailFinding(
                MailFindingCodes.ExchangeAudienceAlias,
                MailFindingSeverity.Warning,
                observed,
                Same + "For " + name + " the guides request 'https://outlook.office365.com/.default' instead, so a token for ps.outlook.com is not documented to work there.",
                "If " + name + " rejects this token, request '" + ctx.ScopeToRequest + "' (this library's providers do).")
            { Claim = "aud" };
        }

        return new MailFinding(
            MailFindingCodes.ExchangeAudienceAlias,
            MailFindingSeverity.Info,
            observed,
            Same + "Apps that request it for IMAP and POP work: this is not a fault.",
            "Nothing to change for IMAP and POP. For SMTP and EWS request 'https://outlook.office365.com/.default', the scope Microsoft documents for all four protocols (this library's providers use it).")
        { Claim = "aud" };
    }

    private static void CheckKind(Context ctx, List<MailFinding> findings)
    {
        var expected = ctx.Options.AppOnly;
        var actual = ctx.Summary.IsAppOnly;
        if (expected is null || actual is null || expected == actual)
        {
            return;
        }

        if (expected == true)
        {
            findings.Add(new MailFinding(
                MailFindingCodes.TokenTypeMismatch,
                MailFindingSeverity.Error,
                "a delegated token (scp = " + Join(ctx.Summary.Scopes) + ", user = " + (ctx.Summary.User ?? "unknown") + ") where an app-only token was expected",
                "The flow is configured as app-only (client credentials), but a user signed in for this token. App-only access is checked against roles, which a delegated token does not carry.",
                "For app-only access use a client secret or certificate flow with scope '" + ctx.Options.Cloud.GetScopes(ctx.Protocol ?? MailProtocol.Imap, appOnly: true)[0] + "'; for a signed-in user, configure the flow as delegated (device code).")
            { Claim = "scp" });
        }
        else
        {
            findings.Add(new MailFinding(
                MailFindingCodes.TokenTypeMismatch,
                MailFindingSeverity.Error,
                "an app-only token (roles = " + Join(ctx.Summary.Roles) + ", no user) where a delegated token was expected",
                "The flow is configured as delegated (a user signs in), but this token was issued to the application alone (client credentials).",
                "For a signed-in user, use the device code flow with scope '" + ctx.Options.Cloud.GetScopes(ctx.Protocol ?? MailProtocol.Imap, appOnly: false)[0] + "'; for app-only access, configure the flow as app-only and set up the Exchange service principal.")
            { Claim = "roles" });
        }
    }

    private static void CheckPermissions(Context ctx, List<MailFinding> findings)
    {
        if (ctx.Protocol == MailProtocol.Graph)
        {
            CheckGraphPermissions(ctx, findings);
            return;
        }

        var appId = ctx.AppIdOrPlaceholder;
        if (ctx.Summary.IsAppOnly == true)
        {
            var roles = ctx.Summary.Roles;
            var portal = "Entra admin center > App registrations > " + appId + " > API permissions > Add a permission > APIs my organization uses > Office 365 Exchange Online > Application permissions > {0}, then 'Grant admin consent for <tenant>' (or `az ad app permission admin-consent --id " + appId + "`). Then get a new token: a cached one keeps its old roles until it expires.";
            if (roles.Count == 0)
            {
                var wanted = ctx.Protocol is { } p ? RoleOf(p) : "IMAP.AccessAsApp / POP.AccessAsApp / SMTP.SendAsApp / full_access_as_app";
                findings.Add(new MailFinding(
                    MailFindingCodes.NoRoles,
                    MailFindingSeverity.Error,
                    "roles: none (app-only token)",
                    "An app-only token carries the application permissions an administrator consented to in its roles claim. It has none: the Exchange application permission was not added, or admin consent was not granted, so Exchange rejects the token.",
                    string.Format(CultureInfo.InvariantCulture, portal, wanted))
                { Claim = "roles" });
                return;
            }

            if (ctx.Protocol is { } protocol)
            {
                var role = RoleOf(protocol);
                if (!Contains(roles, role))
                {
                    findings.Add(new MailFinding(
                        MailFindingCodes.MissingRole,
                        MailFindingSeverity.Error,
                        "roles = " + Join(roles) + " (no " + role + ")",
                        protocol.ToString().ToUpperInvariant() + " app-only access needs the application permission " + role + " with admin consent; without it Exchange rejects the token.",
                        string.Format(CultureInfo.InvariantCulture, portal, role))
                    { Claim = "roles" });
                }
            }
            else if (!ContainsAny(roles, "IMAP.AccessAsApp", "POP.AccessAsApp", "SMTP.SendAsApp", "full_access_as_app") && !IsGraphAudienceAny(ctx))
            {
                findings.Add(new MailFinding(
                    MailFindingCodes.MissingRole,
                    MailFindingSeverity.Error,
                    "roles = " + Join(roles) + " (no mail protocol role)",
                    "None of the roles grants a mail protocol (IMAP.AccessAsApp, POP.AccessAsApp, SMTP.SendAsApp, full_access_as_app).",
                    string.Format(CultureInfo.InvariantCulture, portal, "IMAP.AccessAsApp / POP.AccessAsApp / SMTP.SendAsApp"))
                { Claim = "roles" });
            }

            return;
        }

        if (ctx.Summary.IsAppOnly != false)
        {
            return;
        }

        var scopes = ctx.Summary.Scopes;
        string portalDelegated(string permission, MailProtocol p) =>
            "Entra admin center > App registrations > " + appId + " > API permissions > Add a permission > " +
            (p == MailProtocol.Ews ? "APIs my organization uses > Office 365 Exchange Online" : "Microsoft Graph") +
            " > Delegated permissions > " + permission + ", grant consent (an administrator: 'Grant admin consent', or the user when signing in), then request the scope '" +
            ctx.Options.Cloud.GetScopes(p, appOnly: false)[0] + "' with its resource prefix, plus 'offline_access'. A bare '" + permission + "' resolves to Microsoft Graph.";

        if (ctx.Protocol is { } proto)
        {
            var scope = ScopeOf(proto);
            if (!Contains(scopes, scope))
            {
                findings.Add(new MailFinding(
                    MailFindingCodes.MissingScope,
                    MailFindingSeverity.Error,
                    "scp = " + Join(scopes) + " (no " + scope + ")",
                    "Delegated " + proto.ToString().ToUpperInvariant() + " access needs the scope " + scope + " in the token; without it Exchange rejects the token even though the user signed in.",
                    portalDelegated(scope, proto))
                { Claim = "scp" });
            }
        }
        else if (!ContainsAny(scopes, "IMAP.AccessAsUser.All", "POP.AccessAsUser.All", "SMTP.Send", "EWS.AccessAsUser.All") && !(IsGraphAudienceAny(ctx) && ContainsAny(scopes, GraphMailPermissions)))
        {
            findings.Add(new MailFinding(
                MailFindingCodes.MissingScope,
                MailFindingSeverity.Error,
                "scp = " + Join(scopes) + " (no mail protocol scope)",
                "None of the scopes grants a mail protocol (IMAP.AccessAsUser.All, POP.AccessAsUser.All, SMTP.Send, EWS.AccessAsUser.All).",
                portalDelegated("IMAP.AccessAsUser.All", MailProtocol.Imap))
            { Claim = "scp" });
        }
    }

    private static void CheckGraphPermissions(Context ctx, List<MailFinding> findings)
    {
        var appId = ctx.AppIdOrPlaceholder;
        var required = ctx.Options.RequiredPermission?.Trim();
        var accepted = required is null || required.Length == 0 ? GraphMailPermissions : AcceptedGraphPermissions(required);
        var wanted = required is null || required.Length == 0 ? "Mail.ReadWrite / Mail.Send / Mail.Read" : required;
        var appOnly = ctx.Summary.IsAppOnly;
        if (appOnly is null)
        {
            return;
        }

        var granted = appOnly == true ? ctx.Summary.Roles : ctx.Summary.Scopes;
        if (ContainsAny(granted, accepted))
        {
            return;
        }

        var claim = appOnly == true ? "roles" : "scp";
        var kind = appOnly == true ? "Application permissions" : "Delegated permissions";
        var portal = "Entra admin center > App registrations > " + appId + " > API permissions > Add a permission > Microsoft Graph > " + kind + " > " + wanted.Split(' ')[0] +
                     (appOnly == true
                         ? ", then 'Grant admin consent for <tenant>' (or `az ad app permission admin-consent --id " + appId + "`). Then get a new token: a cached one keeps its old roles until it expires."
                         : ", grant consent (the user when signing in, or an administrator), and request the scope '" + ctx.Options.Cloud.GetScopes(MailProtocol.Graph, appOnly: false)[0] + "' (with '" + ctx.Options.Cloud.GetScopes(MailProtocol.Graph, appOnly: false)[1] + "' to send) plus 'offline_access'.");
        var code = appOnly == true && granted.Count == 0 ? MailFindingCodes.NoRoles : appOnly == true ? MailFindingCodes.MissingRole : MailFindingCodes.MissingScope;
        findings.Add(new MailFinding(
            code,
            MailFindingSeverity.Error,
            claim + " = " + Join(granted) + " (no " + wanted + ")",
            "This Microsoft Graph mail operation needs the " + (appOnly == true ? "application permission (role) " : "delegated permission (scope) ") + wanted +
            (required is "Mail.Read" ? " (Mail.ReadWrite also covers it)" : string.Empty) + "; without it Graph answers 403 ErrorAccessDenied ('Access is denied. Check credentials and try again.').",
            portal)
        { Claim = claim });
    }

    private static void CheckMailbox(Context ctx, List<MailFinding> findings)
    {
        var mailbox = ctx.Options.Mailbox;
        var user = ctx.Summary.User;
        if (ctx.Summary.IsAppOnly != false || string.IsNullOrWhiteSpace(mailbox) || user is null ||
            string.Equals(mailbox!.Trim(), user.Trim(), StringComparison.OrdinalIgnoreCase))
        {
            return;
        }

        var claim = ctx.Jwt.Upn is not null ? "upn" : ctx.Jwt.PreferredUsername is not null ? "preferred_username" : "unique_name";
        if (ctx.Protocol == MailProtocol.Graph)
        {
            findings.Add(new MailFinding(
                MailFindingCodes.MailboxMismatch,
                MailFindingSeverity.Warning,
                claim + " = " + user + ", mailbox = " + mailbox,
                "The token is for " + user + " but the requests go to /users/" + mailbox + ". Graph allows that only for a mailbox shared with " + user +
                " and with the delegated permissions Mail.ReadWrite.Shared / Mail.Send.Shared; otherwise it answers 403 ErrorAccessDenied.",
                "Either sign in as " + mailbox + ", or grant access in Exchange Online PowerShell: Add-MailboxPermission -Identity " + mailbox + " -User " + user +
                " -AccessRights FullAccess (and Add-RecipientPermission -Identity " + mailbox + " -Trustee " + user + " -AccessRights SendAs to send as it), and consent to Mail.ReadWrite.Shared and Mail.Send.Shared.")
            { Claim = claim });
            return;
        }

        findings.Add(new MailFinding(
            MailFindingCodes.MailboxMismatch,
            MailFindingSeverity.Warning,
            claim + " = " + user + ", mailbox = " + mailbox,
            "The token is for " + user + " but the mailbox opened (the XOAUTH2 user=) is " + mailbox + ". Exchange accepts the token, then refuses the mailbox unless " + user +
            " has Full Access to it: IMAP answers 'BAD User is authenticated but not connected.' and POP/SMTP fail authentication. For a shared mailbox this is expected when the permission exists.",
            "Either sign in as " + mailbox + " (or put " + user + " in user=), or, for a shared mailbox, grant access in Exchange Online PowerShell: Add-MailboxPermission -Identity " + mailbox + " -User " + user +
            " -AccessRights FullAccess -InheritanceType All (it can take up to an hour to apply); to send as it, also Add-RecipientPermission -Identity " + mailbox + " -Trustee " + user + " -AccessRights SendAs.")
        { Claim = claim });
    }

    private static void CheckTime(Context ctx, List<MailFinding> findings)
    {
        var now = ctx.Options.TimeProvider.GetUtcNow();
        var skew = ctx.Options.ClockSkew;
        if (ctx.Summary.ExpiresOn is { } exp)
        {
            if (now >= exp + skew)
            {
                findings.Add(new MailFinding(
                    MailFindingCodes.TokenExpired,
                    MailFindingSeverity.Error,
                    "exp = " + Format(exp) + ", expired " + Describe(now - exp) + " ago (now " + Format(now) + ", allowed skew " + Describe(skew) + ")",
                    "Servers reject expired tokens. Tokens live 60 to 90 minutes; a token kept in a file or configuration stops working.",
                    "Request a new token for each connection through the token provider (it caches and refreshes tokens); if the token looks fresh, check this machine's clock.")
                { Claim = "exp" });
            }
            else if (now >= exp - TimeSpan.FromMinutes(5))
            {
                findings.Add(new MailFinding(
                    MailFindingCodes.TokenExpiresSoon,
                    MailFindingSeverity.Info,
                    "exp = " + Format(exp) + (now < exp ? ", expires in " + Describe(exp - now) : ", expired " + Describe(now - exp) + " ago, within the allowed skew of " + Describe(skew)),
                    "The token is about to expire; a long session opened with it may be refused later, and MSAL would already hand out a fresh one.",
                    "Request a fresh token before connecting (the token provider does this when within its refresh margin).")
                { Claim = "exp" });
            }
        }

        if (ctx.Summary.NotBefore is { } nbf && now + skew < nbf)
        {
            findings.Add(new MailFinding(
                MailFindingCodes.TokenNotYetValid,
                MailFindingSeverity.Error,
                "nbf = " + Format(nbf) + ", valid in " + Describe(nbf - now) + " (now " + Format(now) + ", allowed skew " + Describe(skew) + ")",
                "The token is not valid yet: a clock is wrong, on this machine or the one the token came from.",
                "Synchronise this machine's clock (NTP: `w32tm /resync` on Windows, `timedatectl set-ntp true` on Linux) and request a new token.")
            { Claim = "nbf" });
        }
    }

    private static void CheckTenantAndClient(Context ctx, List<MailFinding> findings)
    {
        var tid = ctx.Summary.TenantId;
        var configured = ctx.Options.TenantId?.Trim();
        if (tid is not null && configured is not null && Guid.TryParse(configured, out _) && !string.Equals(tid, configured, StringComparison.OrdinalIgnoreCase))
        {
            findings.Add(new MailFinding(
                MailFindingCodes.TenantMismatch,
                MailFindingSeverity.Error,
                "tid = " + tid + ", configured tenant = " + configured,
                "The token was issued by another tenant than the configured one; the mailbox's Exchange organization only accepts tokens of its own tenant.",
                "Request the token from the mailbox's tenant: authority " + ctx.Options.Cloud.AuthorityHost.GetLeftPart(UriPartial.Authority) + "/" + configured +
                " (not 'common' or another tenant). A multi-tenant app must first be consented in that tenant: " + ctx.Options.Cloud.AuthorityHost.GetLeftPart(UriPartial.Authority) + "/" + configured + "/adminconsent?client_id=" + ctx.AppIdOrPlaceholder + ".")
            { Claim = "tid" });
        }

        var app = ctx.Summary.AppId;
        var client = ctx.Options.ClientId?.Trim();
        if (app is not null && !string.IsNullOrEmpty(client) && !string.Equals(app, client, StringComparison.OrdinalIgnoreCase))
        {
            var claim = ctx.Jwt.AppId is not null ? "appid" : "azp";
            findings.Add(new MailFinding(
                MailFindingCodes.ClientIdMismatch,
                MailFindingSeverity.Error,
                claim + " = " + app + (ctx.Summary.AppDisplayName is { } name ? " (" + name + ")" : string.Empty) + ", configured client id = " + client,
                "The token was issued to another application than the configured one: a stale token cache, a token copied from another tool, or the wrong client id in the configuration. The permissions and the Exchange service principal belong to one application.",
                "Use the Application (client) ID of the app registration that holds the Exchange permissions (" + client + "), delete the token cache file, and request a new token.")
            { Claim = claim });
        }
    }

    private static void AddVersionFacts(Context ctx, List<MailFinding> findings)
    {
        var tid = ctx.Summary.TenantId ?? "<tenant id>";
        var version = ctx.Summary.Version;
        string observed, explanation;
        if (version is "1.0" or "1")
        {
            observed = "ver = 1.0, iss = " + (ctx.Summary.Issuer ?? "missing");
            explanation = "A v1.0 token, as Exchange Online issues them whichever endpoint asked: its issuer is https://sts.windows.net/" + tid +
                          "/, the application is in appid, the user in upn / unique_name. Signature validation uses the v1.0 metadata (" +
                          ctx.Options.Cloud.AuthorityHost.GetLeftPart(UriPartial.Authority) + "/" + tid + "/.well-known/openid-configuration).";
        }
        else if (version is "2.0" or "2")
        {
            observed = "ver = 2.0, iss = " + (ctx.Summary.Issuer ?? "missing");
            explanation = "A v2.0 token: its issuer is " + ctx.Options.Cloud.AuthorityHost.GetLeftPart(UriPartial.Authority) + "/" + tid +
                          "/v2.0, the application is in azp, the user in preferred_username. Exchange Online's own tokens are v1.0, so a v2.0 token is usually for another API, or from a test token service.";
        }
        else
        {
            observed = "ver = " + (version ?? "missing");
            explanation = "No Entra ID version: Entra ID tokens say ver 1.0 (Exchange Online) or 2.0. This token comes from another token service.";
        }

        findings.Add(new MailFinding(MailFindingCodes.TokenVersion, MailFindingSeverity.Info, observed, explanation, "Nothing to do; this explains which claims to read.") { Claim = "ver" });
    }

    private static MailFinding ManagedIdentity(Context ctx, string resourceId)
    {
        var appId = ctx.AppIdOrPlaceholder;
        var oid = ctx.Summary.ObjectId ?? "<managed identity object id>";
        var kind = resourceId.IndexOf("/Microsoft.ManagedIdentity/userAssignedIdentities/", StringComparison.OrdinalIgnoreCase) >= 0 ? "user-assigned" : "system-assigned";
        var (resourceName, resourceApp) = ctx.Protocol == MailProtocol.Graph
            ? ("Microsoft Graph", "00000003-0000-0000-c000-000000000000")
            : ("Office 365 Exchange Online", "00000002-0000-0ff1-ce00-000000000000");
        var role = ctx.Protocol switch
        {
            MailProtocol.Imap => "IMAP.AccessAsApp",
            MailProtocol.Pop => "POP.AccessAsApp",
            MailProtocol.Smtp => "SMTP.SendAsApp",
            MailProtocol.Ews => "full_access_as_app",
            _ => "Mail.Send",
        };
        return new MailFinding(
            MailFindingCodes.ManagedIdentityToken,
            MailFindingSeverity.Info,
            "xms_mirid = " + resourceId + " (a " + kind + " managed identity, appid " + appId + ", oid " + oid + ")",
            "This is a managed identity's token: an app-only principal like any application, with no secret. Exchange needs the same setup as for any app-only token (the service principal registered in Exchange and a mailbox permission), and the " + resourceName + " application roles cannot be given to a managed identity in the portal.",
            "Grant the role with Microsoft Graph PowerShell: $sp = Get-MgServicePrincipal -Filter \"appId eq '" + resourceApp + "'\"; New-MgServicePrincipalAppRoleAssignment -ServicePrincipalId " + oid + " -PrincipalId " + oid +
            " -ResourceId $sp.Id -AppRoleId ($sp.AppRoles | Where-Object Value -eq '" + role + "').Id; then the Exchange steps of app_only_exchange_setup with -AppId " + appId + " -ObjectId " + oid + ". Tokens cached before the grant lack the role: they refresh within 24 hours (a restart does not clear the managed identity endpoint's cache).")
        { Claim = "xms_mirid" };
    }

    private static MailFinding AppOnlySetup(Context ctx)
    {
        var appId = ctx.AppIdOrPlaceholder;
        var oid = ctx.Summary.ObjectId ?? "<Enterprise Application object id>";
        var mailbox = string.IsNullOrWhiteSpace(ctx.Options.Mailbox) ? "<mailbox>" : ctx.Options.Mailbox!.Trim();
        if (ctx.Protocol == MailProtocol.Graph)
        {
            return new MailFinding(
                MailFindingCodes.AppOnlyExchangeSetup,
                MailFindingSeverity.Info,
                "app-only Microsoft Graph token for appid " + appId + ", service principal oid " + oid,
                "Graph application permissions reach every mailbox of the tenant unless an Exchange administrator scopes them; a mailbox outside that scope answers 403 ErrorAccessDenied 'Access to OData is disabled'. No Exchange service principal or mailbox permission is needed otherwise. Personal Microsoft accounts have no app-only access.",
                "To scope the app (recommended), in Exchange Online PowerShell either: New-ApplicationAccessPolicy -AppId " + appId + " -PolicyScopeGroupId <mail-enabled security group> -AccessRight RestrictAccess -Description \"<why>\" and add " + mailbox +
                " to that group (check: Test-ApplicationAccessPolicy -Identity " + mailbox + " -AppId " + appId + "); or RBAC for Applications: New-ServicePrincipal -AppId " + appId + " -ObjectId " + oid +
                ", then New-ManagementRoleAssignment -App " + appId + " -Role \"Application Mail.ReadWrite\" -CustomResourceScope <management scope> (and \"Application Mail.Send\"); check: Test-ServicePrincipalAuthorization -Identity " + appId + " -Resource " + mailbox + ". Changes can take 30 minutes to apply.")
            { Claim = "oid" };
        }

        var fix = "In Exchange Online PowerShell (Connect-ExchangeOnline -Organization <tenant>): " +
                  "1) New-ServicePrincipal -AppId " + appId + " -ObjectId " + oid + " -DisplayName \"<name>\" (the ObjectId is the Enterprise Application's, Entra admin center > Enterprise applications > " + appId +
                  " > Object ID; this token's oid " + (ctx.Summary.ObjectId is null ? "is missing" : "is that id") + "; the App Registration's object id is a different one and makes authentication fail). " +
                  "2) Add-MailboxPermission -Identity " + mailbox + " -User " + oid + " -AccessRights FullAccess. ";
        fix += ctx.Protocol switch
        {
            MailProtocol.Smtp => "3) For SMTP you may instead grant sending through RBAC: New-ManagementRoleAssignment -App " + oid + " -Role \"Application SMTP.SendAsApp\" -CustomResourceScope \"<management scope>\"; sending as another address also needs Add-RecipientPermission -Identity <address> -Trustee " + oid + " -AccessRights SendAs.",
            MailProtocol.Ews => "3) EWS app-only must impersonate: send the SOAP header ExchangeImpersonation with " + mailbox + " and the HTTP header X-AnchorMailbox: " + mailbox + " on every request.",
            _ => "For a shared mailbox, XOAUTH2 user= is the shared mailbox's address.",
        };
        return new MailFinding(
            MailFindingCodes.AppOnlyExchangeSetup,
            MailFindingSeverity.Info,
            "app-only token for appid " + appId + ", service principal oid " + oid,
            "A valid app-only token is not enough: Exchange also needs the application registered as a service principal in Exchange and a permission on each mailbox, or IMAP answers 'NO AUTHENTICATE failed.' / 'BAD User is authenticated but not connected.' and SMTP '535 5.7.3'.",
            fix)
        { Claim = "oid" };
    }

    private TokenInspectionResult Done(TokenSummary summary, List<MailFinding> findings)
    {
        if (summary.Kind == TokenKind.Jwt)
        {
            findings.Add(new MailFinding(
                MailFindingCodes.DecodingForDiagnosticsOnly,
                MailFindingSeverity.Info,
                "the token was decoded without validating it",
                "Microsoft does not promise that access tokens for its APIs are readable by clients: the format can change or be encrypted at any time. This decoding is for diagnostics only; the library never decides anything from a token's content.",
                "Nothing to do; do not build application logic on the claims of an access token."));
        }

        // Stable order: errors, then warnings, then information; within a severity, the order of discovery.
        var ordered = findings.Select((f, i) => (f, i)).OrderByDescending(x => x.f.Severity).ThenBy(x => x.i).Select(x => x.f).ToArray();
        return new TokenInspectionResult(summary, ordered);
    }

    private MailFinding Opaque(string token, string? what)
    {
        var personal = token.StartsWith("EwA", StringComparison.Ordinal) || token.StartsWith("EwB", StringComparison.Ordinal) || token.StartsWith("EwC", StringComparison.Ordinal);
        var observed = what ?? string.Format(CultureInfo.InvariantCulture, "an opaque token of {0} characters{1}", token.Length, personal ? " starting with '" + token.Substring(0, 3) + "'" : string.Empty);
        var explanation = personal || _options.Cloud.IsPersonalAccounts
            ? "Personal Microsoft accounts (outlook.com, hotmail.com, live.com) get opaque, encrypted access tokens: that is normal, only Microsoft's servers can read them. Nothing about audience, scopes or expiry can be checked here."
            : "The token is not a JWT, so its claims cannot be read here. That is normal for personal Microsoft accounts and for encrypted tokens; a work-account token for Exchange Online is usually a JWT.";
        return new MailFinding(
            MailFindingCodes.OpaqueToken,
            MailFindingSeverity.Info,
            observed,
            explanation,
            "Nothing to do for the token itself. If the server rejects it, check the server's reply (MailResponseCatalog) and, for personal accounts, that IMAP/POP is turned on in Outlook.com settings and the scope is 'https://outlook.office.com/IMAP.AccessAsUser.All' (or POP/SMTP) with authority /consumers.");
    }

    private static MailFinding Malformed(string observed, string explanation) => new(
        MailFindingCodes.TokenMalformed,
        MailFindingSeverity.Error,
        observed,
        explanation,
        "Copy the access token again, whole, from the token response's access_token field (not the id_token or refresh_token); check that nothing truncates it (a database column, an environment variable, a line-length limit such as Postfix's line_length_limit).");

    private static MailFinding Missing(string claim, MailFindingSeverity severity, string explanation) => new(
        MailFindingCodes.ClaimMissing, severity, claim + " is missing", explanation,
        "Use a token issued by Entra ID for Exchange Online; a hand-made or test token must carry aud, exp, iss and tid.")
    { Claim = claim };

    private static bool IsExchangeAudience(string aud, MailCloud cloud)
    {
        // Microsoft Graph is never Exchange Online, even when a cloud's ExchangeResource was set to it by mistake: a
        // provider configured that way gets Graph tokens that every Exchange protocol refuses.
        if (Matches(aud, GraphAudiences) || SameAudience(aud, cloud.GraphResource.GetLeftPart(UriPartial.Authority)))
        {
            return false;
        }

        foreach (var valid in ValidAudiences(cloud))
        {
            if (SameAudience(aud, valid))
            {
                return true;
            }
        }

        return false;
    }

    private static IEnumerable<string> ValidAudiences(MailCloud cloud)
    {
        var set = new List<string>();
        void Add(string value)
        {
            if (!set.Contains(value, StringComparer.OrdinalIgnoreCase))
            {
                set.Add(value);
            }
        }

        Add(cloud.DelegatedScopeResource.GetLeftPart(UriPartial.Authority));
        Add(cloud.ExchangeResource.GetLeftPart(UriPartial.Authority));
        var host = cloud.ExchangeResource.Host;
        if (host.Equals("outlook.office365.com", StringComparison.OrdinalIgnoreCase) || host.Equals("outlook.office.com", StringComparison.OrdinalIgnoreCase))
        {
            Add("https://outlook.office.com");
            Add("https://outlook.office365.com");
        }

        foreach (var id in ExchangeAppIds)
        {
            Add(id);
        }

        return set;
    }

    private static bool IsOtherCloudExchange(string aud, MailCloud cloud, out string cloudName)
    {
        foreach (var other in MailCloud.WellKnown)
        {
            if (other.ExchangeResource != cloud.ExchangeResource && IsExchangeAudience(aud, other) && !Matches(aud, ExchangeAppIds))
            {
                cloudName = other.Name;
                return true;
            }
        }

        cloudName = string.Empty;
        return false;
    }

    private static bool SameAudience(string a, string b) =>
        string.Equals(a.TrimEnd('/'), b.TrimEnd('/'), StringComparison.OrdinalIgnoreCase);

    private static bool Matches(string aud, string[] candidates)
    {
        foreach (var candidate in candidates)
        {
            if (SameAudience(aud, candidate))
            {
                return true;
            }
        }

        return false;
    }

    private const string GraphAppId = "00000003-0000-0000-c000-000000000000";

    private static readonly string[] GraphMailPermissions = { "Mail.ReadWrite", "Mail.Send", "Mail.Read" };

    private static string GraphResourceOf(MailCloud cloud) => cloud.GraphResource.GetLeftPart(UriPartial.Authority);

    private static bool IsGraphAudience(string aud, MailCloud cloud) => SameAudience(aud, GraphResourceOf(cloud)) || SameAudience(aud, GraphAppId);

    /// <summary>The permissions that satisfy <paramref name="required"/>: Mail.ReadWrite covers Mail.Read.</summary>
    private static string[] AcceptedGraphPermissions(string required) =>
        string.Equals(required, "Mail.Read", StringComparison.OrdinalIgnoreCase) ? new[] { "Mail.Read", "Mail.ReadWrite" } : new[] { required };

    internal static string ScopeOf(MailProtocol protocol) => protocol switch
    {
        MailProtocol.Pop => "POP.AccessAsUser.All",
        MailProtocol.Smtp => "SMTP.Send",
        MailProtocol.Ews => "EWS.AccessAsUser.All",
        MailProtocol.Graph => "Mail.ReadWrite",
        _ => "IMAP.AccessAsUser.All",
    };

    internal static string RoleOf(MailProtocol protocol) => protocol switch
    {
        MailProtocol.Pop => "POP.AccessAsApp",
        MailProtocol.Smtp => "SMTP.SendAsApp",
        MailProtocol.Ews => "full_access_as_app",
        MailProtocol.Graph => "Mail.ReadWrite",
        _ => "IMAP.AccessAsApp",
    };

    /// <summary>A Graph token with a Graph mail role, inspected with no protocol named: not a missing Exchange role.</summary>
    private static bool IsGraphAudienceAny(Context ctx) =>
        ctx.Jwt.Audiences.Any(a => IsGraphAudience(a, ctx.Options.Cloud)) && (ContainsAny(ctx.Summary.Roles, GraphMailPermissions) || ContainsAny(ctx.Summary.Scopes, GraphMailPermissions));

    private static bool Contains(IReadOnlyList<string> values, string wanted)
    {
        foreach (var value in values)
        {
            if (string.Equals(value, wanted, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }

    private static bool ContainsAny(IReadOnlyList<string> values, params string[] wanted) => wanted.Any(w => Contains(values, w));

    private static string Join(IReadOnlyList<string> values) => values.Count == 0 ? "(none)" : string.Join(" ", values);

    private static string Format(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    internal static string Describe(TimeSpan span)
    {
        if (span < TimeSpan.Zero)
        {
            span = span.Negate();
        }

        if (span.TotalDays >= 2)
        {
            return string.Format(CultureInfo.InvariantCulture, "{0} d {1} h", (int)span.TotalDays, span.Hours);
        }

        if (span.TotalHours >= 1)
        {
            return string.Format(CultureInfo.InvariantCulture, "{0} h {1} min", (int)span.TotalHours, span.Minutes);
        }

        if (span.TotalMinutes >= 1)
        {
            return string.Format(CultureInfo.InvariantCulture, "{0} min {1} s", (int)span.TotalMinutes, span.Seconds);
        }

        return string.Format(CultureInfo.InvariantCulture, "{0} s", (int)span.TotalSeconds);
    }

    private static bool IsBlank(string text)
    {
        foreach (var c in text)
        {
            if (!char.IsWhiteSpace(c))
            {
                return false;
            }
        }

        return true;
    }

    // Token characters: base64, base64url, the JWS dot, and the few extra characters opaque tokens use.
    private static bool IsTokenChar(char c) =>
        c is (>= 'A' and <= 'Z') or (>= 'a' and <= 'z') or (>= '0' and <= '9') or '-' or '_' or '+' or '/' or '=' or '!' or '*' or '$' or '~';

    /// <summary>Removes what pasting adds: white space around, a <c>Bearer </c> prefix, quotes, and line breaks inside.</summary>
    private static string Clean(string input)
    {
        var token = input.Trim();
        if (string.Equals(token, "Bearer", StringComparison.OrdinalIgnoreCase))
        {
            return string.Empty;
        }

        if (token.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            token = token.Substring(7).Trim();
        }

        if (token.Length >= 2 && (token[0] == '"' && token[token.Length - 1] == '"' || token[0] == '\'' && token[token.Length - 1] == '\''))
        {
            token = token.Substring(1, token.Length - 2).Trim();
        }

        // A token wrapped across lines by a terminal or an e-mail is still the same token.
        if (token.IndexOf('\n') >= 0 || token.IndexOf('\r') >= 0)
        {
            token = token.Replace("\r", string.Empty).Replace("\n", string.Empty);
        }

        return token;
    }

    private sealed class Context
    {
        public Context(TokenInspectorOptions options, TokenSummary summary, DecodedJwt jwt)
        {
            Options = options;
            Summary = summary;
            Jwt = jwt;
        }

        public TokenInspectorOptions Options { get; }

        public TokenSummary Summary { get; }

        public DecodedJwt Jwt { get; }

        public MailProtocol? Protocol => Options.Protocol;

        public bool ExpectAppOnly => Options.AppOnly ?? Summary.IsAppOnly ?? false;

        public string ScopeToRequest => Options.Cloud.GetScopes(Protocol ?? MailProtocol.Imap, ExpectAppOnly)[0];

        public string AppIdOrPlaceholder => Summary.AppId ?? (string.IsNullOrWhiteSpace(Options.ClientId) ? "<app id>" : Options.ClientId!.Trim());
    }
}
