using System.Buffers;
using System.Net;
using System.Text;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using ModernAuth.Mail.Extensions;
using ModernAuth.Mail.Relay.Internal;

namespace ModernAuth.Mail.Relay.Tests;

public sealed class UnitTests
{
    [Fact]
    public void HashPassword_VerifiesTheRightPasswordOnly_WithAFreshSaltEachTime()
    {
        var first = RelayPasswordHasher.HashPassword("P@ss word", 100_000);
        var second = RelayPasswordHasher.HashPassword("P@ss word", 100_000);
        Assert.NotEqual(first, second);
        Assert.StartsWith("PBKDF2-SHA256$100000$", first, StringComparison.Ordinal);
        Assert.Equal(100_000, RelayPasswordHasher.GetIterations(first));
        Assert.Throws<ArgumentOutOfRangeException>(() => RelayPasswordHasher.HashPassword("x", 99_999));
        Assert.True(RelayPasswordHasher.VerifyPassword("P@ss word", first));
        Assert.False(RelayPasswordHasher.VerifyPassword("P@ss word ", first));
        Assert.True(RelayPasswordHasher.IsValidHash(first));
        Assert.False(RelayPasswordHasher.IsValidHash("P@ss word"));
        Assert.Throws<FormatException>(() => RelayPasswordHasher.VerifyPassword("x", "plain-text"));
        Assert.Equal(600_000, RelayPasswordHasher.DefaultIterations);
    }

    [Fact]
    public async Task VerifiedPasswordCache_ChecksAPairOnce_NeverRemembersFailures_AndForgetsAChangedHash()
    {
        var cache = new VerifiedPasswordCache(100_000);
        var hash = RelayPasswordHasher.HashPassword("right", 100_000);
        Assert.True(await cache.VerifyAsync("dev", "right", hash, "127.0.0.1", CheckPriority.Clean, default));
        Assert.True(await cache.VerifyAsync("dev", "right", hash, "127.0.0.1", CheckPriority.Clean, default));
        Assert.Equal(1, cache.FullChecks);
        Assert.False(await cache.VerifyAsync("dev", "wrong", hash, "127.0.0.1", CheckPriority.Clean, default));
        Assert.False(await cache.VerifyAsync("dev", "wrong", hash, "127.0.0.1", CheckPriority.Clean, default));
        Assert.Equal(3, cache.FullChecks);
        var changed = RelayPasswordHasher.HashPassword("other", 100_000);
        Assert.False(await cache.VerifyAsync("dev", "right", changed, "127.0.0.1", CheckPriority.Clean, default));

        // An unknown user name costs a full check too (against a decoy of the same strength), and never succeeds.
        Assert.False(await cache.VerifyAsync("nobody", "right", null, "127.0.0.1", CheckPriority.Clean, default));
        Assert.Equal(5, cache.FullChecks);
    }

    [Theory]
    [InlineData("192.168.1.0/24", "192.168.1.77", true)]
    [InlineData("192.168.1.0/24", "192.168.2.1", false)]
    [InlineData("10.0.0.5", "10.0.0.5", true)]
    [InlineData("10.0.0.5/32", "10.0.0.6", false)]
    [InlineData("127.0.0.0/8", "::ffff:127.0.0.1", true)]
    [InlineData("fd00::/8", "fd12:3456::1", true)]
    [InlineData("fd00::/8", "fe80::1", false)]
    [InlineData("0.0.0.0/0", "203.0.113.9", true)]
    [InlineData("10.1.0.0/20", "10.1.15.255", true)]
    [InlineData("10.1.0.0/20", "10.1.16.0", false)]
    public void IpNetwork_MatchesCidrRanges(string range, string address, bool expected)
    {
        Assert.True(IpNetwork.TryParse(range, out var network));
        Assert.Equal(expected, network!.Contains(IPAddress.Parse(address)));
    }

    [Theory]
    [InlineData("10.0.0/8")]
    [InlineData("10.0.0.0/33")]
    [InlineData("printer")]
    [InlineData("")]
    public void IpNetwork_RefusesWhatIsNotARange(string range) => Assert.False(IpNetwork.TryParse(range, out _));

