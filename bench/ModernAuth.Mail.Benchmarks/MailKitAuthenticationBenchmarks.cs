using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using MailKit.Net.Imap;
using MailKit.Net.Smtp;
using MailKit.Security;
using MimeKit;
using ModernAuth.Mail.MailKit;
using ModernAuth.Mail.Shared;
using ModernAuth.Mail.Testing;

namespace ModernAuth.Mail.Benchmarks;

/// <summary>
/// The MailKit adapter against the real Dovecot and Postfix of <c>eng/test-servers.sh start</c>, in one run:
/// <list type="bullet">
/// <item>connect + authenticate: XOAUTH2 through <see cref="MailKitConnector"/> with a cached app-only token, against
/// MailKit's own <c>AuthenticateAsync(user, password)</c> (SASL PLAIN) for the servers' password user;</item>
/// <item>messages per second over one authenticated SMTP connection: a client connected by the adapter against one
/// authenticated by hand with MailKit's <see cref="SaslMechanismOAuth2"/>.</item>
/// </list>
/// </summary>
[MemoryDiagnoser]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
public class MailKitAuthenticationBenchmarks
{
    private const string TlsConnect = "ConnectAuthenticate";
    private const string SmtpSend = "SmtpSendOneMessage";

    private TestServers _servers = null!;
    private RealServerIdentity _identity = null!;
    private ClientSecretTokenProvider _provider = null!;
    private string _mailbox = string.Empty;
    private SmtpClient _adapterSmtp = null!;
    private SmtpClient _rawSmtp = null!;
    private MimeMessage _message = null!;

    [GlobalSetup]
    public async Task SetupAsync()
    {
        _servers = TestServers.Load();
        _identity = await RealServerIdentity.CreateAsync(_servers);
        _provider = _identity.Provider;
        _mailbox = _identity.Mailbox;

        // The measured connections use the cached token, as a long-running app does.
        var token = _identity.SmtpToken;

        _adapterSmtp = await MailKitConnector.ConnectSmtpAsync(_provider, _mailbox, options: Options(_servers, MailProtocol.Smtp));
        _rawSmtp = new SmtpClient { ServerCertificateValidationCallback = _servers.TrustServerCertificate, CheckCertificateRevocation = false };
        await _rawSmtp.ConnectAsync(_servers.Host, _servers.SubmissionPort, SecureSocketOptions.StartTls);
        await _rawSmtp.AuthenticateAsync(new SaslMechanismOAuth2(_mailbox, token.Token));

        _message = new MimeMessage();
        _message.From.Add(MailboxAddress.Parse(_mailbox));
        _message.To.Add(MailboxAddress.Parse(_mailbox));
        _message.Subject = "Benchmark";
        _message.Body = new TextPart("plain") { Text = "One small message of a benchmark run." };
    }

    [GlobalCleanup]
    public async Task CleanupAsync()
    {
        await _adapterSmtp.DisconnectAsync(quit: true);
        await _rawSmtp.DisconnectAsync(quit: true);
        _adapterSmtp.Dispose();
        _rawSmtp.Dispose();
        await _identity.DisposeAsync();
    }

    [Benchmark(Baseline = true, Description = "IMAP connect + PLAIN password")]
    [BenchmarkCategory(TlsConnect)]
    public async Task ImapPasswordAsync()
    {
        using var imap = new ImapClient { ServerCertificateValidationCallback = _servers.TrustServerCertificate, CheckCertificateRevocation = false };
        await imap.ConnectAsync(_servers.Host, _servers.ImapsPort, SecureSocketOptions.SslOnConnect);
        await imap.AuthenticateAsync(_servers.PasswordUser!, _servers.Password!);
        await imap.DisconnectAsync(quit: true);
    }

    [Benchmark(Description = "IMAP connect + XOAUTH2 adapter")]
    [BenchmarkCategory(TlsConnect)]
    public async Task ImapAdapterAsync()
    {
        using var imap = await MailKitConnector.ConnectImapAsync(_provider, _mailbox, options: Options(_servers, MailProtocol.Imap));
        await imap.DisconnectAsync(quit: true);
    }

