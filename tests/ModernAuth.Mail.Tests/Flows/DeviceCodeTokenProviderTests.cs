using System.Collections.Concurrent;
using ModernAuth.Mail.Testing;
using ModernAuth.Mail.Tests.Support;

namespace ModernAuth.Mail.Tests.Flows;

public sealed class DeviceCodeTokenProviderTests : IDisposable
{
    private const string Tenant = "11111111-2222-3333-4444-555555555555";
    private const string ClientId = "3c2b1a09-8f7e-4d6c-b5a4-938271605f4e";
    private readonly FakeEntraId _entra = new();
    private readonly string _directory = Directory.CreateTempSubdirectory("modernauth-devicecode-").FullName;
    private readonly ConcurrentQueue<DeviceCodeInfo> _codes = new();

    public DeviceCodeTokenProviderTests()
    {
        _entra.RegisterApplication(Tenant, ClientId).AsPublicClient();
        _entra.RegisterApplication(FakeEntraId.ConsumersTenant, ClientId).AsPublicClient();
        _entra.DeviceCodeUser = _entra.AddUser(Tenant, "adele@contoso.test", "Adele Vance");
    }

    private string CachePath => Path.Combine(_directory, "cache.bin");

    public void Dispose()
    {
        _entra.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    private DeviceCodeTokenProvider CreateProvider(Action<DeviceCodeTokenProviderOptions>? configure = null)
    {
        var options = new DeviceCodeTokenProviderOptions
        {
            TenantId = Tenant,
            TokenCachePath = CachePath,
            DeviceCodeCallback = (code, _) =>
            {
                _codes.Enqueue(code);
                return Task.CompletedTask;
            },
        }.UseFakeEntraId(_entra);
        configure?.Invoke(options);
        return new DeviceCodeTokenProvider(ClientId, options);
    }

    private int DeviceCodeRequests => _entra.Requests.Count(r => r.Path.EndsWith("/devicecode", StringComparison.Ordinal));

    [Fact]
    public async Task GetTokenAsync_UserApproves_ReturnsDelegatedTokenForSignedInUser()
    {
        var provider = CreateProvider();

        var token = await provider.GetTokenAsync(new MailTokenRequest(MailProtocol.Imap));

        Assert.Equal("adele@contoso.test", token.Account);
        var code = Assert.Single(_codes);
        Assert.False(string.IsNullOrEmpty(code.UserCode));
        Assert.Equal("https", code.VerificationUri.Scheme);
        var scope = _entra.Requests.First(r => r.Path.EndsWith("/devicecode", StringComparison.Ordinal)).Scope!;
        Assert.Contains("https://outlook.office.com/IMAP.AccessAsUser.All", scope, StringComparison.Ordinal);
        Assert.Contains("offline_access", scope, StringComparison.Ordinal);
        Assert.False(provider.IsAppOnly);
    }

    [Fact]
    public async Task GetTokenAsync_SecondCall_ServedWithZeroRequests()
    {
        var provider = CreateProvider();
        await provider.GetTokenAsync(new MailTokenRequest(MailProtocol.Smtp));
        var before = _entra.RequestCount;

        await provider.GetTokenAsync(new MailTokenRequest(MailProtocol.Smtp));

        Assert.Equal(before, _entra.RequestCount);
    }

    [Fact]
    public async Task GetTokenAsync_NewProviderWithSameCacheFile_SilentWithoutDeviceCode()
    {
        var first = await CreateProvider().GetTokenAsync(new MailTokenRequest(MailProtocol.Imap));
        var before = _entra.RequestCount;

        // A new instance is what a new process sees: only the cache file carries the sign-in over.
        var second = await CreateProvider().GetTokenAsync(new MailTokenRequest(MailProtocol.Imap));

        Assert.Equal(first.Token, second.Token);
        Assert.Equal(before, _entra.RequestCount);
        Assert.Single(_codes);
        Assert.Equal(1, DeviceCodeRequests);
    }

    [Fact]
    public async Task GetTokenAsync_OtherProtocolAfterSignIn_UsesRefreshTokenNotDeviceCode()
    {
        await CreateProvider().GetTokenAsync(new MailTokenRequest(MailProtocol.Imap));

        var smtp = await CreateProvider().GetTokenAsync(new MailTokenRequest(MailProtocol.Smtp));

        Assert.Equal("adele@contoso.test", smtp.Account);
        Assert.Equal(1, DeviceCodeRequests);
        Assert.Contains(_entra.Requests, r => r.GrantType == "refresh_token");
    }

    [Fact]
    public async Task GetTokenAsync_PersistedCacheFile_IsOwnerOnly()
    {
        await CreateProvider().GetTokenAsync(new MailTokenRequest(MailProtocol.Imap));

        Assert.True(File.Exists(CachePath));
        Assert.True(new FileInfo(CachePath).Length > 0);
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(CachePath));
        }
    }

    [Fact]
    public async Task GetTokenAsync_CorruptedCacheFile_SignsInAgainInsteadOfFailing()
    {
        await File.WriteAllBytesAsync(CachePath, Enumerable.Range(0, 4096).Select(i => (byte)(i * 37)).ToArray());

        var token = await CreateProvider().GetTokenAsync(new MailTokenRequest(MailProtocol.Imap));

        Assert.Equal("adele@contoso.test", token.Account);
        Assert.Single(_codes);
        Assert.Single(Directory.GetFiles(_directory, "cache.bin.damaged-*"));
        Assert.Equal("adele@contoso.test", (await CreateProvider().GetTokenAsync(new MailTokenRequest(MailProtocol.Imap))).Account);
        Assert.Single(_codes);
    }

    [Fact]
    public async Task GetTokenAsync_PersonalAccount_OpaqueTokenIsNormal()
    {
        _entra.DeviceCodeUser = _entra.AddUser(FakeEntraId.ConsumersTenant, "megan@outlook.test");
        var provider = CreateProvider(o =>
        {
            o.Cloud = MailCloud.PersonalAccounts;
            o.TenantId = null;
        });

        var token = await provider.GetTokenAsync(new MailTokenRequest(MailProtocol.Imap));

        Assert.False(token.IsJwt);
        Assert.Equal("megan@outlook.test", token.Account);
        Assert.Equal("consumers", provider.TenantId);
        Assert.Contains(_entra.Requests, r => r.Path.StartsWith("/consumers/", StringComparison.Ordinal));
    }

    [Fact]
    public async Task GetTokenAsync_UserDeclines_DeviceCodeDeclined()
    {
        _entra.DeviceCodeOutcome = FakeDeviceCodeOutcome.Decline;

        var error = await Assert.ThrowsAsync<MailAuthenticationException>(() => CreateProvider().GetTokenAsync(new MailTokenRequest(MailProtocol.Imap)).AsTask());

        Assert.Equal(MailErrorCodes.DeviceCodeDeclined, error.ErrorCode);
        Assert.False(string.IsNullOrEmpty(error.Remedy));
    }

    [Fact]
    public async Task GetTokenAsync_CodeExpires_DeviceCodeExpired()
    {
        _entra.DeviceCodeOutcome = FakeDeviceCodeOutcome.Expire;

        var error = await Assert.ThrowsAsync<MailAuthenticationException>(() => CreateProvider().GetTokenAsync(new MailTokenRequest(MailProtocol.Imap)).AsTask());

        Assert.Equal(MailErrorCodes.DeviceCodeExpired, error.ErrorCode);
    }

    [Fact]
    public async Task GetTokenAsync_InteractiveSignInDisabledAndNothingCached_InteractionRequired()
    {
        var error = await Assert.ThrowsAsync<MailAuthenticationException>(() =>
            CreateProvider(o => o.DisableInteractiveSignIn = true).GetTokenAsync(new MailTokenRequest(MailProtocol.Imap)).AsTask());

        Assert.Equal(MailErrorCodes.InteractionRequired, error.ErrorCode);
        Assert.Empty(_codes);
        Assert.Equal(0, DeviceCodeRequests);
    }

    [Fact]
    public async Task GetTokenAsync_CancelledWhileWaitingForUser_ThrowsOperationCanceled()
    {
        _entra.DeviceCodePendingPolls = int.MaxValue;
        using var cts = new CancellationTokenSource();
        var provider = CreateProvider(o => o.DeviceCodeCallback = (_, _) =>
        {
            cts.CancelAfter(100);
            return Task.CompletedTask;
        });

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => provider.GetTokenAsync(new MailTokenRequest(MailProtocol.Imap), cts.Token).AsTask());
    }

    [Fact]
    public async Task SignOutAsync_AfterSignIn_NextRunNeedsDeviceCodeAgain()
    {
        var provider = CreateProvider();
        await provider.GetTokenAsync(new MailTokenRequest(MailProtocol.Imap));
        Assert.Equal(new[] { "adele@contoso.test" }, await provider.GetSignedInAccountsAsync());

        await provider.SignOutAsync();

        Assert.Empty(await CreateProvider().GetSignedInAccountsAsync());
        await CreateProvider().GetTokenAsync(new MailTokenRequest(MailProtocol.Imap));
        Assert.Equal(2, DeviceCodeRequests);
    }

    [Fact]
    public async Task GetTokenAsync_Logging_NeverLogsTokens()
    {
        var logs = new CapturingLoggerProvider();
        using var factory = logs.CreateFactory();

        var token = await CreateProvider(o => o.LoggerFactory = factory).GetTokenAsync(new MailTokenRequest(MailProtocol.Imap));

        Assert.Contains(logs.Lines, l => l.Contains("[1004]", StringComparison.Ordinal));
        Assert.DoesNotContain(token.Token, logs.AllText, StringComparison.Ordinal);
        Assert.DoesNotContain(token.Token.Split('.')[2], logs.AllText, StringComparison.Ordinal);
    }
}
