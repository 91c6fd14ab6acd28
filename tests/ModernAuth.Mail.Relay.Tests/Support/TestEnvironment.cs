using System.Diagnostics;
using MailKit;
using MailKit.Net.Imap;
using MailKit.Search;
using MimeKit;
using ModernAuth.Mail.MailKit;
using ModernAuth.Mail.Testing;

namespace ModernAuth.Mail.Relay.Tests.Support;

/// <summary>
/// One test's world: a fake Entra ID signing with the servers' key, an app registered in it, a spool directory of its
/// own, relay options pointing at the real Postfix, and IMAP read-back from Dovecot.
/// </summary>
public sealed class TestEnvironment : IAsyncDisposable
{
    private readonly List<RelayServer> _relays = new();
    private readonly System.Security.Cryptography.RSA _signingKey;

    public TestEnvironment(MailServers servers)
    {
        Servers = servers;
        _signingKey = servers.CreateSigningKey();
        Entra = new FakeEntraId(new FakeEntraIdOptions { SigningKey = _signingKey, KeyId = servers.KeyId });
        Entra.RegisterApplication(servers.TenantId, ClientId).WithSecret(Secret);
        Provider = new RecordingTokenProvider(new ClientSecretTokenProvider(servers.TenantId, ClientId, Secret, new ClientSecretTokenProviderOptions().UseFakeEntraId(Entra)));
        SpoolDirectory = Directory.CreateTempSubdirectory("modernauth-relay-test-").FullName;
    }

    public MailServers Servers { get; }

    public FakeEntraId Entra { get; }

    public string ClientId { get; } = Guid.NewGuid().ToString();

    public string Secret { get; } = "secret-" + Guid.NewGuid().ToString("N");

    public RecordingTokenProvider Provider { get; }

    public string SpoolDirectory { get; }

    public CapturingLoggerFactory Logs { get; } = new();

    /// <summary>Options every test starts from: loopback listener on a free port, allowed loopback network, upstream Postfix.</summary>
    public RelayOptions CreateOptions(bool network = true)
    {
        var options = new RelayOptions
        {
            SpoolDirectory = SpoolDirectory,
            IdleTimeout = TimeSpan.FromSeconds(20),
            CommandTimeout = TimeSpan.FromSeconds(20),
            Upstream =
            {
                Host = Servers.Host,
                Port = Servers.SubmissionPort,
                TlsMode = MailTlsMode.StartTls,
                TrustedCertificatePath = Servers.CertificatePath,
                Timeout = TimeSpan.FromSeconds(20),
            },
            Delivery =
            {
                InitialRetryDelay = TimeSpan.FromMilliseconds(200),
                MaxRetryDelay = TimeSpan.FromSeconds(1),
                RateLimitCount = 0,
            },
        };
        options.Listen.Add("127.0.0.1:0");
        if (network)
        {
            var allowed = new RelayNetworkOptions { Name = "loopback" };
            allowed.Ranges.Add("127.0.0.0/8");
            allowed.AllowedSenders.Add("@contoso.test");
            options.Networks.Add(allowed);
        }

        var route = new RelayRouteOptions { Provider = "test" };
        route.Senders.Add("*");
        options.Routes.Add(route);
        options.TokenProviders["test"] = Provider;
        return options;
    }

    public static RelayAccountOptions Account(string user, string password, params string[] senders)
    {
        var account = new RelayAccountOptions { UserName = user, PasswordHash = RelayPasswordHasher.HashPassword(password, RelayPasswordHasher.MinimumIterations) };
        foreach (var sender in senders)
        {
            account.AllowedSenders.Add(sender);
        }

        return account;
    }

    public async Task<RelayServer> StartRelayAsync(RelayOptions options, TimeProvider? timeProvider = null, System.Diagnostics.Metrics.IMeterFactory? meters = null)
    {
        var relay = new RelayServer(options, Logs, timeProvider, meters);
        _relays.Add(relay);
        await relay.StartAsync();
        return relay;
    }

