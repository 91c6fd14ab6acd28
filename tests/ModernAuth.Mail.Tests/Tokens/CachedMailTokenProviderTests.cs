using Microsoft.Extensions.Time.Testing;

namespace ModernAuth.Mail.Tests.Tokens;

/// <summary>A token source of one's own on the public base: the built-in gate's behaviour, through the public API.</summary>
public sealed class CachedMailTokenProviderTests
{
    private static readonly DateTimeOffset Start = new(2026, 12, 5, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task GetTokenAsync_AppOnly_OneCallForEveryMailboxAndExchangeProtocolAndDefaultScope()
    {
        var time = new FakeTimeProvider(Start);
        var source = new ScriptedProvider(isAppOnly: true, time);

        var imap = await source.GetTokenAsync(new MailTokenRequest(MailProtocol.Imap, "a@contoso.com"));
        var smtp = await source.GetTokenAsync(new MailTokenRequest(MailProtocol.Smtp, "b@contoso.com"));
        var graph = await source.GetTokenAsync(new MailTokenRequest(MailProtocol.Graph, "b@contoso.com"));

        Assert.Equal(imap.Token, smtp.Token);
        Assert.Equal("a@contoso.com", imap.Account);
        Assert.Equal("b@contoso.com", smtp.Account);
        Assert.NotEqual(imap.Token, graph.Token);
        Assert.Equal(new[] { "https://outlook.office365.com/.default", "https://graph.microsoft.com/.default" }, source.Scopes.ToArray());
        Assert.True(source.IsAppOnly);
    }

    [Fact]
    public void GetTokenAsync_BlockedOnUnderASynchronizationContextThatNeverRuns_DoesNotDeadlock()
    {
        // A WinForms or classic ASP.NET thread that blocks on the call (sync over async): nothing posted to its context
        // ever runs. The gate must not need that thread to finish a cache miss.
        var source = new ScriptedProvider(isAppOnly: true, new FakeTimeProvider(Start));
        var previous = SynchronizationContext.Current;
        var blocked = new NeverRunningContext();
        SynchronizationContext.SetSynchronizationContext(blocked);
        try
        {
            var call = source.GetTokenAsync(new MailTokenRequest(MailProtocol.Imap, "a@contoso.com")).AsTask();

            Assert.True(call.Wait(TimeSpan.FromSeconds(10)), "the cache miss waited for the blocked thread's context");
            Assert.Equal(0, blocked.Posts);
        }
        finally
        {
            SynchronizationContext.SetSynchronizationContext(previous);
        }
    }

    [Fact]
    public async Task GetTokenAsync_ConcurrentColdCallers_ShareOneCall()
    {
        var source = new ScriptedProvider(isAppOnly: true, new FakeTimeProvider(Start)) { Gate = new TaskCompletionSource() };

        var callers = Enumerable.Range(0, 200).Select(i => source.GetTokenAsync(new MailTokenRequest(MailProtocol.Imap, $"u{i}@contoso.com")).AsTask()).ToArray();
        source.Gate.SetResult();
        var tokens = await Task.WhenAll(callers);

        Assert.Equal(1, source.Calls);
        Assert.Single(tokens.Select(t => t.Token).Distinct());
    }

    [Fact]
    public async Task GetTokenAsync_InsideRefreshMargin_ServesCachedAndRefreshesInBackground()
    {
        var time = new FakeTimeProvider(Start);
        var source = new ScriptedProvider(isAppOnly: true, time);
        var first = await source.GetTokenAsync(new MailTokenRequest(MailProtocol.Imap, "a@contoso.com"));

        time.Advance(TimeSpan.FromMinutes(56));
        var during = await source.GetTokenAsync(new MailTokenRequest(MailProtocol.Imap, "a@contoso.com"));
        await source.WaitForCallsAsync(2);

        Assert.Equal(first.Token, during.Token);
        Assert.True(source.ForcedCalls >= 1);
    }

    [Fact]
    public async Task GetTokenAsync_Delegated_KeptPerAccountAndProtocolWithDelegatedScopes()
    {
        var source = new ScriptedProvider(isAppOnly: false, new FakeTimeProvider(Start));

        await source.GetTokenAsync(new MailTokenRequest(MailProtocol.Imap, "a@contoso.com"));
        await source.GetTokenAsync(new MailTokenRequest(MailProtocol.Imap, "b@contoso.com"));
        await source.GetTokenAsync(new MailTokenRequest(MailProtocol.Imap, "a@contoso.com"));

        Assert.Equal(2, source.Calls);
        Assert.Equal("https://outlook.office.com/IMAP.AccessAsUser.All", source.Scopes.First());
        Assert.False(source.IsAppOnly);
    }

    [Fact]
    public async Task GetTokenAsync_SourceThrowsUnknownException_MailAuthenticationExceptionWithInner()
    {
        var source = new ScriptedProvider(isAppOnly: true, new FakeTimeProvider(Start)) { Failure = new InvalidOperationException("sidecar said secret-value-123") };

        var error = await Assert.ThrowsAsync<MailAuthenticationException>(async () => await source.GetTokenAsync(new MailTokenRequest(MailProtocol.Pop, "a@contoso.com")));

        Assert.Equal(MailErrorCodes.Unknown, error.ErrorCode);
        Assert.Same(source.Failure, error.InnerException);
        Assert.Equal(MailProtocol.Pop, error.Protocol);
        Assert.DoesNotContain("secret-value-123", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetTokenAsync_SourceThrowsMailAuthenticationException_PassesThrough()
    {
        var thrown = new MailAuthenticationException(MailErrorCodes.ConsentRequired, "no consent", "grant it");
        var source = new ScriptedProvider(isAppOnly: true, new FakeTimeProvider(Start)) { Failure = thrown };

        var error = await Assert.ThrowsAsync<MailAuthenticationException>(async () => await source.GetTokenAsync(new MailTokenRequest(MailProtocol.Imap, "a@contoso.com")));

        Assert.Same(thrown, error);
    }

    [Fact]
    public async Task GetTokenAsync_EmptyToken_Refused()
    {
        // default(MailAccessToken) has no token; the constructor refuses an empty one itself.
        var source = new ScriptedProvider(isAppOnly: true, new FakeTimeProvider(Start)) { EmptyToken = true };

        var error = await Assert.ThrowsAsync<MailAuthenticationException>(async () => await source.GetTokenAsync(new MailTokenRequest(MailProtocol.Imap, "a@contoso.com")));

        Assert.Contains("returned an empty token", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetTokenAsync_CallerCancels_OperationCanceledAndSourceCancelledWhenNobodyWaits()
    {
        var source = new ScriptedProvider(isAppOnly: true, new FakeTimeProvider(Start)) { Gate = new TaskCompletionSource() };
        using var cancel = new CancellationTokenSource();

        var pending = source.GetTokenAsync(new MailTokenRequest(MailProtocol.Imap, "a@contoso.com"), cancel.Token).AsTask();
        await source.WaitForCallsAsync(1);
        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => pending);
        Assert.True(source.LastToken.IsCancellationRequested);
    }

    [Fact]
    public async Task GetTokenAsync_ForMocking_Throws()
    {
        var mock = new MockOnly();

        await Assert.ThrowsAsync<InvalidOperationException>(async () => await mock.GetTokenAsync(new MailTokenRequest(MailProtocol.Imap)));
    }

    private sealed class MockOnly : CachedMailTokenProvider
    {
        protected override ValueTask<MailAccessToken> AcquireTokenAsync(MailTokenRequest request, IReadOnlyList<string> scopes, bool forceRefresh, CancellationToken cancellationToken) =>
            throw new NotSupportedException();
    }

    private sealed class ScriptedProvider : CachedMailTokenProvider
    {
        private readonly TimeProvider _time;
        private int _calls;
        private int _forcedCalls;

        public ScriptedProvider(bool isAppOnly, TimeProvider time)
            : base(isAppOnly, new CachedMailTokenProviderOptions { TimeProvider = time })
        {
            _time = time;
        }

        public TaskCompletionSource? Gate { get; init; }

        public Exception? Failure { get; init; }

        public bool EmptyToken { get; init; }

        public int Calls => Volatile.Read(ref _calls);

        public int ForcedCalls => Volatile.Read(ref _forcedCalls);

        public System.Collections.Concurrent.ConcurrentQueue<string> Scopes { get; } = new();

        public CancellationToken LastToken { get; private set; }

        public async Task WaitForCallsAsync(int count)
        {
            var deadline = DateTime.UtcNow.AddSeconds(10);
            while (Calls < count)
            {
                Assert.True(DateTime.UtcNow < deadline, $"The source was called {Calls} times, expected {count}.");
                await Task.Delay(10);
            }
        }

        protected override async ValueTask<MailAccessToken> AcquireTokenAsync(MailTokenRequest request, IReadOnlyList<string> scopes, bool forceRefresh, CancellationToken cancellationToken)
        {
            var call = Interlocked.Increment(ref _calls);
            if (forceRefresh)
            {
                Interlocked.Increment(ref _forcedCalls);
            }

            LastToken = cancellationToken;
            Scopes.Enqueue(scopes[0]);
            if (Gate is not null)
            {
                await Gate.Task.WaitAsync(cancellationToken);
            }

            if (Failure is not null)
            {
                throw Failure;
            }

            return EmptyToken ? default : new MailAccessToken($"token-{call}-{scopes[0]}", _time.GetUtcNow().AddHours(1), request.Mailbox);
        }
    }

    private sealed class NeverRunningContext : SynchronizationContext
    {
        private int _posts;

        public int Posts => Volatile.Read(ref _posts);

        public override void Post(SendOrPostCallback d, object? state) => Interlocked.Increment(ref _posts);

        public override void Send(SendOrPostCallback d, object? state) => throw new InvalidOperationException("a blocked thread cannot run Send");
    }
}