    [Fact]
    public void Validate_NamesEveryWrongKey()
    {
        var options = new RelayOptions();
        options.Listen.Add("localhost");
        var network = new RelayNetworkOptions();
        network.Ranges.Add("10.0.0/8");
        options.Networks.Add(network);
        options.Accounts.Add(new RelayAccountOptions { UserName = "scanner", PasswordHash = "hunter2" });
        options.Routes.Add(new RelayRouteOptions { Provider = "missing" });
        var errors = RelayOptionsValidator.Validate(options);
        Assert.Contains(errors, e => e.StartsWith("Relay:Listen:0:", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("Relay:Networks:0:Ranges:0:", StringComparison.Ordinal) && e.Contains("10.0.0/8", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("Relay:Networks:0:AllowedSenders:", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("Relay:Accounts:0:PasswordHash:", StringComparison.Ordinal) && !e.Contains("hunter2", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("Relay:Routes:0:Provider:", StringComparison.Ordinal) && e.Contains("ModernAuthMail:Providers:missing", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("Relay:Routes:0:Senders:", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("Relay:SpoolDirectory:", StringComparison.Ordinal));
    }

    [Fact]
    public void Validate_RefusesWeakHashesCleartextUpstreamAndImplicitTlsWithoutACertificate_AndWarnsAboutEveryAddress()
    {
        var options = new RelayOptions { SpoolDirectory = Path.GetTempPath() };
        var weak = "PBKDF2-SHA256$10000$" + Convert.ToBase64String(new byte[16]) + "$" + Convert.ToBase64String(new byte[32]);
        var account = new RelayAccountOptions { UserName = "scanner", PasswordHash = weak };
        account.AllowedSenders.Add("*");
        options.Accounts.Add(account);
        var everyone = new RelayNetworkOptions();
        everyone.Ranges.Add("0.0.0.0/0");
        everyone.Ranges.Add("::/0");
        everyone.AllowedSenders.Add("*");
        options.Networks.Add(everyone);
        var route = new RelayRouteOptions { Provider = "c" };
        route.Senders.Add("*");
        options.Routes.Add(route);
        options.TokenProviders["c"] = new ClientSecretTokenProvider("t", "c", "s");
        options.Upstream.Host = "smtp.contoso.com";
        options.Upstream.TlsMode = MailTlsMode.None;
        options.ImplicitTlsListen.Add("0.0.0.0:465");

        var errors = RelayOptionsValidator.Validate(options);
        Assert.Contains(errors, e => e.StartsWith("Relay:Accounts:0:PasswordHash:", StringComparison.Ordinal) && e.Contains("100,000", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("Relay:Upstream:TlsMode:", StringComparison.Ordinal) && e.Contains("smtp.contoso.com", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("Relay:ImplicitTlsListen:", StringComparison.Ordinal));
        var warnings = RelayOptionsValidator.Warnings(options);
        Assert.Contains(warnings, w => w.Key == "Relay:Networks:0:Ranges:0");
        Assert.Contains(warnings, w => w.Key == "Relay:Networks:0:Ranges:1");

        // None to a loopback test server stays allowed; the cloud's host (no Host) is not loopback.
        options.Upstream.Host = "127.0.0.1";
        Assert.DoesNotContain(RelayOptionsValidator.Validate(options), e => e.StartsWith("Relay:Upstream:TlsMode:", StringComparison.Ordinal));
        options.Upstream.Host = null;
        Assert.Contains(RelayOptionsValidator.Validate(options), e => e.StartsWith("Relay:Upstream:TlsMode:", StringComparison.Ordinal));
    }

    [Fact]
    public void LoginThrottle_DoublesTheDelay_LocksOutAfterMaxFailures_AndForgetsAfterTheLockout()
    {
        var time = new FakeTimeProvider(DateTimeOffset.Parse("2026-05-01T10:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
        var throttle = new LoginThrottle(new RelayLoginThrottlingOptions { MaxFailures = 3, FailureDelay = TimeSpan.FromSeconds(1), MaxFailureDelay = TimeSpan.FromSeconds(3) }, time);
        Assert.False(throttle.IsSuspect("10.0.0.1"));
        Assert.Equal(TimeSpan.FromSeconds(1), throttle.RecordFailure("10.0.0.1", "printer"));
        Assert.True(throttle.IsSuspect("10.0.0.1"));
        Assert.Equal(TimeSpan.FromSeconds(2), throttle.RecordFailure("10.0.0.1", "printer"));
        Assert.False(throttle.IsLockedOut("10.0.0.1", "printer"));
        Assert.Equal(TimeSpan.FromSeconds(3), throttle.RecordFailure("10.0.0.1", "PRINTER"));

        // The address is locked for every account; the account only for addresses that failed themselves.
        Assert.True(throttle.IsLockedOut("10.0.0.1", "other"));
        Assert.False(throttle.IsLockedOut("10.0.0.2", "printer"));
        throttle.RecordFailure("10.0.0.2", "someone-else");
        Assert.True(throttle.IsLockedOut("10.0.0.2", "printer"));

        time.Advance(TimeSpan.FromMinutes(15));
        Assert.False(throttle.IsLockedOut("10.0.0.1", "printer"));
    }

    [Fact]
    public async Task StartAsync_WithAWrongConfiguration_ThrowsNamingTheKey()
    {
        var options = new RelayOptions { SpoolDirectory = Path.GetTempPath() };
        await using var relay = new RelayServer(options);
        var ex = await Assert.ThrowsAsync<RelayConfigurationException>(() => relay.StartAsync());
        Assert.Contains("Relay:Networks", ex.Message, StringComparison.Ordinal);
        Assert.Contains("Relay:Routes", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Host_BindsFromConfiguration_AndFailsAtStartNamingTheKey()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Relay:SpoolDirectory"] = Path.Combine(Path.GetTempPath(), "relay-" + Guid.NewGuid().ToString("N")),
            ["Relay:Listen:0"] = "127.0.0.1:0",
            ["Relay:Networks:0:Ranges:0"] = "10.0.0.0/8",
            ["Relay:Networks:0:AllowedSenders:0"] = "@contoso.com",
            ["Relay:Routes:0:Senders:0"] = "*",
            ["Relay:Routes:0:Provider"] = "contoso",
            ["Relay:Routes:1:Senders:0"] = "*",
            ["Relay:Routes:1:Provider"] = "kiosk",
            ["Relay:Routes:2:Senders:0"] = "*",
            ["Relay:Routes:2:Provider"] = "desk",
            ["Relay:Delivery:RateLimitCount"] = "-1",
            ["ModernAuthMail:Providers:contoso:Flow"] = "ClientSecret",
            ["ModernAuthMail:Providers:contoso:TenantId"] = "contoso.onmicrosoft.com",
            ["ModernAuthMail:Providers:contoso:ClientId"] = Guid.NewGuid().ToString(),
            ["ModernAuthMail:Providers:kiosk:Flow"] = "DeviceCode",
            ["ModernAuthMail:Providers:kiosk:ClientId"] = Guid.NewGuid().ToString(),
            ["ModernAuthMail:Providers:desk:Flow"] = "InteractiveBrowser",
            ["ModernAuthMail:Providers:desk:ClientId"] = Guid.NewGuid().ToString(),
        });

        // Routes name providers registered the way any app registers them: the relay host reads the same sections.
        builder.Services.AddModernAuthMail().AddFromConfiguration(builder.Configuration.GetSection("ModernAuthMail"));
        builder.Services.AddModernAuthMailRelay(builder.Configuration.GetSection("Relay"));
        using var host = builder.Build();
        var relay = Assert.Throws<OptionsValidationException>(() => host.Services.GetRequiredService<IOptions<RelayOptions>>().Value);
        var provider = Assert.Throws<OptionsValidationException>(() => host.Services.GetRequiredService<MailTokenProviderFactory>().GetProvider("contoso"));
        Assert.Contains(relay.Failures, f => f.StartsWith("Relay:Delivery:RateLimitCount:", StringComparison.Ordinal));
        Assert.Contains(relay.Failures, f => f.StartsWith("Relay:Routes:1:Provider:", StringComparison.Ordinal) && f.Contains("ModernAuthMail:Providers:kiosk:DisableInteractiveSignIn", StringComparison.Ordinal));
        Assert.Contains(relay.Failures, f => f.StartsWith("Relay:Routes:2:Provider:", StringComparison.Ordinal) && f.Contains("interactive browser flow", StringComparison.Ordinal) && f.Contains("ModernAuthMail:Providers:desk:DisableInteractiveSignIn", StringComparison.Ordinal));
        Assert.Contains(provider.Failures, f => f.StartsWith("ModernAuthMail:Providers:contoso:ClientSecret is missing", StringComparison.Ordinal));
        await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());
    }

    [Fact]
    public void Pacer_AllowsTheLimitPerWindow_ThenWaitsForTheWindow()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var pacer = new MailboxPacer(30, TimeSpan.FromMinutes(1), time);
        for (var i = 0; i < 30; i++)
        {
            Assert.Equal(TimeSpan.Zero, pacer.Delay());
            pacer.Record();
            time.Advance(TimeSpan.FromSeconds(1));
        }

        Assert.Equal(TimeSpan.FromSeconds(30), pacer.Delay());
        time.Advance(TimeSpan.FromSeconds(30));
        Assert.Equal(TimeSpan.Zero, pacer.Delay());
    }

    [Fact]
    public async Task Pacer_WaitAsync_CompletesWhenTheFakeClockPassesTheWindow()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var pacer = new MailboxPacer(1, TimeSpan.FromMinutes(1), time);
        pacer.Record();
        var waiting = pacer.WaitAsync(default);
        Assert.False(waiting.IsCompleted);
        time.Advance(TimeSpan.FromSeconds(59));
        Assert.False(waiting.IsCompleted);
        time.Advance(TimeSpan.FromSeconds(1));
        await waiting.WaitAsync(TimeSpan.FromSeconds(5));
    }

    [Fact]
    public void SpoolRecover_DeletesHalfWrittenFiles_AndMovesUnreadableOnesToDeadLetters()
    {
        var root = Directory.CreateTempSubdirectory("relay-spool-").FullName;
        try
        {
            var time = new FakeTimeProvider(DateTimeOffset.Parse("2026-05-01T10:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
            var store = new SpoolStore(root, archiveDelivered: false, time);
            Assert.Empty(store.Recover());
            var id = store.NewId();
            store.Commit(new SpoolEnvelope(id, "a@contoso.test", new[] { "b@contoso.test" }, "network:127.0.0.1", time.GetUtcNow(), 5, false), new ReadOnlySequence<byte>(Encoding.ASCII.GetBytes("hello")));
            File.WriteAllText(Path.Combine(root, "tmp", "half.msg"), "{\"v\":1");
            File.WriteAllText(Path.Combine(root, "queue", "orphan.state"), "{}");
            File.WriteAllText(Path.Combine(root, "queue", "broken.msg"), "no envelope here");
            store.SaveState(id, new SpoolState(2, time.GetUtcNow().AddMinutes(1), "451 4.3.0 try later", "upstream_temporary", time.GetUtcNow()));

            var recovered = store.Recover();
            var (envelope, state) = Assert.Single(recovered);
            Assert.Equal(id, envelope.Id);
            Assert.Equal(2, state.Attempts);
            Assert.Empty(Directory.EnumerateFiles(Path.Combine(root, "tmp")));
            Assert.False(File.Exists(Path.Combine(root, "queue", "orphan.state")));
            Assert.True(File.Exists(Path.Combine(root, "dead", "broken.msg")));
            using (var message = store.OpenMessage(id))
            using (var reader = new StreamReader(message))
            {
                Assert.Equal("hello", reader.ReadToEnd());
            }

            time.Advance(TimeSpan.FromMinutes(5));
            var entry = Assert.Single(new RelaySpool(root, time).GetQueueAsync().Result);
            Assert.Equal(TimeSpan.FromMinutes(5), entry.Age);
            Assert.Equal("upstream_temporary", entry.LastErrorCode);
            Assert.Equal(1, entry.RecipientCount);

            store.Complete(id);
            Assert.Empty(Directory.EnumerateFiles(Path.Combine(root, "queue")));
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }
}
