using System.Diagnostics;
using Microsoft.Identity.Client;
using ModernAuth.Mail.Testing;

namespace ModernAuth.Mail.Tests.Flows;

/// <summary>
/// The browser flow through real MSAL against the fake Entra ID's authorize endpoint (PKCE, loopback redirect): the
/// scripted <see cref="FakeBrowser"/> stands in for the person at the browser, either opened like the system browser
/// (the redirect reaches MSAL's real loopback listener over HTTP) or as a custom web UI.
/// </summary>
public sealed class InteractiveBrowserTokenProviderTests : IDisposable
{
    private const string Tenant = "11111111-2222-3333-4444-555555555555";
    private const string ClientId = "3c2b1a09-8f7e-4d6c-b5a4-938271605f4e";
    private readonly FakeEntraId _entra = new();
    private readonly FakeBrowser _browser;
    private readonly string _directory = Directory.CreateTempSubdirectory("modernauth-browser-").FullName;
    private readonly CapturingLoggerProvider _logs = new();
    private readonly List<Uri> _pages = [];
    private readonly List<Uri> _redirects = [];

    public InteractiveBrowserTokenProviderTests()
    {
        _entra.RegisterApplication(Tenant, ClientId).AsPublicClient();
        _entra.RegisterApplication(FakeEntraId.ConsumersTenant, ClientId).AsPublicClient();
        _entra.AddUser(Tenant, "adele@contoso.test", "Adele Vance");
        _entra.AddUser(FakeEntraId.ConsumersTenant, "megan@outlook.test", "Megan Bowen");
        _browser = new FakeBrowser(_entra);
    }

    public enum Browser
    {
        System,
        CustomWebUi,
    }

    private string CachePath => Path.Combine(_directory, "cache.bin");

