using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using ModernAuth.Mail.Caching;

namespace ModernAuth.Mail.Tests.Caching;

public class TokenCacheGateTests
{
    private static readonly MailTokenRequest Imap = new(MailProtocol.Imap);
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 25, 12, 0, 0, TimeSpan.Zero));

    [Fact]
    public async Task GetTokenAsync_SecondCall_ServedFromCacheWithoutAcquiring()
    {
        var source = new ScriptedSource(_time);
        var gate = source.CreateGate(TimeSpan.FromMinutes(5));

        var first = await gate.GetTokenAsync(Imap, default);
        var second = gate.GetTokenAsync(Imap, default);

        Assert.True(second.IsCompletedSuccessfully);
        Assert.Equal(first, second.Result);
        Assert.Equal(1, source.Calls);
    }

    [Fact]
    public async Task GetTokenAsync_ThousandConcurrentColdCallers_OneAcquisition()
    {
        var source = new ScriptedSource(_time) { Hold = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously) };
        var gate = source.CreateGate(TimeSpan.FromMinutes(5));

        var callers = Enumerable.Range(0, 1000).Select(_ => Task.Run(() => gate.GetTokenAsync(Imap, default).AsTask())).ToArray();
        await source.WaitForCallsAsync(1);
        source.Hold.SetResult(true);
        var tokens = await Task.WhenAll(callers);

        Assert.Equal(1, source.Calls);
        Assert.All(tokens, t => Assert.Equal(tokens[0], t));
    }

    [Fact]
    public async Task GetTokenAsync_InsideRefreshMargin_ReturnsCachedAndRefreshesOnceInBackground()
    {
        var source = new ScriptedSource(_time);
        var gate = source.CreateGate(TimeSpan.FromMinutes(5));
        var old = await gate.GetTokenAsync(Imap, default);
        source.Hold = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);

        _time.Advance(TimeSpan.FromMinutes(56)); // 4 minutes left: inside the 5-minute margin
        var during = new List<MailAccessToken>();
        for (var i = 0; i < 50; i++)
        {
            var pending = gate.GetTokenAsync(Imap, default);
            Assert.True(pending.IsCompletedSuccessfully);
            during.Add(pending.Result);
        }

        await source.WaitForCallsAsync(2);
        Assert.All(during, t => Assert.Equal(old, t));
        Assert.True(source.LastForced);
        source.Hold.SetResult(true);
        await source.WaitForCompletionsAsync(2);

        var fresh = await gate.GetTokenAsync(Imap, default);
        Assert.NotEqual(old, fresh);
        Assert.Equal(2, source.Calls);
    }

    [Fact]
    public async Task GetTokenAsync_Expired_WaitsForNewToken()
    {
        var source = new ScriptedSource(_time);
        var gate = source.CreateGate(TimeSpan.FromMinutes(5));
        var old = await gate.GetTokenAsync(Imap, default);

        _time.Advance(TimeSpan.FromMinutes(61));
        var fresh = await gate.GetTokenAsync(Imap, default);

        Assert.NotEqual(old, fresh);
        Assert.True(source.LastForced);
        Assert.Equal(2, source.Calls);
    }

    [Fact]
    public async Task GetTokenAsync_ForceRefresh_BypassesCacheAndConcurrentForcesShareOneCall()
    {
        var source = new ScriptedSource(_time);
        var gate = source.CreateGate(TimeSpan.FromMinutes(5));
        var old = await gate.GetTokenAsync(Imap, default);
        source.Hold = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);

        var forced = Enumerable.Range(0, 20).Select(_ => gate.GetTokenAsync(Imap.WithForceRefresh(), default).AsTask()).ToArray();
        await source.WaitForCallsAsync(2);
        source.Hold.SetResult(true);
        var tokens = await Task.WhenAll(forced);

        Assert.Equal(2, source.Calls);
        Assert.All(tokens, t => Assert.NotEqual(old, t));
        Assert.True(source.LastForced);
    }

    [Fact]
    public async Task GetTokenAsync_OneWaiterCancels_OthersStillGetToken()
    {
        var source = new ScriptedSource(_time) { Hold = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously) };
        var gate = source.CreateGate(TimeSpan.FromMinutes(5));
        using var cts = new CancellationTokenSource();

        var cancelled = gate.GetTokenAsync(Imap, cts.Token).AsTask();
        var patient = gate.GetTokenAsync(Imap, default).AsTask();
        await source.WaitForCallsAsync(1);
        cts.Cancel();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled);
        Assert.False(source.LastToken.IsCancellationRequested);
        source.Hold.SetResult(true);
        var token = await patient;
        Assert.Equal(1, source.Calls);
        Assert.False(string.IsNullOrEmpty(token.Token));
    }

    [Fact]
    public async Task GetTokenAsync_EveryWaiterCancels_AcquisitionIsCancelled()
    {
        var source = new ScriptedSource(_time) { Hold = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously) };
        var gate = source.CreateGate(TimeSpan.FromMinutes(5));
        using var cts = new CancellationTokenSource();

        var only = gate.GetTokenAsync(Imap, cts.Token).AsTask();
        await source.WaitForCallsAsync(1);
        cts.Cancel();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => only);
        Assert.True(source.LastToken.IsCancellationRequested);
    }

    [Fact]
    public async Task GetTokenAsync_AlreadyCancelled_ThrowsWithoutAcquiring()
    {
        var source = new ScriptedSource(_time);
        var gate = source.CreateGate(TimeSpan.FromMinutes(5));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => gate.GetTokenAsync(Imap, new CancellationToken(true)).AsTask());
        Assert.Equal(0, source.Calls);
    }

    [Fact]
    public async Task GetTokenAsync_AcquisitionFails_AllWaitersSeeErrorAndNextCallRetries()
    {
        var source = new ScriptedSource(_time)
        {
            Hold = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously),
            FailNext = new MailAuthenticationException(MailErrorCodes.TokenServiceUnavailable, "down", "wait", isRetryable: true),
        };
        var gate = source.CreateGate(TimeSpan.FromMinutes(5));

        var waiters = Enumerable.Range(0, 10).Select(_ => gate.GetTokenAsync(Imap, default).AsTask()).ToArray();
        await source.WaitForCallsAsync(1);
        source.Hold.SetResult(true);
        foreach (var waiter in waiters)
        {
            var error = await Assert.ThrowsAsync<MailAuthenticationException>(() => waiter);
            Assert.Equal(MailErrorCodes.TokenServiceUnavailable, error.ErrorCode);
        }

        var token = await gate.GetTokenAsync(Imap, default);
        Assert.Equal(2, source.Calls);
        Assert.False(string.IsNullOrEmpty(token.Token));
    }

    [Fact]
    public async Task GetTokenAsync_BackgroundRefreshFails_KeepsServingValidToken()
    {
        var source = new ScriptedSource(_time);
        var gate = source.CreateGate(TimeSpan.FromMinutes(5));
        var old = await gate.GetTokenAsync(Imap, default);
        source.FailNext = new MailAuthenticationException(MailErrorCodes.TokenServiceUnavailable, "down", "wait", isRetryable: true);

        _time.Advance(TimeSpan.FromMinutes(57));
        Assert.Equal(old, await gate.GetTokenAsync(Imap, default));
        await source.WaitForCompletionsAsync(2);

        Assert.Equal(old, await gate.GetTokenAsync(Imap, default));
    }

    [Theory]
    [InlineData(false, null)]
    [InlineData(false, "someone@contoso.com")]
    [InlineData(true, "someone@contoso.com")]
    public async Task GetTokenAsync_CacheHit_AllocatesNothing(bool appOnly, string? mailbox)
    {
        var source = new ScriptedSource(_time, appOnly);
        var gate = source.CreateGate(TimeSpan.FromMinutes(5));
        var request = new MailTokenRequest(MailProtocol.Imap, mailbox);
        await gate.GetTokenAsync(request, default);
        _ = gate.GetTokenAsync(request, default); // warm up

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 1000; i++)
        {
            _ = gate.GetTokenAsync(request, default).Result;
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public async Task GetTokenAsync_TokenShorterLivedThanMargin_NotRefreshedOnEveryCall()
    {
        var source = new ScriptedSource(_time) { Lifetime = TimeSpan.FromMinutes(4) };
        var gate = source.CreateGate(TimeSpan.FromMinutes(5));
        var first = await gate.GetTokenAsync(Imap, default);

        for (var i = 0; i < 100; i++)
        {
            Assert.Equal(first, await gate.GetTokenAsync(Imap, default));
        }

        Assert.Equal(1, source.Calls);
        _time.Advance(TimeSpan.FromMinutes(2));
        Assert.Equal(first, await gate.GetTokenAsync(Imap, default));
        await source.WaitForCompletionsAsync(2);
        Assert.Equal(2, source.Calls);
    }

    [Fact]
    public async Task GetTokenAsync_DifferentKeys_SeparateTokens()
    {
        var source = new ScriptedSource(_time);
        var gate = source.CreateGate(TimeSpan.FromMinutes(5));

        var a = await gate.GetTokenAsync(new MailTokenRequest(MailProtocol.Imap, "a@contoso.com"), default);
        var b = await gate.GetTokenAsync(new MailTokenRequest(MailProtocol.Imap, "B@contoso.com"), default);
        var a2 = await gate.GetTokenAsync(new MailTokenRequest(MailProtocol.Imap, "A@CONTOSO.COM"), default);
        var smtp = await gate.GetTokenAsync(new MailTokenRequest(MailProtocol.Smtp, "a@contoso.com"), default);

        Assert.NotEqual(a, b);
        Assert.Equal(a, a2);
        Assert.NotEqual(a, smtp); // delegated scopes differ per protocol
        Assert.Equal(3, source.Calls);
    }

    [Fact]
    public async Task GetTokenAsync_AppOnly_OneTokenForEveryMailboxAndExchangeProtocol_NamedAfterEachRequest()
    {
        var source = new ScriptedSource(_time, appOnly: true);
        var gate = source.CreateGate(TimeSpan.FromMinutes(5));

        var imap = await gate.GetTokenAsync(new MailTokenRequest(MailProtocol.Imap, "a@contoso.com"), default);
        var smtp = gate.GetTokenAsync(new MailTokenRequest(MailProtocol.Smtp, "b@contoso.com"), default);
        var ews = gate.GetTokenAsync(new MailTokenRequest(MailProtocol.Ews, "c@contoso.com"), default);

        Assert.True(smtp.IsCompletedSuccessfully);
        Assert.True(ews.IsCompletedSuccessfully);
        Assert.Equal(1, source.Calls);
        Assert.Equal(imap.Token, smtp.Result.Token);
        Assert.Equal(("a@contoso.com", "b@contoso.com", "c@contoso.com"), (imap.Account, smtp.Result.Account, ews.Result.Account));
    }

    [Fact]
    public async Task GetTokenAsync_DelegatedCacheHit_KeepsTheSignedInAccount()
    {
        var source = new ScriptedSource(_time) { SignedInAccount = "adele@contoso.com" };
        var gate = source.CreateGate(TimeSpan.FromMinutes(5));

        var first = await gate.GetTokenAsync(Imap, default);
        var hit = gate.GetTokenAsync(Imap, default);

        Assert.True(hit.IsCompletedSuccessfully);
        Assert.Equal(1, source.Calls);
        Assert.Equal("adele@contoso.com", first.Account);
        Assert.Equal(first, hit.Result);
    }

    /// <summary>A token source whose answers the test controls.</summary>
    private sealed class ScriptedSource : TokenCacheSource
    {
        private readonly FakeTimeProvider _time;
        private int _calls;
        private int _completions;

        public ScriptedSource(FakeTimeProvider time, bool appOnly = false)
            : base(MailCloud.Global, appOnly)
        {
            _time = time;
        }

        public TaskCompletionSource<bool>? Hold { get; set; }

        public Exception? FailNext { get; set; }

        public TimeSpan Lifetime { get; set; } = TimeSpan.FromHours(1);

        /// <summary>The account a delegated request without a mailbox gets (the signed-in user).</summary>
        public string? SignedInAccount { get; set; }

        public int Calls => Volatile.Read(ref _calls);

        public bool LastForced { get; private set; }

        public CancellationToken LastToken { get; private set; }

        public TokenCacheGate CreateGate(TimeSpan margin) => new(this, _time, margin, NullLogger.Instance);

        public async Task WaitForCallsAsync(int count)
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            while (Calls < count)
            {
                await Task.Delay(1, timeout.Token);
            }
        }

        public async Task WaitForCompletionsAsync(int count)
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            while (Volatile.Read(ref _completions) < count)
            {
                await Task.Delay(1, timeout.Token);
            }

            await Task.Delay(10, timeout.Token); // let the gate store the result
        }

        public override async Task<MailAccessToken> AcquireAsync(MailTokenRequest request, bool forced, CancellationToken cancellationToken)
        {
            var n = Interlocked.Increment(ref _calls);
            LastForced = forced;
            LastToken = cancellationToken;
            try
            {
                if (Hold is { } hold)
                {
                    await hold.Task.WaitAsync(cancellationToken);
                }

                if (FailNext is { } error)
                {
                    FailNext = null;
                    throw error;
                }

                return new MailAccessToken($"token-{n}-{request.Mailbox}", _time.GetUtcNow() + Lifetime, IsAppOnly ? null : request.Mailbox ?? SignedInAccount);
            }
            finally
            {
                Interlocked.Increment(ref _completions);
            }
        }
    }
}
