using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using static ModernAuth.Mail.Testing.Tests.TestSupport;

namespace ModernAuth.Mail.Testing.Tests;

/// <summary>The authorize endpoint and the authorization code grant on the wire: PKCE, loopback redirect, single use.</summary>
public sealed class AuthorizeTests : IDisposable
{
    private const string Redirect = "http://localhost:51234";
    private const string Verifier = "a-verifier-of-forty-three-characters-or-more-1234567";
    private readonly FakeEntraId _fake = CreateFake();
    private readonly HttpMessageHandler _handler;
    private readonly FakeBrowser _browser;

    public AuthorizeTests()
    {
        _fake.RegisterApplication(Tenant, ClientId).AsPublicClient();
        _fake.AddUser(Tenant, "adele@contoso.com");
        _handler = _fake.CreateHandler();
        _browser = new FakeBrowser(_fake);
    }

    public void Dispose()
    {
        _handler.Dispose();
        _fake.Dispose();
    }

    private static string Challenge(string verifier) =>
        Convert.ToBase64String(SHA256.HashData(Encoding.ASCII.GetBytes(verifier))).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private Uri AuthorizeUrl(string redirect = Redirect, string? challenge = null, string? mode = null) => new(
        $"{Authority(_fake.AuthorityHost, Tenant)}/oauth2/v2.0/authorize?client_id={ClientId}&response_type=code&redirect_uri={Uri.EscapeDataString(redirect)}" +
        $"&scope={Uri.EscapeDataString(ImapDelegatedScope + " offline_access openid profile")}&state=s1" +
        (challenge is null ? string.Empty : $"&code_challenge={challenge}&code_challenge_method=S256") + (mode is null ? string.Empty : "&response_mode=" + mode));

    private static string Query(Uri uri, string name) =>
        Uri.UnescapeDataString(uri.Query.TrimStart('?').Split('&').Select(p => p.Split('=', 2)).First(p => p[0] == name)[1]);

    private Task<HttpResponseMessage> RedeemAsync(string code, string verifier, string redirect = Redirect) =>
        PostFormAsync(_handler, $"{Authority(_fake.AuthorityHost, Tenant)}/oauth2/v2.0/token",
            ("grant_type", "authorization_code"), ("client_id", ClientId), ("code", code), ("redirect_uri", redirect),
            ("code_verifier", verifier), ("scope", ImapDelegatedScope + " offline_access"));

    [Fact]
    public async Task AuthorizationCode_RightVerifier_TokensOnce()
    {
        var answer = await _browser.NavigateAsync(AuthorizeUrl(challenge: Challenge(Verifier)));
        var code = Query(answer, "code");

        using var first = await RedeemAsync(code, Verifier);
        using var again = await RedeemAsync(code, Verifier);

        Assert.StartsWith(Redirect, answer.OriginalString, StringComparison.Ordinal);
        Assert.Equal("s1", Query(answer, "state"));
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        using var json = JsonDocument.Parse(await first.Content.ReadAsStringAsync());
        Assert.True(json.RootElement.TryGetProperty("refresh_token", out _));
        Assert.Equal(HttpStatusCode.BadRequest, again.StatusCode);
        Assert.Contains("AADSTS54005", await again.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AuthorizationCode_WrongVerifier_Aadsts50148()
    {
        var code = Query(await _browser.NavigateAsync(AuthorizeUrl(challenge: Challenge(Verifier))), "code");

        using var response = await RedeemAsync(code, Verifier + "x");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("AADSTS50148", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AuthorizationCode_OtherRedirectAtTokenEndpoint_Refused()
    {
        var code = Query(await _browser.NavigateAsync(AuthorizeUrl(challenge: Challenge(Verifier))), "code");

        using var response = await RedeemAsync(code, Verifier, "http://localhost:9999");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("AADSTS50011", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Authorize_NoPkce_RedirectsWithInvalidRequest()
    {
        var answer = await _browser.NavigateAsync(AuthorizeUrl());

        Assert.Equal("invalid_request", Query(answer, "error"));
        Assert.Contains("AADSTS9002325", Query(answer, "error_description"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Authorize_RedirectNotLoopback_ErrorPageNoRedirect()
    {
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => _browser.NavigateAsync(AuthorizeUrl("https://evil.example/cb", Challenge(Verifier))));

        Assert.Contains("AADSTS50011", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Authorize_FormPost_PageCarriesTheFields()
    {
        using var page = await GetAsync(_handler, AuthorizeUrl(challenge: Challenge(Verifier), mode: "form_post").ToString());
        var html = await page.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
        Assert.Contains($"action=\"{Redirect}\"", html, StringComparison.Ordinal);
        Assert.Contains("name=\"code\"", html, StringComparison.Ordinal);
        Assert.Contains("name=\"state\" value=\"s1\"", html, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(FakeBrowserOutcome.Decline, "access_denied", "AADSTS65004")]
    [InlineData(FakeBrowserOutcome.ConditionalAccessBlock, "access_denied", "AADSTS53003")]
    public async Task Authorize_ScriptedOutcome_RedirectsWithError(FakeBrowserOutcome outcome, string error, string aadsts)
    {
        _fake.BrowserOutcome = outcome;

        var answer = await _browser.NavigateAsync(AuthorizeUrl(challenge: Challenge(Verifier)));

        Assert.Equal(error, Query(answer, "error"));
        Assert.Contains(aadsts, Query(answer, "error_description"), StringComparison.Ordinal);
        Assert.Equal("s1", Query(answer, "state"));
    }

    [Fact]
    public async Task Authorize_NeverAnswer_HangsUntilCanceled()
    {
        _fake.BrowserOutcome = FakeBrowserOutcome.NeverAnswer;
        using var cancellation = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => _browser.NavigateAsync(AuthorizeUrl(challenge: Challenge(Verifier)), cancellationToken: cancellation.Token));
    }

    [Fact]
    public async Task DeviceCode_BlockedByConditionalAccess_Aadsts53003()
    {
        _fake.BlockDeviceCodeFlow = true;
        var app = Public(_fake).Build();

        var error = await Assert.ThrowsAnyAsync<Microsoft.Identity.Client.MsalServiceException>(() => DeviceCodeAsync(app));

        Assert.Contains("AADSTS53003", error.Message, StringComparison.Ordinal);
    }
}