    /// <summary>Waits until a message with the subject is in the mailbox (app-only IMAP, XOAUTH2), and returns it.</summary>
    public async Task<MimeMessage> WaitForMessageAsync(string mailbox, string subject, TimeSpan? timeout = null)
    {
        var found = await WaitForMessagesAsync(mailbox, subject, 1, timeout);
        return found[0];
    }

    public async Task<IReadOnlyList<MimeMessage>> WaitForMessagesAsync(string mailbox, string subjectPart, int count, TimeSpan? timeout = null)
    {
        var deadline = Stopwatch.StartNew();
        var limit = timeout ?? TimeSpan.FromSeconds(30);
        while (true)
        {
            IReadOnlyList<MimeMessage> messages;
            try
            {
                messages = await ReadAsync(mailbox, subjectPart);
            }
            catch (MailAuthenticationException ex) when (ex.IsRetryable)
            {
                // A test that makes the token service fail makes the reader's token requests fail too: poll on.
                messages = Array.Empty<MimeMessage>();
            }

            if (messages.Count >= count)
            {
                return messages;
            }

            if (deadline.Elapsed > limit)
            {
                throw new TimeoutException($"{messages.Count} of {count} message(s) with '{subjectPart}' arrived in {mailbox} within {limit.TotalSeconds} s.");
            }

            await Task.Delay(150);
        }
    }

    public async Task<IReadOnlyList<MimeMessage>> ReadAsync(string mailbox, string subjectPart)
    {
        var options = new MailKitConnectOptions
        {
            Host = Servers.Host,
            Port = Servers.ImapsPort,
            TlsMode = MailTlsMode.Implicit,
            ServerCertificateValidationCallback = Servers.TrustServerCertificate,
            CheckCertificateRevocation = false,
            Timeout = TimeSpan.FromSeconds(20),
        };
        using var imap = await MailKitConnector.ConnectImapAsync(Provider.Inner, mailbox, options);
        await imap.Inbox.OpenAsync(FolderAccess.ReadOnly);
        var uids = await imap.Inbox.SearchAsync(SearchQuery.SubjectContains(subjectPart));
        var result = new List<MimeMessage>();
        foreach (var uid in uids)
        {
            result.Add(await imap.Inbox.GetMessageAsync(uid));
        }

        await imap.DisconnectAsync(true);
        return result;
    }

    /// <summary>Polls a condition with a bounded timeout (no fixed sleeps).</summary>
    public static async Task WaitUntilAsync(Func<Task<bool>> condition, string what, TimeSpan? timeout = null)
    {
        var deadline = Stopwatch.StartNew();
        var limit = timeout ?? TimeSpan.FromSeconds(30);
        while (!await condition())
        {
            if (deadline.Elapsed > limit)
            {
                throw new TimeoutException($"Not within {limit.TotalSeconds} s: {what}.");
            }

            await Task.Delay(50);
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var relay in _relays)
        {
            await relay.DisposeAsync();
        }

        Entra.Dispose();
        _signingKey.Dispose();
        try
        {
            Directory.Delete(SpoolDirectory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

/// <summary>A provider that remembers every token it handed out, so tests can look for them in logs.</summary>
public sealed class RecordingTokenProvider : MailTokenProvider
{
    private readonly System.Collections.Concurrent.ConcurrentBag<string> _tokens = new();

    public RecordingTokenProvider(MailTokenProvider inner) => Inner = inner;

    public MailTokenProvider Inner { get; }

    public IReadOnlyCollection<string> Tokens => _tokens;

    public override bool IsAppOnly => Inner.IsAppOnly;

    public override async ValueTask<MailAccessToken> GetTokenAsync(MailTokenRequest request, CancellationToken cancellationToken = default)
    {
        var token = await Inner.GetTokenAsync(request, cancellationToken);
        _tokens.Add(token.Token);
        return token;
    }
}
