using Microsoft.Graph;
using Microsoft.Kiota.Abstractions;
using Microsoft.Kiota.Abstractions.Authentication;

namespace ModernAuth.Mail.Graph.Tests.Authentication;

/// <summary>The bridge's host check and header on requests as the Graph SDK builds them (no network).</summary>
public sealed class GraphAuthenticationProviderTests
{
    private const string Token = "eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.eyJhdWQiOiJodHRwczovL2dyYXBoLm1pY3Jvc29mdC5jb20ifQ.c2lnbmF0dXJl";

    [Theory]
    [InlineData("https://graph.microsoft.com/v1.0", true)]
    [InlineData("https://graph.microsoft.com/beta", true)]
    [InlineData("https://graph.microsoft.us/v1.0", false)]
    [InlineData("https://graph.microsoft.com.evil.example/v1.0", false)]
    [InlineData("http://graph.microsoft.com/v1.0", false)]
    public async Task AuthenticateRequestAsync_SdkRequestUnderABaseUrl_TokenOnlyForTheCloudsGraphOverHttps(string baseUrl, bool expected)
    {
        var bridge = new GraphAuthenticationProvider(new SwitchingTokenProvider(Token));

        var request = Request(baseUrl, "shared@contoso.com");
        await bridge.AuthenticateRequestAsync(request);

        Assert.Equal(expected, request.Headers.ContainsKey("Authorization"));
        Assert.Equal(expected ? ["Bearer " + Token] : [], request.Headers.TryGetValue("Authorization", out var values) ? values : []);
    }

    [Fact]
    public async Task AuthenticateRequestAsync_BaseUrlChangesBetweenRequests_EachJudgedByItsOwnHost()
    {
        var bridge = new GraphAuthenticationProvider(new SwitchingTokenProvider(Token));

        var results = new List<bool>();
        foreach (var baseUrl in new[] { "https://graph.microsoft.com/v1.0", "https://evil.example/v1.0", "https://graph.microsoft.com/v1.0", "https://evil.example/v1.0" })
        {
            var request = Request(baseUrl, "shared@contoso.com");
            await bridge.AuthenticateRequestAsync(request);
            results.Add(request.Headers.ContainsKey("Authorization"));
        }

        Assert.Equal([true, false, true, false], results);
    }

    [Fact]
    public async Task AuthenticateRequestAsync_RawUrlToAnotherHost_NoToken()
    {
        var bridge = new GraphAuthenticationProvider(new SwitchingTokenProvider(Token));
        var graph = new GraphServiceClient(new HttpClient(), new AnonymousAuthenticationProvider(), "https://graph.microsoft.com/v1.0");

        // A next or delta link the caller passes back: its own host decides, not the client's base URL.
        var elsewhere = graph.Users["shared@contoso.com"].Messages.Delta.WithUrl("https://evil.example/v1.0/users/shared@contoso.com/messages/delta?$deltatoken=1").ToGetRequestInformation();
        var graphLink = graph.Users["shared@contoso.com"].Messages.Delta.WithUrl("https://graph.microsoft.com/v1.0/users/shared@contoso.com/messages/delta?$deltatoken=1").ToGetRequestInformation();
        await bridge.AuthenticateRequestAsync(elsewhere);
        await bridge.AuthenticateRequestAsync(graphLink);

        Assert.False(elsewhere.Headers.ContainsKey("Authorization"));
        Assert.True(graphLink.Headers.ContainsKey("Authorization"));
    }

