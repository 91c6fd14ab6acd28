using ModernAuth.Mail.Diagnostics;
using ModernAuth.Mail.Tests.Diagnostics;
using static ModernAuth.Mail.Tests.Diagnostics.TestTokens;

namespace ModernAuth.Mail.Tests.Graph;

/// <summary>Microsoft Graph as a protocol of the core: scopes and endpoints per cloud, inspector rules, catalog entries.</summary>
public class GraphProtocolTests
{
    private const string GraphAud = "https://graph.microsoft.com";

    [Fact]
    public void GetScopes_Graph_AppOnlyDefaultAndDelegatedMailScopes()
    {
        Assert.Equal(new[] { "https://graph.microsoft.com/.default" }, MailCloud.Global.GetScopes(MailProtocol.Graph, appOnly: true));
        Assert.Equal(new[] { "https://graph.microsoft.com/Mail.ReadWrite", "https://graph.microsoft.com/Mail.Send", "offline_access" }, MailCloud.Global.GetScopes(MailProtocol.Graph, appOnly: false));
        Assert.Equal(MailCloud.Global.GetScopes(MailProtocol.Graph, appOnly: false), MailCloud.PersonalAccounts.GetScopes(MailProtocol.Graph, appOnly: false));
    }

    [Theory]
    [InlineData("Global", "https://graph.microsoft.com")]
    [InlineData("PersonalAccounts", "https://graph.microsoft.com")]
    [InlineData("UsGovernmentHigh", "https://graph.microsoft.us")]
    [InlineData("UsGovernmentDod", "https://dod-graph.microsoft.us")]
    [InlineData("China", "https://microsoftgraph.chinacloudapi.cn")]
    public void WellKnownClouds_CarryTheirGraphEndpointAndResource(string name, string graph)
    {
        Assert.True(MailCloud.TryGetWellKnown(name, out var cloud));
        Assert.Equal(new Uri(graph), cloud.Graph);
        Assert.Equal(new Uri(graph), cloud.GraphResource);
        Assert.Equal(graph + "/.default", cloud.GetScopes(MailProtocol.Graph, appOnly: true)[0]);
    }

    [Fact]
    public void Graph_IsOverridableWithWith()
    {
        var cloud = MailCloud.Global with { Graph = new Uri("https://127.0.0.1:8443") };

        Assert.Equal(new Uri("https://127.0.0.1:8443"), cloud.Graph);
        Assert.Equal("https://graph.microsoft.com/.default", cloud.GetScopes(MailProtocol.Graph, appOnly: true)[0]);
        Assert.Throws<ArgumentOutOfRangeException>(() => cloud.GetEndpoint(MailProtocol.Graph));
    }