    // Separates what the adapter adds from what XOAUTH2 costs the server: the same token, by hand.
    [Benchmark(Description = "IMAP connect + XOAUTH2 raw MailKit")]
    [BenchmarkCategory(TlsConnect)]
    public async Task ImapRawXOAuth2Async()
    {
        var token = await _provider.GetTokenAsync(new MailTokenRequest(MailProtocol.Imap, _mailbox));
        using var imap = new ImapClient { ServerCertificateValidationCallback = _servers.TrustServerCertificate, CheckCertificateRevocation = false };
        await imap.ConnectAsync(_servers.Host, _servers.ImapsPort, SecureSocketOptions.SslOnConnect);
        await imap.AuthenticateAsync(new SaslMechanismOAuth2(_mailbox, token.Token));
        await imap.DisconnectAsync(quit: true);
    }

    [Benchmark(Baseline = true, Description = "SMTP send, raw MailKit XOAUTH2")]
    [BenchmarkCategory(SmtpSend)]
    public Task<string> SmtpSendRawAsync() => _rawSmtp.SendAsync(_message);

    [Benchmark(Description = "SMTP send, adapter")]
    [BenchmarkCategory(SmtpSend)]
    public Task<string> SmtpSendAdapterAsync() => _adapterSmtp.SendAsync(_message);

    /// <summary>
    /// The same operations, interleaved: round after round, each operation once, in rotating order. On a shared machine
    /// the load changes between BenchmarkDotNet's sequential runs by more than the few percent compared here; measured
    /// side by side, every operation sees the same load. Prints medians and means. Run with
    /// <c>dotnet run -c Release -- mailkit-interleaved [rounds]</c>.
    /// </summary>
    /// <param name="rounds">How many rounds (default 200).</param>
    /// <param name="output">Where to print.</param>
    /// <returns>A task.</returns>
    public static async Task RunInterleavedAsync(int rounds, TextWriter output)
    {
        var bench = new MailKitAuthenticationBenchmarks();
        await bench.SetupAsync();
        try
        {
            await CompareAsync(rounds, output, ("IMAP connect + PLAIN password", bench.ImapPasswordAsync), ("IMAP connect + XOAUTH2 adapter", bench.ImapAdapterAsync), ("IMAP connect + XOAUTH2 raw MailKit", bench.ImapRawXOAuth2Async));
            await CompareAsync(rounds * 5, output, ("SMTP send, raw MailKit XOAUTH2", bench.SmtpSendRawAsync), ("SMTP send, adapter", bench.SmtpSendAdapterAsync));
        }
        finally
        {
            await bench.CleanupAsync();
        }
    }

    internal static async Task CompareAsync(int rounds, TextWriter output, params (string Name, Func<Task> Run)[] operations)
    {
        var times = operations.Select(_ => new List<double>(rounds)).ToArray();
        for (var warmup = 0; warmup < Math.Max(10, rounds / 10); warmup++)
        {
            foreach (var operation in operations)
            {
                await operation.Run();
            }
        }

        for (var round = 0; round < rounds; round++)
        {
            for (var i = 0; i < operations.Length; i++)
            {
                var k = (i + round) % operations.Length;
                var started = System.Diagnostics.Stopwatch.GetTimestamp();
                await operations[k].Run();
                times[k].Add(System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            }
        }

        var baseline = Median(times[0]);
        output.WriteLine($"{"Operation",-36} {"Median ms",10} {"Mean ms",9} {"Ratio",6}  ({rounds} rounds)");
        for (var i = 0; i < operations.Length; i++)
        {
            var median = Median(times[i]);
            output.WriteLine(FormattableString.Invariant($"{operations[i].Name,-36} {median,10:F3} {times[i].Average(),9:F3} {median / baseline,6:F3}"));
        }

        output.WriteLine();
    }

    private static double Median(List<double> values)
    {
        var sorted = values.OrderBy(v => v).ToArray();
        return sorted[sorted.Length / 2];
    }

    private static MailKitConnectOptions Options(TestServers servers, MailProtocol protocol) => new()
    {
        Host = servers.Host,
        Port = protocol == MailProtocol.Smtp ? servers.SubmissionPort : servers.ImapsPort,
        TlsMode = protocol == MailProtocol.Smtp ? MailTlsMode.StartTls : MailTlsMode.Implicit,
        ServerCertificateValidationCallback = servers.TrustServerCertificate,
        CheckCertificateRevocation = false,
    };
}