    public void Dispose()
    {
        _entra.Dispose();
        _logs.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    private InteractiveBrowserTokenProvider CreateProvider(Browser browser = Browser.System, Action<InteractiveBrowserTokenProviderOptions>? configure = null)
    {
        var options = new InteractiveBrowserTokenProviderOptions
        {
            TenantId = Tenant,
            TokenCachePath = CachePath,
            LoggerFactory = _logs.CreateFactory(),
        }.UseFakeEntraId(_entra);
        if (browser == Browser.System)
        {
            options.OpenBrowser = (page, cancellationToken) =>
            {
                lock (_pages)
                {
                    _pages.Add(page);
                }

                return _browser.OpenAsync(page, cancellationToken);
            };
        }
        else
        {
            options.CustomWebUi = async (page, redirect, cancellationToken) =>
            {
                lock (_pages)
                {
                    _pages.Add(page);
                }

                var answer = await _browser.NavigateAsync(page, redirect, cancellationToken);
                lock (_redirects)
                {
                    _redirects.Add(answer);
                }

                return answer;
            };
        }

        configure?.Invoke(options);
        return new InteractiveBrowserTokenProvider(ClientId, options);
    }

    [Theory]
    [InlineData(Browser.System)]
    [InlineData(Browser.CustomWebUi)]
    public async Task GetTokenAsync_UserSignsIn_DelegatedTokenThroughAuthorizationCodeWithPkce(Browser browser)
    {
        var provider = CreateProvider(browser);

        var token = await provider.GetTokenAsync(new MailTokenRequest(MailProtocol.Imap));

        Assert.Equal("adele@contoso.test", token.Account);
        Assert.True(token.IsJwt);
        Assert.False(provider.IsAppOnly);
        var page = Assert.Single(_pages);
        Assert.Contains("code_challenge_method=S256", page.Query, StringComparison.Ordinal);
        Assert.Contains("redirect_uri=http%3A%2F%2Flocalhost", page.Query, StringComparison.Ordinal);
        Assert.Contains("IMAP.AccessAsUser.All", Uri.UnescapeDataString(page.Query), StringComparison.Ordinal);
        Assert.Contains(_entra.Requests, r => r.GrantType == "authorization_code");
        if (browser == Browser.System)
        {
            // The answer went to MSAL's own loopback listener, over real HTTP (counted once the listener has replied).
            Assert.True(SpinWait.SpinUntil(() => _browser.RedirectCount == 1, TimeSpan.FromSeconds(10)), $"redirects: {_browser.RedirectCount}, error: {_browser.LastError}");
        }
    }

    [Fact]
    public async Task GetTokenAsync_SecondCall_ServedFromCacheWithoutBrowserOrRequest()
    {
        var provider = CreateProvider();
        await provider.GetTokenAsync(new MailTokenRequest(MailProtocol.Smtp));
        var before = _entra.RequestCount;

        await provider.GetTokenAsync(new MailTokenRequest(MailProtocol.Smtp));

        Assert.Equal(before, _entra.RequestCount);
        Assert.Equal(1, _browser.PageCount);
    }

    [Fact]
    public async Task GetTokenAsync_NewProviderWithSameCacheFile_SilentWithoutBrowser()
    {
        var first = await CreateProvider().GetTokenAsync(new MailTokenRequest(MailProtocol.Imap));

        // A new instance is what a new process sees: only the cache file carries the sign-in over.
        var second = await CreateProvider().GetTokenAsync(new MailTokenRequest(MailProtocol.Imap));
        var smtp = await CreateProvider().GetTokenAsync(new MailTokenRequest(MailProtocol.Smtp));

        Assert.Equal(first.Token, second.Token);
        Assert.Equal("adele@contoso.test", smtp.Account);
        Assert.Equal(1, _browser.PageCount);
        Assert.Contains(_entra.Requests, r => r.GrantType == "refresh_token");
    }

    [Fact]
    public async Task GetTokenAsync_PersonalAccount_OpaqueTokenFromConsumers()
    {
        var provider = CreateProvider(Browser.CustomWebUi, o =>
        {
            o.TenantId = null;
            o.Cloud = MailCloud.PersonalAccounts;
        });

        var token = await provider.GetTokenAsync(new MailTokenRequest(MailProtocol.Imap));
        var again = await CreateProvider(Browser.CustomWebUi, o =>
        {
            o.TenantId = null;
            o.Cloud = MailCloud.PersonalAccounts;
        }).GetTokenAsync(new MailTokenRequest(MailProtocol.Imap));

        Assert.Equal("consumers", provider.TenantId);
        Assert.Equal("megan@outlook.test", token.Account);
        Assert.False(token.IsJwt);
        Assert.Equal(token.Token, again.Token);
        Assert.StartsWith("/consumers/", Assert.Single(_pages).AbsolutePath, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetTokenAsync_MailboxNamesUser_LoginHintPicksThatAccount()
    {
        _entra.AddUser(Tenant, "lee@contoso.test", "Lee Gu");
        var provider = CreateProvider(Browser.CustomWebUi);

        var token = await provider.GetTokenAsync(new MailTokenRequest(MailProtocol.Imap, "lee@contoso.test"));

        Assert.Equal("lee@contoso.test", token.Account);
        Assert.Contains("login_hint=lee%40contoso.test", Assert.Single(_pages).Query, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(Browser.System)]
    [InlineData(Browser.CustomWebUi)]
    public async Task GetTokenAsync_UserDeclines_SignInCanceled(Browser browser)
    {
        _entra.BrowserOutcome = FakeBrowserOutcome.Decline;
        var provider = CreateProvider(browser);

        var error = await Assert.ThrowsAsync<MailAuthenticationException>(() => provider.GetTokenAsync(new MailTokenRequest(MailProtocol.Imap)).AsTask());

        Assert.Equal(MailErrorCodes.SignInCanceled, error.ErrorCode);
        Assert.False(error.IsRetryable);
        Assert.Contains("Sign in again", error.Remedy, StringComparison.Ordinal);
        Assert.Equal("access_denied", Assert.IsAssignableFrom<MsalException>(error.InnerException).ErrorCode);
    }

    [Theory]
    [InlineData(Browser.System)]
    [InlineData(Browser.CustomWebUi)]
    public async Task GetTokenAsync_BrowserNeverAnswers_SignInTimedOutNotAHang(Browser browser)
    {
        _entra.BrowserOutcome = FakeBrowserOutcome.NeverAnswer;
        var provider = CreateProvider(browser, o => o.SignInTimeout = TimeSpan.FromSeconds(1));
        var watch = Stopwatch.StartNew();

        var error = await Assert.ThrowsAsync<MailAuthenticationException>(() => provider.GetTokenAsync(new MailTokenRequest(MailProtocol.Imap)).AsTask());

        Assert.Equal(MailErrorCodes.SignInTimedOut, error.ErrorCode);
        Assert.False(error.IsRetryable);
        Assert.Contains("SignInTimeout", error.Remedy, StringComparison.Ordinal);
        Assert.Contains("DeviceCode", error.Remedy, StringComparison.Ordinal);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(20), $"took {watch.Elapsed}");
    }

    [Fact]
    public async Task GetTokenAsync_CallerCancelsWhileBrowserOpen_OperationCanceledUnwrapped()
    {
        _entra.BrowserOutcome = FakeBrowserOutcome.NeverAnswer;
        var provider = CreateProvider(Browser.CustomWebUi);
        using var cancellation = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => provider.GetTokenAsync(new MailTokenRequest(MailProtocol.Imap), cancellation.Token).AsTask());
    }

    [Fact]
    public async Task GetTokenAsync_NoBrowserOnThisMachine_BrowserUnavailableAtOnce()
    {
        // No hook: MSAL starts the system browser for real. Test machines and CI runners have no desktop browser, which
        // is exactly the case a user meets on a server or in a container; the path is emptied so none can be found.
        var path = Environment.GetEnvironmentVariable("PATH");
        var provider = new InteractiveBrowserTokenProvider(ClientId, new InteractiveBrowserTokenProviderOptions
        {
            TenantId = Tenant,
            PersistTokenCache = false,
            SignInTimeout = TimeSpan.FromSeconds(30),
            LoggerFactory = _logs.CreateFactory(),
        }.UseFakeEntraId(_entra));
        var watch = Stopwatch.StartNew();
        MailAuthenticationException error;
        try
        {
            Environment.SetEnvironmentVariable("PATH", _directory);
            error = await Assert.ThrowsAsync<MailAuthenticationException>(() => provider.GetTokenAsync(new MailTokenRequest(MailProtocol.Imap)).AsTask());
        }
        finally
        {
            Environment.SetEnvironmentVariable("PATH", path);
        }

        Assert.Equal(MailErrorCodes.BrowserUnavailable, error.ErrorCode);
        Assert.False(error.IsRetryable);
        Assert.Contains("Flow=DeviceCode", error.Remedy, StringComparison.Ordinal);
        Assert.Contains("CustomWebUi", error.Remedy, StringComparison.Ordinal);
        Assert.Equal("linux_xdg_open_failed", Assert.IsType<MsalClientException>(error.InnerException).ErrorCode);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(10), $"took {watch.Elapsed}");
    }

    [Fact]
    public async Task GetTokenAsync_ConditionalAccessBlocksSignIn_ConditionalAccessBlocked()
    {
        _entra.BrowserOutcome = FakeBrowserOutcome.ConditionalAccessBlock;
        var provider = CreateProvider();

        var error = await Assert.ThrowsAsync<MailAuthenticationException>(() => provider.GetTokenAsync(new MailTokenRequest(MailProtocol.Imap)).AsTask());

        Assert.Equal(MailErrorCodes.ConditionalAccessBlocked, error.ErrorCode);
        Assert.False(error.IsRetryable);
        Assert.Contains("AADSTS53003", error.ServerResponse, StringComparison.Ordinal);
        Assert.Contains("app-only flow", error.Remedy, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DeviceCode_BlockedByConditionalAccess_RemedyNamesInteractiveBrowser()
    {
        _entra.BlockDeviceCodeFlow = true;
        var deviceCode = new DeviceCodeTokenProvider(ClientId, new DeviceCodeTokenProviderOptions
        {
            TenantId = Tenant,
            PersistTokenCache = false,
            DeviceCodeCallback = (_, _) => Task.CompletedTask,
        }.UseFakeEntraId(_entra));

        var error = await Assert.ThrowsAsync<MailAuthenticationException>(() => deviceCode.GetTokenAsync(new MailTokenRequest(MailProtocol.Imap)).AsTask());
        var browser = await CreateProvider().GetTokenAsync(new MailTokenRequest(MailProtocol.Imap));

        Assert.Equal(MailErrorCodes.ConditionalAccessBlocked, error.ErrorCode);
        Assert.Contains("Flow=InteractiveBrowser", error.Remedy, StringComparison.Ordinal);
        Assert.Contains("--flow interactive", error.Remedy, StringComparison.Ordinal);
        Assert.Equal("adele@contoso.test", browser.Account);
    }

    [Fact]
    public async Task GetTokenAsync_InteractiveSignInDisabledAndNothingCached_InteractionRequired()
    {
        var provider = CreateProvider(configure: o => o.DisableInteractiveSignIn = true);

        var error = await Assert.ThrowsAsync<MailAuthenticationException>(() => provider.GetTokenAsync(new MailTokenRequest(MailProtocol.Imap)).AsTask());

        Assert.Equal(MailErrorCodes.InteractionRequired, error.ErrorCode);
        Assert.Contains("--flow interactive", error.Remedy, StringComparison.Ordinal);
        Assert.Equal(0, _browser.PageCount);
    }

    [Fact]
    public async Task SignOutAsync_NextCallOpensBrowserAgain()
    {
        var provider = CreateProvider();
        await provider.GetTokenAsync(new MailTokenRequest(MailProtocol.Imap));
        Assert.Equal(["adele@contoso.test"], await provider.GetSignedInAccountsAsync());

        await provider.SignOutAsync();
        await provider.GetTokenAsync(new MailTokenRequest(MailProtocol.Imap));

        Assert.Equal(2, _browser.PageCount);
    }

    [Fact]
    public void Constructor_RedirectNotLoopback_ArgumentException()
    {
        var error = Assert.Throws<ArgumentException>(() => new InteractiveBrowserTokenProvider(ClientId, new InteractiveBrowserTokenProviderOptions { RedirectUri = new Uri("https://app.contoso.com/callback") }));

        Assert.Contains("http://localhost", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Logs_EverySignInPath_NoTokenCodeOrVerifier()
    {
        var provider = CreateProvider(Browser.CustomWebUi);
        var token = await provider.GetTokenAsync(new MailTokenRequest(MailProtocol.Imap));
        await provider.GetTokenAsync(new MailTokenRequest(MailProtocol.Imap, forceRefresh: true));
        await CreateProvider(Browser.CustomWebUi).GetTokenAsync(new MailTokenRequest(MailProtocol.Smtp));
        _entra.BrowserOutcome = FakeBrowserOutcome.Decline;
        await Assert.ThrowsAsync<MailAuthenticationException>(() => CreateProvider(Browser.CustomWebUi, o => o.PersistTokenCache = false).GetTokenAsync(new MailTokenRequest(MailProtocol.Imap)).AsTask());
        _entra.BrowserOutcome = FakeBrowserOutcome.ConditionalAccessBlock;
        await Assert.ThrowsAsync<MailAuthenticationException>(() => CreateProvider(Browser.CustomWebUi, o => o.PersistTokenCache = false).GetTokenAsync(new MailTokenRequest(MailProtocol.Imap)).AsTask());

        var logs = _logs.AllText;
        var redirect = _redirects[0];
        var code = Uri.UnescapeDataString(redirect.Query.Split('&').First(p => p.TrimStart('?').StartsWith("code=", StringComparison.Ordinal)).Split('=')[1]);
        var challenge = Uri.UnescapeDataString(_pages[0].Query.Split('&').First(p => p.StartsWith("code_challenge=", StringComparison.Ordinal)).Split('=')[1]);
        Assert.Contains("Waiting up to", logs, StringComparison.Ordinal);
        Assert.Contains(token.Fingerprint, logs, StringComparison.Ordinal);
        Assert.DoesNotContain(token.Token, logs, StringComparison.Ordinal);
        Assert.DoesNotContain(code, logs, StringComparison.Ordinal);
        Assert.DoesNotContain(challenge, logs, StringComparison.Ordinal);
        Assert.DoesNotContain("code_verifier", logs, StringComparison.OrdinalIgnoreCase);
    }
}
