using Microsoft.Extensions.Time.Testing;
using ModernAuth.Mail.Diagnostics;
using static ModernAuth.Mail.Tests.Diagnostics.TestTokens;

namespace ModernAuth.Mail.Tests.Diagnostics;

public class TokenInspectorTests
{
    /// <summary>One realistic case per finding code: the token, what the inspector expects, and what must be seen.</summary>
    public sealed record Scenario(string Code, MailFindingSeverity Severity, Func<string?> Token, Action<TokenInspectorOptions> Configure, string ObservedContains, string FixContains)
    {
        public override string ToString() => Code;
    }

    private static readonly Scenario[] Scenarios =
    {
        new(MailFindingCodes.TokenEmpty, MailFindingSeverity.Error, () => "   ", _ => { }, "empty", "access_token"),
        new(MailFindingCodes.TokenMalformed, MailFindingSeverity.Error, () => { var t = MintAppOnly("IMAP.AccessAsApp"); return t.Substring(0, t.IndexOf('.') + 40); }, _ => { }, "2 part(s) instead of 3", "truncates"),
        new(MailFindingCodes.TokenTooLarge, MailFindingSeverity.Error, () => new string('A', 300_000), _ => { }, "300,000 characters", "access_token"),
        new(MailFindingCodes.TokenUnsigned, MailFindingSeverity.Error, () => Raw("{\"alg\":\"none\",\"typ\":\"JWT\"}", "{\"aud\":\"https://outlook.office365.com\",\"exp\":1900000000,\"tid\":\"" + TenantId + "\",\"iss\":\"x\",\"roles\":[\"IMAP.AccessAsApp\"]}", string.Empty), _ => { }, "signature part is empty", "token service"),
        new(MailFindingCodes.OpaqueToken, MailFindingSeverity.Info, () => "EwBwA8l6BAAUbDba3x2OMJElkF7gJ4z/VbCPEz0AAQBp6kl7Ac6Q2mN5rLzYm0aXk0cM7Bq4WnZc1g==", o => o.Cloud = MailCloud.PersonalAccounts, "starting with 'EwB'", "Nothing to do"),
        new(MailFindingCodes.DecodingForDiagnosticsOnly, MailFindingSeverity.Info, () => MintAppOnly("IMAP.AccessAsApp"), _ => { }, "without validating", "Nothing to do"),
        new(MailFindingCodes.TokenVersion, MailFindingSeverity.Info, () => MintAppOnly("IMAP.AccessAsApp"), _ => { }, "ver = 1.0, iss = https://sts.windows.net/" + TenantId + "/", "Nothing to do"),
        new(MailFindingCodes.WrongAudience, MailFindingSeverity.Error, () => Mint(With(Delegated("IMAP.AccessAsUser.All"), "aud", "https://graph.microsoft.com")), o => o.Protocol = MailProtocol.Imap, "aud = https://graph.microsoft.com", "https://outlook.office.com/IMAP.AccessAsUser.All"),
        new(MailFindingCodes.ExchangeAudienceAlias, MailFindingSeverity.Info, () => Mint(With(AppOnly("IMAP.AccessAsApp"), "aud", "https://ps.outlook.com")), o => o.Protocol = MailProtocol.Imap, "aud = https://ps.outlook.com", "Nothing to change for IMAP and POP"),
        new(MailFindingCodes.MissingScope, MailFindingSeverity.Error, () => MintDelegated("SMTP.Send User.Read"), o => o.Protocol = MailProtocol.Imap, "scp = SMTP.Send User.Read (no IMAP.AccessAsUser.All)", "App registrations > " + ClientId),
        new(MailFindingCodes.MissingRole, MailFindingSeverity.Error, () => MintAppOnly("IMAP.AccessAsApp"), o => o.Protocol = MailProtocol.Smtp, "roles = IMAP.AccessAsApp (no SMTP.SendAsApp)", "Office 365 Exchange Online > Application permissions > SMTP.SendAsApp"),
        new(MailFindingCodes.NoRoles, MailFindingSeverity.Error, () => MintAppOnly(), o => o.Protocol = MailProtocol.Imap, "roles: none", "az ad app permission admin-consent --id " + ClientId),
        new(MailFindingCodes.TokenTypeMismatch, MailFindingSeverity.Error, () => MintDelegated("IMAP.AccessAsUser.All"), o => { o.Protocol = MailProtocol.Imap; o.AppOnly = true; }, "a delegated token", "https://outlook.office365.com/.default"),
        new(MailFindingCodes.MailboxMismatch, MailFindingSeverity.Warning, () => MintDelegated("IMAP.AccessAsUser.All"), o => { o.Protocol = MailProtocol.Imap; o.Mailbox = "shared@contoso.com"; }, "upn = alice@contoso.com, mailbox = shared@contoso.com", "Add-MailboxPermission -Identity shared@contoso.com -User alice@contoso.com -AccessRights FullAccess"),
        new(MailFindingCodes.TenantMismatch, MailFindingSeverity.Error, () => MintAppOnly("IMAP.AccessAsApp"), o => o.TenantId = OtherTenantId, "tid = " + TenantId + ", configured tenant = " + OtherTenantId, "https://login.microsoftonline.com/" + OtherTenantId + "/adminconsent?client_id=" + ClientId),
        new(MailFindingCodes.ClientIdMismatch, MailFindingSeverity.Error, () => MintAppOnly("IMAP.AccessAsApp"), o => o.ClientId = OtherClientId, "appid = " + ClientId + " (Contoso Mail Reader), configured client id = " + OtherClientId, "delete the token cache"),
        new(MailFindingCodes.AppOnlyExchangeSetup, MailFindingSeverity.Info, () => MintAppOnly("SMTP.SendAsApp"), o => { o.Protocol = MailProtocol.Smtp; o.Mailbox = "sender@contoso.com"; }, "service principal oid " + ServicePrincipalObjectId, "New-ServicePrincipal -AppId " + ClientId + " -ObjectId " + ServicePrincipalObjectId),
        new(MailFindingCodes.TokenExpired, MailFindingSeverity.Error, () => MintAppOnly("IMAP.AccessAsApp"), o => o.TimeProvider = new FakeTimeProvider(Now.AddHours(3)), "expired 2 h 10 min ago", "check this machine's clock"),
        new(MailFindingCodes.TokenNotYetValid, MailFindingSeverity.Error, () => MintAppOnly("IMAP.AccessAsApp"), o => o.TimeProvider = new FakeTimeProvider(Now.AddMinutes(-30)), "valid in 20 min 0 s", "timedatectl set-ntp true"),
        new(MailFindingCodes.TokenExpiresSoon, MailFindingSeverity.Info, () => MintAppOnly("IMAP.AccessAsApp"), o => o.TimeProvider = new FakeTimeProvider(Now.AddMinutes(47)), "expires in 3 min 0 s", "fresh token"),
        new(MailFindingCodes.ClaimMissing, MailFindingSeverity.Error, () => Mint(Without(AppOnly("IMAP.AccessAsApp"), "exp")), _ => { }, "exp is missing", "aud, exp, iss and tid"),
        new(MailFindingCodes.ClaimInvalid, MailFindingSeverity.Warning, () => Raw("{\"alg\":\"RS256\",\"kid\":\"k\"}", "{\"aud\":\"https://outlook.office365.com\",\"exp\":\"tomorrow\",\"tid\":\"" + TenantId + "\",\"iss\":\"x\",\"roles\":\"IMAP.AccessAsApp\"}"), _ => { }, "exp is a value of type string", "where the token comes from"),
    };