    [Fact]
    public async Task AuthenticateRequestAsync_SubclassJudgingTheUrl_GetsTheWholeUrlOfEveryRequest()
    {
        var bridge = new PathCheckingBridge(new SwitchingTokenProvider(Token));

        var users = Request("https://graph.microsoft.com/v1.0", "shared@contoso.com");
        var other = Request("https://graph.microsoft.com/v1.0", "ceo@contoso.com");
        await bridge.AuthenticateRequestAsync(users);
        await bridge.AuthenticateRequestAsync(other);

        Assert.True(users.Headers.ContainsKey("Authorization"));
        Assert.False(other.Headers.ContainsKey("Authorization"));
        Assert.All(bridge.Seen, uri => Assert.Contains("/mailFolders/inbox", uri.AbsolutePath, StringComparison.Ordinal));
        Assert.Equal(2, bridge.Seen.Count);
    }

    [Fact]
    public async Task AuthenticateRequestAsync_TokenRefreshed_HeaderCarriesTheNewToken()
    {
        var provider = new SwitchingTokenProvider(Token);
        var bridge = new GraphAuthenticationProvider(provider);
        var first = Request("https://graph.microsoft.com/v1.0", "shared@contoso.com");
        await bridge.AuthenticateRequestAsync(first);

        provider.Current = Token + "-renewed";
        var second = Request("https://graph.microsoft.com/v1.0", "shared@contoso.com");
        await bridge.AuthenticateRequestAsync(second);

        Assert.Equal("Bearer " + Token, Assert.Single(first.Headers["Authorization"]));
        Assert.Equal("Bearer " + Token + "-renewed", Assert.Single(second.Headers["Authorization"]));
    }

    [Fact]
    public async Task AuthenticateRequestAsync_CachedToken_AllocatesNoMoreThanAddingAFixedHeader()
    {
        var bridge = new GraphAuthenticationProvider(new SwitchingTokenProvider(Token));
        var requests = Enumerable.Range(0, 201).Select(_ => Request("https://graph.microsoft.com/v1.0", "shared@contoso.com")).ToArray();
        var baseline = Enumerable.Range(0, 200).Select(_ => Request("https://graph.microsoft.com/v1.0", "shared@contoso.com")).ToArray();
        await bridge.AuthenticateRequestAsync(requests[200]);

        var before = GC.GetAllocatedBytesForCurrentThread();
        foreach (var request in baseline)
        {
            request.Headers.Add("Authorization", "Bearer " + Token);
        }

        var fixedHeader = GC.GetAllocatedBytesForCurrentThread() - before;
        before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 200; i++)
        {
            // Completes synchronously with a cached token: the whole call stays on this thread.
            var task = bridge.AuthenticateRequestAsync(requests[i]);
            Assert.True(task.IsCompletedSuccessfully);
        }

        var bridged = GC.GetAllocatedBytesForCurrentThread() - before;
        // The fixed header's own string ("Bearer " + token) is allocated per request above; the bridge keeps one.
        Assert.True(bridged <= fixedHeader, $"the bridge allocated {bridged / 200} bytes per request, a fixed header {fixedHeader / 200}");
    }

    private static RequestInformation Request(string baseUrl, string mailbox) =>
        new GraphServiceClient(new HttpClient(), new AnonymousAuthenticationProvider(), baseUrl).Users[mailbox].MailFolders["inbox"].ToGetRequestInformation();

    private sealed class SwitchingTokenProvider(string token) : MailTokenProvider
    {
        public string Current { get; set; } = token;

        public override bool IsAppOnly => true;

        public override ValueTask<MailAccessToken> GetTokenAsync(MailTokenRequest request, CancellationToken cancellationToken = default) =>
            new(new MailAccessToken(Current, DateTimeOffset.UtcNow.AddHours(1), request.Mailbox));
    }

    private sealed class PathCheckingBridge(MailTokenProvider provider) : GraphAuthenticationProvider(provider)
    {
        public List<Uri> Seen { get; } = [];

        protected override bool IsAllowed(Uri uri)
        {
            Seen.Add(uri);
            return base.IsAllowed(uri) && Uri.UnescapeDataString(uri.AbsolutePath).Contains("/users/shared@contoso.com/", StringComparison.OrdinalIgnoreCase);
        }
    }
}
