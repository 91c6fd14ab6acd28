using System.Net;
using BenchmarkDotNet.Attributes;
using MimeKit;
using ModernAuth.Mail.MailKit;
using ModernAuth.Mail.Shared;
using ModernAuth.Mail.Testing;
using SystemNetMail = System.Net.Mail;

namespace ModernAuth.Mail.Benchmarks;

/// <summary>
/// One message per connection, as old System.Net.Mail code sends, against the real Postfix (STARTTLS on the submission
/// port) of <c>eng/test-servers.sh start</c>: <see cref="SystemNetMail.SmtpClient"/> with the servers' password user
/// (what the app did before), <see cref="ModernAuthSmtpClient"/> with XOAUTH2 and a cached app-only token (the drop-in),
/// and <see cref="MailKitConnector"/> connect + send + quit with the same token (the adapter it is built on).
/// </summary>
[MemoryDiagnoser]
public class SmtpClientDropInBenchmarks
{
    private TestServers _servers = null!;
    private RealServerIdentity _identity = null!;
    private ClientSecretTokenProvider _provider = null!;
    private string _mailbox = string.Empty;
    private SystemNetMail.SmtpClient _password = null!;
    private ModernAuthSmtpClient _dropIn = null!;
    private MailKitConnectOptions _options = null!;

    [GlobalSetup]
    public async Task SetupAsync()
    {
        _servers = TestServers.Load();
        _identity = await RealServerIdentity.CreateAsync(_servers);
        _provider = _identity.Provider;
        _mailbox = _identity.Mailbox;
        _options = new MailKitConnectOptions
        {
            Host = _servers.Host,
            Port = _servers.SubmissionPort,
            TlsMode = MailTlsMode.StartTls,
            ServerCertificateValidationCallback = _servers.TrustServerCertificate,
            CheckCertificateRevocation = false,
        };
#pragma warning disable SYSLIB0014 // System.Net.Mail trusts the servers' self-signed certificate only process-wide.
        ServicePointManager.ServerCertificateValidationCallback = _servers.TrustServerCertificate;
#pragma warning restore SYSLIB0014
        _password = new SystemNetMail.SmtpClient(_servers.Host, _servers.SubmissionPort) { EnableSsl = true, Credentials = new NetworkCredential(_servers.PasswordUser, _servers.Password) };
        _dropIn = new ModernAuthSmtpClient(_provider, _options);
    }

    [GlobalCleanup]
    public async Task CleanupAsync()
    {
        _password.Dispose();
        _dropIn.Dispose();
        await _identity.DisposeAsync();
    }

    [Benchmark(Baseline = true, Description = "System.Net.Mail Send, password")]
    public void PasswordSend()
    {
        using var message = new SystemNetMail.MailMessage(_mailbox, _mailbox, "Benchmark", "One small message of a benchmark run.");
        _password.Send(message);
    }

    [Benchmark(Description = "ModernAuthSmtpClient Send, XOAUTH2")]
    public void DropInSend()
    {
        using var message = new SystemNetMail.MailMessage(_mailbox, _mailbox, "Benchmark", "One small message of a benchmark run.");
        _dropIn.Send(message);
    }

    [Benchmark(Description = "MailKitConnector connect+send, XOAUTH2")]
    public async Task AdapterSendAsync()
    {
        var message = new MimeMessage { Subject = "Benchmark", Body = new TextPart("plain") { Text = "One small message of a benchmark run." } };
        message.From.Add(MailboxAddress.Parse(_mailbox));
        message.To.Add(MailboxAddress.Parse(_mailbox));
        using var smtp = await MailKitConnector.ConnectSmtpAsync(_provider, _mailbox, _options);
        await smtp.SendAsync(message);
        await smtp.DisconnectAsync(quit: true);
    }

    /// <summary>
    /// The three, interleaved round after round in rotating order so each sees the same load on a shared machine. Run with
    /// <c>dotnet run -c Release -- smtpclient-interleaved [rounds]</c>.
    /// </summary>
    /// <param name="rounds">How many rounds (default 200).</param>
    /// <param name="output">Where to print.</param>
    /// <returns>A task.</returns>
    public static async Task RunInterleavedAsync(int rounds, TextWriter output)
    {
        var bench = new SmtpClientDropInBenchmarks();
        await bench.SetupAsync();
        try
        {
            await MailKitAuthenticationBenchmarks.CompareAsync(
                rounds,
                output,
                ("System.Net.Mail Send, password", () => Task.Run(bench.PasswordSend)),
                ("ModernAuthSmtpClient Send, XOAUTH2", () => Task.Run(bench.DropInSend)),
                ("MailKitConnector connect+send, XOAUTH2", bench.AdapterSendAsync));
        }
        finally
        {
            await bench.CleanupAsync();
        }
    }
}
