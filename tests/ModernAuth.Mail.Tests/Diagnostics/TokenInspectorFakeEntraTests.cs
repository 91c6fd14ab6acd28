using Microsoft.Extensions.Time.Testing;
using ModernAuth.Mail.Diagnostics;
using ModernAuth.Mail.Testing;

namespace ModernAuth.Mail.Tests.Diagnostics;

/// <summary>
/// The inspector against tokens minted by the fake Entra ID (the same minting real MSAL flows receive), one row per
/// finding code, and against tokens that came through MSAL from a misconfigured app registration.
/// </summary>
public sealed class TokenInspectorFakeEntraTests : IDisposable
{
    private const string Tenant = "11111111-2222-3333-4444-555555555555";
    private const string ClientId = "6a3f1c52-0e1b-4a7e-9d51-5c8f0b0e7a11";
    private static readonly DateTimeOffset Now = new(2026, 11, 25, 12, 0, 0, TimeSpan.Zero);
    private readonly FakeTimeProvider _time = new(Now);
    private readonly FakeEntraId _entra;

    public TokenInspectorFakeEntraTests() => _entra = new FakeEntraId(new FakeEntraIdOptions { TimeProvider = _time });

    public void Dispose() => _entra.Dispose();

    public static TheoryData<string, string> Cases() => new()
    {
        { MailFindingCodes.WrongAudience, "graph audience" },
        { MailFindingCodes.ExchangeAudienceAlias, "ps.outlook.com audience" },
        { MailFindingCodes.MissingScope, "delegated without IMAP scope" },
        { MailFindingCodes.MissingRole, "app-only without IMAP role" },
        { MailFindingCodes.NoRoles, "app-only without any role" },
        { MailFindingCodes.TokenTypeMismatch, "delegated where app-only expected" },
        { MailFindingCodes.MailboxMismatch, "delegated for another user" },
        { MailFindingCodes.TenantMismatch, "other tenant" },
        { MailFindingCodes.ClientIdMismatch, "other client" },
        { MailFindingCodes.AppOnlyExchangeSetup, "good app-only" },
        { MailFindingCodes.TokenExpired, "expired" },
        { MailFindingCodes.TokenNotYetValid, "not yet valid" },
        { MailFindingCodes.TokenExpiresSoon, "expires soon" },
        { MailFindingCodes.TokenVersion, "v2 token" },
        { MailFindingCodes.TokenUnsigned, "unsigned" },
        { MailFindingCodes.DecodingForDiagnosticsOnly, "good delegated" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Inspect_FakeEntraToken_ReportsFinding(string code, string scenario)
    {
        var (descriptor, options) = Scenario(scenario);

        var result = new TokenInspector(options).Inspect(_entra.MintAccessToken(descriptor));

        Assert.True(result.Has(code), $"{scenario}: expected {code}, got {string.Join(", ", result.Findings.Select(f => f.Code))}");
        var finding = result.Findings.First(f => f.Code == code);
        Assert.False(string.IsNullOrWhiteSpace(finding.Fix));
    }

    [Fact]
    public void Inspect_PersonalAccountOpaqueToken_InfoNotError()
    {
        var result = new TokenInspector(new TokenInspectorOptions { Protocol = MailProtocol.Imap, AppOnly = false, TimeProvider = _time }).Inspect(_entra.MintOpaqueToken());

        Assert.True(result.Has(MailFindingCodes.OpaqueToken));
        Assert.False(result.HasErrors);
    }

    [Fact]
    public async Task Inspect_TokenFromMsalForAppWithoutRoles_ExplainsConsent()
    {
        _entra.RegisterApplication(Tenant, ClientId).WithSecret("s3cret-value").WithAppRoles();
        var provider = new ClientSecretTokenProvider(Tenant, ClientId, "s3cret-value", new ClientSecretTokenProviderOptions().UseFakeEntraId(_entra));
        var token = await provider.GetTokenAsync(new MailTokenRequest(MailProtocol.Imap, "shared@contoso.test"));

        var result = new TokenInspector(new TokenInspectorOptions { Protocol = MailProtocol.Imap, AppOnly = true, ClientId = ClientId, TenantId = Tenant, TimeProvider = _time }).Inspect(token.Token);

        Assert.True(result.Has(MailFindingCodes.NoRoles));
        Assert.Contains("consent", result.Findings.First(f => f.Code == MailFindingCodes.NoRoles).Fix, StringComparison.OrdinalIgnoreCase);
        Assert.True(result.HasErrors);
    }

    [Fact]
    public async Task Inspect_DelegatedTokenFromMsalDeviceCode_NoErrors()
    {
        _entra.RegisterApplication(Tenant, ClientId).AsPublicClient();
        _entra.DeviceCodeUser = _entra.AddUser(Tenant, "adele@contoso.test");
        var cache = Path.Combine(Path.GetTempPath(), "modernauth-inspect-" + Guid.NewGuid().ToString("N"), "cache.bin");
        var provider = new DeviceCodeTokenProvider(ClientId, new DeviceCodeTokenProviderOptions
        {
            TenantId = Tenant,
            TokenCachePath = cache,
            DeviceCodeCallback = (_, _) => Task.CompletedTask,
        }.UseFakeEntraId(_entra));
        try
        {
            var token = await provider.GetTokenAsync(new MailTokenRequest(MailProtocol.Smtp));

            var result = new TokenInspector(new TokenInspectorOptions { Protocol = MailProtocol.Smtp, AppOnly = false, Mailbox = "adele@contoso.test", ClientId = ClientId, TenantId = Tenant, TimeProvider = _time }).Inspect(token.Token);

            Assert.False(result.HasErrors, string.Join("; ", result.Findings.Select(f => f.Code)));
            Assert.Contains("SMTP.Send", result.Summary.Scopes);
        }
        finally
        {
            Directory.Delete(Path.GetDirectoryName(cache)!, recursive: true);
        }
    }

    private (FakeTokenDescriptor Descriptor, TokenInspectorOptions Options) Scenario(string scenario)
    {
        FakeTokenDescriptor AppOnly(params string[] roles) => new()
        {
            TenantId = Tenant, Audience = "https://outlook.office365.com", AppId = ClientId, ObjectId = "bddd1369-685f-4c11-96ec-18926cde5468", Roles = roles,
        };
        FakeTokenDescriptor Delegated(string scp, string user = "adele@contoso.test") => new()
        {
            TenantId = Tenant, Audience = "https://outlook.office.com", AppId = ClientId, ObjectId = "e45b6fa8-3029-47fe-aaee-f42125e870c2", Scopes = scp, Upn = user, UniqueName = user,
        };
        TokenInspectorOptions Expect(bool appOnly, string mailbox = "adele@contoso.test") => new()
        {
            Protocol = MailProtocol.Imap, AppOnly = appOnly, Mailbox = mailbox, TenantId = Tenant, ClientId = ClientId, TimeProvider = _time,
        };

        return scenario switch
        {
            "graph audience" => (With(Delegated("IMAP.AccessAsUser.All"), d => d.Audience = "https://graph.microsoft.com"), Expect(false)),
            "ps.outlook.com audience" => (With(AppOnly("IMAP.AccessAsApp"), d => d.Audience = "https://ps.outlook.com"), Expect(true)),
            "delegated without IMAP scope" => (Delegated("SMTP.Send"), Expect(false)),
            "app-only without IMAP role" => (AppOnly("SMTP.SendAsApp"), Expect(true)),
            "app-only without any role" => (AppOnly(), Expect(true)),
            "delegated where app-only expected" => (Delegated("IMAP.AccessAsUser.All"), Expect(true)),
            "delegated for another user" => (Delegated("IMAP.AccessAsUser.All", "megan@contoso.test"), Expect(false)),
            "other tenant" => (With(AppOnly("IMAP.AccessAsApp"), d => d.TenantId = "99999999-8888-7777-6666-555555555555"), Expect(true)),
            "other client" => (With(AppOnly("IMAP.AccessAsApp"), d => d.AppId = "00000000-1111-2222-3333-444444444444"), Expect(true)),
            "good app-only" => (AppOnly("IMAP.AccessAsApp"), Expect(true, "shared@contoso.test")),
            "expired" => (With(AppOnly("IMAP.AccessAsApp"), d => { d.IssuedAt = Now.AddHours(-2); d.ExpiresAt = Now.AddHours(-1); }), Expect(true)),
            "not yet valid" => (With(AppOnly("IMAP.AccessAsApp"), d => { d.IssuedAt = Now.AddHours(1); d.NotBefore = Now.AddHours(1); d.ExpiresAt = Now.AddHours(2); }), Expect(true)),
            "expires soon" => (With(AppOnly("IMAP.AccessAsApp"), d => { d.IssuedAt = Now.AddMinutes(-58); d.ExpiresAt = Now.AddMinutes(2); }), Expect(true)),
            "v2 token" => (With(Delegated("IMAP.AccessAsUser.All"), d => d.Version = 2), Expect(false)),
            "unsigned" => (With(AppOnly("IMAP.AccessAsApp"), d => d.Sign = false), Expect(true)),
            "good delegated" => (Delegated("IMAP.AccessAsUser.All"), Expect(false)),
            _ => throw new ArgumentOutOfRangeException(nameof(scenario), scenario, "No such scenario."),
        };
    }

    private static FakeTokenDescriptor With(FakeTokenDescriptor descriptor, Action<FakeTokenDescriptor> change)
    {
        change(descriptor);
        return descriptor;
    }
}