    [Fact]
    public void Inspect_GraphAppOnlyTokenWithRole_NoErrorAndAccessPolicyHint()
    {
        var result = Inspect(o => o.RequiredPermission = "Mail.Send", With(AppOnly("Mail.Send", "Mail.ReadWrite"), "aud", GraphAud));

        Assert.False(result.HasErrors);
        var setup = Assert.Single(result.Findings, f => f.Code == MailFindingCodes.AppOnlyExchangeSetup);
        Assert.Contains("New-ApplicationAccessPolicy", setup.Fix, StringComparison.Ordinal);
        Assert.Contains("New-ManagementRoleAssignment", setup.Fix, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("https://graph.microsoft.com")]
    [InlineData("00000003-0000-0000-c000-000000000000")]
    [InlineData("https://graph.microsoft.com/")]
    public void Inspect_GraphAudiences_AreValidForGraph(string audience)
    {
        var result = Inspect(null, With(Delegated("Mail.ReadWrite Mail.Send"), "aud", audience));

        Assert.DoesNotContain(result.Findings, f => f.Code == MailFindingCodes.WrongAudience);
    }

    [Fact]
    public void Inspect_ExchangeTokenForGraph_WrongAudienceNamesGraphScope()
    {
        var result = Inspect(o => o.AppOnly = true, AppOnly("full_access_as_app"));

        var finding = Assert.Single(result.Findings, f => f.Code == MailFindingCodes.WrongAudience);
        Assert.Contains("Exchange Online", finding.Explanation, StringComparison.Ordinal);
        Assert.Contains("https://graph.microsoft.com/.default", finding.Fix, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Mail.Send", "Mail.ReadWrite", MailFindingCodes.MissingRole)]
    [InlineData("Mail.ReadWrite", "Mail.Read", MailFindingCodes.MissingRole)]
    [InlineData("Mail.Send", "", MailFindingCodes.NoRoles)]
    public void Inspect_GraphAppOnlyWithoutTheOperationsRole_Error(string required, string roles, string code)
    {
        var claims = roles.Length == 0 ? AppOnly() : AppOnly(roles.Split(' '));
        var result = Inspect(o => o.RequiredPermission = required, With(claims, "aud", GraphAud));

        var finding = Assert.Single(result.Findings, f => f.Code == code);
        Assert.Contains(required, finding.Observed, StringComparison.Ordinal);
        Assert.Contains("Microsoft Graph > Application permissions > " + required, finding.Fix, StringComparison.Ordinal);
    }

    [Fact]
    public void Inspect_GraphReadCoveredByReadWrite_NoError()
    {
        var result = Inspect(o => o.RequiredPermission = "Mail.Read", With(Delegated("Mail.ReadWrite"), "aud", GraphAud));

        Assert.False(result.HasErrors);
    }

    [Fact]
    public void Inspect_GraphDelegatedWithoutMailScope_MissingScope()
    {
        var result = Inspect(o => o.RequiredPermission = "Mail.Send", With(Delegated("User.Read"), "aud", GraphAud));

        var finding = Assert.Single(result.Findings, f => f.Code == MailFindingCodes.MissingScope);
        Assert.Contains("Delegated permissions > Mail.Send", finding.Fix, StringComparison.Ordinal);
    }

    public static TheoryData<string, string, bool> GraphErrors() => new()
    {
        { "{\"error\":{\"code\":\"ErrorAccessDenied\",\"message\":\"Access to OData is disabled: [RAOP] : Blocked by tenant configured AppOnly AccessPolicy settings.\"}}", MailFindingCodes.GraphAccessPolicyDenied, false },
        { "Failed to send email: 403 - {\"error\":{\"code\":\"ErrorAccessDenied\",\"message\":\"Access to OData is disabled: [RAOP] : Blocked by tenant configured AppOnly AccessPolicy settings.\"}}", MailFindingCodes.GraphAccessPolicyDenied, false },
        { "{\n  \"error\": {\n    \"code\": \"ErrorAccessDenied\",\n    \"message\": \"Access is denied. Check credentials and try again.\"\n  }\n}", MailFindingCodes.GraphAccessDenied, false },
        { "{\"error\":{\"code\":\"MailboxNotEnabledForRESTAPI\",\"message\":\"The mailbox is either inactive, soft-deleted, or is hosted on-premise.\"}}", MailFindingCodes.GraphMailboxNotEnabledForRest, false },
        { "{\"error\":{\"code\":\"ErrorInvalidUser\",\"message\":\"The requested user 'someone@outlook.com' is invalid.\"}}", MailFindingCodes.GraphInvalidUser, false },
        { "{\"error\":{\"code\":\"Authorization_RequestDenied\",\"message\":\"Insufficient privileges to complete the operation.\"}}", MailFindingCodes.GraphAuthorizationRequestDenied, false },
        { "429 {\"error\":{\"code\":\"ApplicationThrottled\",\"message\":\"Application is over its MailboxConcurrency limit.\"}}", MailFindingCodes.GraphThrottled, true },
        { "{\"error\":{\"code\":\"ErrorMessageSizeExceeded\",\"message\":\"The message exceeds the maximum supported size.\"}}", MailFindingCodes.GraphMessageTooLarge, false },
        { "{\"error\":{\"code\":\"InvalidAuthenticationToken\",\"message\":\"Access token validation failure. Invalid audience.\"}}", MailFindingCodes.GraphInvalidToken, false },
        { "{\"error\":{\"code\":\"ErrorItemNotFound\",\"message\":\"The specified object was not found in the store.\"}}", MailFindingCodes.GraphItemNotFound, false },
        { "{\"error\":{\"code\":\"SomethingNew\",\"message\":\"Whatever.\"}}", MailFindingCodes.GraphError, false },
        { "Access to OData is disabled: [RAOP] : Blocked by tenant configured AppOnly AccessPolicy settings.", MailFindingCodes.GraphAccessPolicyDenied, false },
        { "MailboxNotEnabledForRESTAPI", MailFindingCodes.GraphMailboxNotEnabledForRest, false },
    };

    [Theory]
    [MemberData(nameof(GraphErrors))]
    public void Explain_GraphErrorAsPrinted_RecognisedWithRemedy(string text, string code, bool retryable)
    {
        var explanation = MailResponseCatalog.Default.Explain(text);

        Assert.Equal(code, explanation.Code);
        Assert.Equal(MailResponseSource.Graph, explanation.Source);
        Assert.True(explanation.IsRecognised);
        Assert.Equal(retryable, explanation.IsRetryable);
        Assert.NotEmpty(explanation.Remedy);
    }

    [Fact]
    public void Explain_AccessPolicy_NamesBothPowerShellFixesAndIds()
    {
        var explanation = MailResponseCatalog.Default.Explain(
            "{\"error\":{\"code\":\"ErrorAccessDenied\",\"message\":\"Access to OData is disabled: [RAOP] : Blocked by tenant configured AppOnly AccessPolicy settings.\",\"innerError\":{\"date\":\"2026-11-02T10:00:00\",\"request-id\":\"0b6f2c1e-1111-2222-3333-444455556666\",\"client-request-id\":\"9a9a9a9a-1111-2222-3333-444455556666\"}}}");

        Assert.Contains("New-ApplicationAccessPolicy", explanation.Remedy, StringComparison.Ordinal);
        Assert.Contains("New-ManagementRoleAssignment", explanation.Remedy, StringComparison.Ordinal);
        Assert.Equal("0b6f2c1e-1111-2222-3333-444455556666", explanation.TraceId);
        Assert.Equal("9a9a9a9a-1111-2222-3333-444455556666", explanation.CorrelationId);
        Assert.Equal("2026-11-02T10:00:00", explanation.Timestamp);
    }

    [Fact]
    public void Explain_ThrottledWithRetryAfter_ParsesTheBackoff()
    {
        var explanation = MailResponseCatalog.Default.Explain("HTTP 429 Retry-After: 7 {\"error\":{\"code\":\"ApplicationThrottled\",\"message\":\"Application is over its MailboxConcurrency limit.\"}}");

        Assert.Equal(7000, explanation.BackoffMilliseconds);
        Assert.Equal("429", explanation.Status);
        Assert.Contains("7 s", explanation.Remedy, StringComparison.Ordinal);
    }

    [Fact]
    public void Explain_SmtpRepliesWithGraphLookingNumbers_StaySmtp()
    {
        Assert.Equal(MailResponseSource.Smtp, MailResponseCatalog.Default.Explain("535 5.7.3 Authentication unsuccessful").Source);
        Assert.Equal(MailFindingCodes.Unrecognised, MailResponseCatalog.Default.Explain("503 5.5.1 Bad sequence of commands").Code);
    }

    [Fact]
    public void Explain_GraphErrorWithAToken_NeverEchoesIt()
    {
        var token = MintAppOnly("Mail.Send");
        var explanation = MailResponseCatalog.Default.Explain("{\"error\":{\"code\":\"InvalidAuthenticationToken\",\"message\":\"Bearer " + token + " is not valid.\"}}");

        Assert.DoesNotContain(token, explanation.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(Signature(token), MailFindingFormatter.FormatJson(explanation), StringComparison.Ordinal);
    }

    private static TokenInspectionResult Inspect(Action<TokenInspectorOptions>? configure, Dictionary<string, object> claims) =>
        TokenInspectorTests.Inspector(o =>
        {
            o.Protocol = MailProtocol.Graph;
            configure?.Invoke(o);
        }).Inspect(Mint(claims));

    private static Dictionary<string, object> With(Dictionary<string, object> claims, string name, object value) => TokenInspectorTests.With(claims, name, value);
}