    public static TheoryData<Scenario> Cases()
    {
        var data = new TheoryData<Scenario>();
        foreach (var scenario in Scenarios)
        {
            data.Add(scenario);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Inspect_Scenario_ReportsFindingWithSeverityObservationAndFix(Scenario scenario)
    {
        var options = new TokenInspectorOptions { TimeProvider = new FakeTimeProvider(Now) };
        scenario.Configure(options);

        var result = new TokenInspector(options).Inspect(scenario.Token());

        var finding = Assert.Single(result.Findings, f => f.Code == scenario.Code);
        Assert.Equal(scenario.Severity, finding.Severity);
        Assert.Contains(scenario.ObservedContains, finding.Observed, StringComparison.Ordinal);
        Assert.Contains(scenario.FixContains, finding.Fix, StringComparison.Ordinal);
        Assert.False(string.IsNullOrWhiteSpace(finding.Explanation));
    }

    [Fact]
    public void Scenarios_CoverEveryTokenFindingCode()
    {
        var tokenCodes = new[]
        {
            MailFindingCodes.TokenEmpty, MailFindingCodes.TokenMalformed, MailFindingCodes.TokenTooLarge, MailFindingCodes.TokenUnsigned,
            MailFindingCodes.OpaqueToken, MailFindingCodes.DecodingForDiagnosticsOnly, MailFindingCodes.TokenVersion, MailFindingCodes.WrongAudience, MailFindingCodes.ExchangeAudienceAlias,
            MailFindingCodes.MissingScope, MailFindingCodes.MissingRole, MailFindingCodes.NoRoles, MailFindingCodes.TokenTypeMismatch,
            MailFindingCodes.MailboxMismatch, MailFindingCodes.TenantMismatch, MailFindingCodes.ClientIdMismatch, MailFindingCodes.AppOnlyExchangeSetup,
            MailFindingCodes.TokenExpired, MailFindingCodes.TokenNotYetValid, MailFindingCodes.TokenExpiresSoon, MailFindingCodes.ClaimMissing,
            MailFindingCodes.ClaimInvalid,
        };

        Assert.Equal(tokenCodes.OrderBy(c => c), Scenarios.Select(s => s.Code).Distinct().OrderBy(c => c));
    }

    [Theory]
    [InlineData(MailProtocol.Imap, "IMAP.AccessAsApp")]
    [InlineData(MailProtocol.Pop, "POP.AccessAsApp")]
    [InlineData(MailProtocol.Smtp, "SMTP.SendAsApp")]
    [InlineData(MailProtocol.Ews, "full_access_as_app")]
    public void Inspect_AppOnlyTokenWithProtocolRole_HasNoErrors(MailProtocol protocol, string role)
    {
        var result = Inspector(o => { o.Protocol = protocol; o.AppOnly = true; o.TenantId = TenantId; o.ClientId = ClientId; }).Inspect(MintAppOnly(role));

        Assert.False(result.HasErrors, string.Join("\n", result.Findings));
        Assert.True(result.Summary.IsAppOnly);
        Assert.Equal(new[] { role }, result.Summary.Roles);
        Assert.True(result.Has(MailFindingCodes.AppOnlyExchangeSetup));
    }

    [Theory]
    [InlineData(MailProtocol.Imap, "IMAP.AccessAsUser.All")]
    [InlineData(MailProtocol.Pop, "POP.AccessAsUser.All")]
    [InlineData(MailProtocol.Smtp, "SMTP.Send")]
    [InlineData(MailProtocol.Ews, "EWS.AccessAsUser.All")]
    public void Inspect_DelegatedTokenWithProtocolScope_HasNoErrorsOrWarnings(MailProtocol protocol, string scope)
    {
        var result = Inspector(o => { o.Protocol = protocol; o.AppOnly = false; o.Mailbox = "Alice@Contoso.com"; }).Inspect(MintDelegated(scope + " offline_access"));

        Assert.All(result.Findings, f => Assert.Equal(MailFindingSeverity.Info, f.Severity));
        Assert.False(result.Summary.IsAppOnly);
        Assert.Equal(User, result.Summary.User);
        Assert.False(result.Has(MailFindingCodes.AppOnlyExchangeSetup));
    }

    [Theory]
    [InlineData("https://outlook.office.com")]
    [InlineData("https://outlook.office.com/")]
    [InlineData("https://outlook.office365.com/")]
    [InlineData("00000002-0000-0ff1-ce00-000000000000")]
    public void Inspect_ExchangeAudiences_AreAccepted(string audience)
    {
        var result = Inspector(o => o.Protocol = MailProtocol.Imap).Inspect(Mint(With(AppOnly("IMAP.AccessAsApp"), "aud", audience)));

        Assert.False(result.Has(MailFindingCodes.WrongAudience));
        Assert.Equal(audience, result.Summary.Audience);
    }

    [Theory]
    [InlineData("https://graph.microsoft.com", "Microsoft Graph")]
    [InlineData("00000003-0000-0000-c000-000000000000", "Microsoft Graph")]
    [InlineData("https://outlook.office365.com/powershell-liveid", "PowerShell")]
    [InlineData("https://outlook.office365.us", "UsGovernmentHigh")]
    [InlineData(ClientId, "ID token")]
    [InlineData("api://contoso-orders", "another API")]
    public void Inspect_WrongAudience_ExplainsWhichApi(string audience, string explanationContains)
    {
        var result = Inspector(o => o.Protocol = MailProtocol.Imap).Inspect(Mint(With(Delegated("IMAP.AccessAsUser.All"), "aud", audience)));

        var finding = Assert.Single(result.Findings, f => f.Code == MailFindingCodes.WrongAudience);
        Assert.Contains(explanationContains, finding.Explanation, StringComparison.Ordinal);
        Assert.Equal("aud", finding.Claim);
    }

    [Theory]
    [InlineData(MailProtocol.Imap, "IMAP.AccessAsApp")]
    [InlineData(MailProtocol.Pop, "POP.AccessAsApp")]
    [InlineData(null, "IMAP.AccessAsApp")]
    public void Inspect_PsOutlookAudienceForImapOrPop_IsInformationNotAnError(MailProtocol? protocol, string role)
    {
        // MailKit's Exchange OAuth2 guide requests https://ps.outlook.com/.default for app-only IMAP and POP.
        var result = Inspector(o => { o.Protocol = protocol; o.AppOnly = true; }).Inspect(Mint(With(AppOnly(role), "aud", "https://ps.outlook.com")));

        Assert.False(result.Has(MailFindingCodes.WrongAudience));
        var finding = Assert.Single(result.Findings, f => f.Code == MailFindingCodes.ExchangeAudienceAlias);
        Assert.Equal(MailFindingSeverity.Info, finding.Severity);
        Assert.Contains("MailKit", finding.Explanation, StringComparison.Ordinal);
        Assert.False(result.HasErrors, string.Join("; ", result.Findings.Where(f => f.Severity == MailFindingSeverity.Error).Select(f => f.Code)));
    }

    [Theory]
    [InlineData(MailProtocol.Smtp, "SMTP.SendAsApp")]
    [InlineData(MailProtocol.Ews, "full_access_as_app")]
    public void Inspect_PsOutlookAudienceForSmtpOrEws_WarnsAndNamesTheDocumentedScope(MailProtocol protocol, string role)
    {
        var result = Inspector(o => { o.Protocol = protocol; o.AppOnly = true; }).Inspect(Mint(With(AppOnly(role), "aud", "https://ps.outlook.com/")));

        Assert.False(result.Has(MailFindingCodes.WrongAudience));
        var finding = Assert.Single(result.Findings, f => f.Code == MailFindingCodes.ExchangeAudienceAlias);
        Assert.Equal(MailFindingSeverity.Warning, finding.Severity);
        Assert.Contains("https://outlook.office365.com/.default", finding.Fix, StringComparison.Ordinal);
        Assert.False(result.HasErrors);
    }

    [Fact]
    public void Inspect_PsOutlookAudienceInAnotherCloud_IsWrongAudience()
    {
        var result = Inspector(o => { o.Cloud = MailCloud.UsGovernmentHigh; o.Protocol = MailProtocol.Imap; }).Inspect(Mint(With(AppOnly("IMAP.AccessAsApp"), "aud", "https://ps.outlook.com")));

        var finding = Assert.Single(result.Findings, f => f.Code == MailFindingCodes.WrongAudience);
        Assert.Equal(MailFindingSeverity.Error, finding.Severity);
        Assert.Contains("global cloud", finding.Explanation, StringComparison.Ordinal);
    }

    [Fact]
    public void Inspect_GccHighAudienceInGccHighCloud_IsAccepted()
    {
        var result = Inspector(o => o.Cloud = MailCloud.UsGovernmentHigh).Inspect(Mint(With(AppOnly("IMAP.AccessAsApp"), "aud", "https://outlook.office365.us")));

        Assert.False(result.Has(MailFindingCodes.WrongAudience));
    }

    [Fact]
    public void Inspect_AppOnlyTokenWhereDelegatedExpected_ReportsTypeMismatch()
    {
        var result = Inspector(o => o.AppOnly = false).Inspect(MintAppOnly("IMAP.AccessAsApp"));

        var finding = Assert.Single(result.Findings, f => f.Code == MailFindingCodes.TokenTypeMismatch);
        Assert.Contains("an app-only token", finding.Observed, StringComparison.Ordinal);
    }

    [Fact]
    public void Inspect_AppOnlyTokenWithoutIdtypOrRoles_IsTreatedAsAppOnlyWithoutConsent()
    {
        var result = Inspector(o => o.Protocol = MailProtocol.Imap).Inspect(Mint(Without(AppOnly(), "idtyp")));

        Assert.True(result.Summary.IsAppOnly);
        Assert.True(result.Has(MailFindingCodes.NoRoles));
    }

    [Fact]
    public void Inspect_ExpiredWithinSkew_IsNotAnError()
    {
        var result = Inspector(o => o.TimeProvider = new FakeTimeProvider(Now.AddMinutes(53))).Inspect(MintAppOnly("IMAP.AccessAsApp"));

        Assert.False(result.Has(MailFindingCodes.TokenExpired));
        var finding = Assert.Single(result.Findings, f => f.Code == MailFindingCodes.TokenExpiresSoon);
        Assert.Contains("expired 3 min 0 s ago, within the allowed skew of 5 min 0 s", finding.Observed, StringComparison.Ordinal);
    }

    [Fact]
    public void Inspect_ExpiredWithZeroSkew_SaysByHowMuch()
    {
        var result = Inspector(o => { o.ClockSkew = TimeSpan.Zero; o.TimeProvider = new FakeTimeProvider(Now.AddMinutes(51)); }).Inspect(MintAppOnly("IMAP.AccessAsApp"));

        var finding = Assert.Single(result.Findings, f => f.Code == MailFindingCodes.TokenExpired);
        Assert.Contains("expired 1 min 0 s ago", finding.Observed, StringComparison.Ordinal);
    }

    [Fact]
    public void Inspect_V2Token_ReadsAzpAndPreferredUsername()
    {
        var claims = Delegated("IMAP.AccessAsUser.All");
        claims.Remove("appid");
        claims.Remove("upn");
        claims.Remove("unique_name");
        claims["azp"] = ClientId;
        claims["preferred_username"] = "bob@contoso.com";
        claims["ver"] = "2.0";
        claims["iss"] = "https://login.microsoftonline.com/" + TenantId + "/v2.0";

        var result = Inspector(o => o.Mailbox = "shared@contoso.com").Inspect(Mint(claims));

        Assert.Equal(ClientId, result.Summary.AppId);
        Assert.Equal("bob@contoso.com", result.Summary.User);
        Assert.Contains("ver = 2.0", Assert.Single(result.Findings, f => f.Code == MailFindingCodes.TokenVersion).Observed, StringComparison.Ordinal);
        Assert.Equal("preferred_username", Assert.Single(result.Findings, f => f.Code == MailFindingCodes.MailboxMismatch).Claim);
    }

    [Fact]
    public void Inspect_TenantGivenAsDomain_IsNotCompared()
    {
        var result = Inspector(o => o.TenantId = "contoso.onmicrosoft.com").Inspect(MintAppOnly("IMAP.AccessAsApp"));

        Assert.False(result.Has(MailFindingCodes.TenantMismatch));
    }

    [Theory]
    [InlineData("Bearer ")]
    [InlineData("  \"")]
    public void Inspect_PastedWithPrefixOrQuotes_ReadsTheToken(string prefix)
    {
        var token = MintAppOnly("IMAP.AccessAsApp");
        var pasted = prefix + token.Substring(0, 50) + "\r\n" + token.Substring(50) + (prefix.Contains('"', StringComparison.Ordinal) ? "\"" : string.Empty);

        var result = Inspector().Inspect(pasted);

        Assert.Equal(TokenKind.Jwt, result.Summary.Kind);
        Assert.Equal(token.Length, result.Summary.Length);
    }

    [Theory]
    [InlineData(null, MailFindingCodes.TokenEmpty)]
    [InlineData("", MailFindingCodes.TokenEmpty)]
    [InlineData("Bearer ", MailFindingCodes.TokenEmpty)]
    [InlineData("eyJhbGciOiJSUzI1NiJ9.eyJhdWQiOiJ4In0", MailFindingCodes.TokenMalformed)]
    [InlineData("eyJhbGciOiJSUzI1NiJ9.!!!.sig", MailFindingCodes.TokenMalformed)]
    [InlineData("e30.W10.c2ln", MailFindingCodes.TokenMalformed)]
    [InlineData("abc def", MailFindingCodes.TokenMalformed)]
    [InlineData("hello", MailFindingCodes.TokenMalformed)]
    [InlineData("a.b.c.d.e", MailFindingCodes.OpaqueToken)]
    public void Inspect_BadInput_ReportsWithoutThrowing(string? input, string code)
    {
        var result = Inspector().Inspect(input);

        Assert.True(result.Has(code), string.Join("\n", result.Findings));
        Assert.NotEqual(TokenKind.Jwt, result.Summary.Kind);
    }

    [Fact]
    public void Inspect_OpaqueWorkAccountToken_IsInfoNeverError()
    {
        var result = Inspector(o => { o.Protocol = MailProtocol.Imap; o.AppOnly = false; }).Inspect("EwA4A+l3BAAUWm1xSeJRIJK6txKjBez4GzapzqMAAZSmEcWyZyjrqJ2xYw2Uf6k8dDZfR5Jq3Xj0w2Fq8Y3wcP9E=");

        var finding = Assert.Single(result.Findings);
        Assert.Equal(MailFindingCodes.OpaqueToken, finding.Code);
        Assert.Equal(MailFindingSeverity.Info, finding.Severity);
        Assert.Equal(TokenKind.Opaque, result.Summary.Kind);
        Assert.Null(result.Summary.IsAppOnly);
    }

    [Fact]
    public void Inspect_Findings_AreOrderedErrorsFirst()
    {
        var result = Inspector(o => { o.Protocol = MailProtocol.Smtp; o.TimeProvider = new FakeTimeProvider(Now.AddDays(2)); }).Inspect(MintAppOnly("IMAP.AccessAsApp"));

        var severities = result.Findings.Select(f => (int)f.Severity).ToArray();
        Assert.Equal(severities.OrderByDescending(s => s), severities);
        Assert.Equal(MailFindingSeverity.Error, result.Findings[0].Severity);
    }

    [Fact]
    public void Constructor_NegativeSkew_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new TokenInspector(new TokenInspectorOptions { ClockSkew = TimeSpan.FromSeconds(-1) }));
    }

    [Fact]
    public void Constructor_OptionsChangedLater_HasNoEffect()
    {
        var options = new TokenInspectorOptions { Protocol = MailProtocol.Imap, TimeProvider = new FakeTimeProvider(Now) };
        var inspector = new TokenInspector(options);
        options.Protocol = MailProtocol.Smtp;

        Assert.False(inspector.Inspect(MintAppOnly("IMAP.AccessAsApp")).HasErrors);
    }

    internal static TokenInspector Inspector(Action<TokenInspectorOptions>? configure = null)
    {
        var options = new TokenInspectorOptions { TimeProvider = new FakeTimeProvider(Now) };
        configure?.Invoke(options);
        return new TokenInspector(options);
    }

    internal static Dictionary<string, object> With(Dictionary<string, object> claims, string name, object value)
    {
        claims[name] = value;
        return claims;
    }

    internal static Dictionary<string, object> Without(Dictionary<string, object> claims, string name)
    {
        claims.Remove(name);
        return claims;
    }
}
