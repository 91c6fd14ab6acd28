using System.Text;
using MailKit;
using ModernAuth.Mail.MailKit.Tests.Support;

namespace ModernAuth.Mail.MailKit.Tests.Logging;

public sealed class MailKitProtocolLoggerTests
{
    private const string Secret = "dXNlcj1hZGVsZUBjb250b3NvLmNvbQFhdXRoPUJlYXJlciBleUowZVhBaU9pSktWMVFp";

    [Fact]
    public void LogClient_DuringAuthenticationSplitAnywhere_KeepsCommandMasksEverythingElse()
    {
        var line = $"A00000001 AUTHENTICATE XOAUTH2 {Secret}\r\n";
        for (var split = 1; split < line.Length; split++)
        {
            var inner = new CapturingProtocolLogger();
            using var logger = new MailKitProtocolLogger(inner);
            logger.BeginAuthentication();

            Client(logger, line[..split]);
            Client(logger, line[split..]);
            Server(logger, "+ eyJzdGF0dXMiOiI0MDEifQ==\r\n");
            Client(logger, "\r\n");

            Assert.DoesNotContain(Secret[..8], inner.Text, StringComparison.Ordinal);
            Assert.Contains(MailKitProtocolLogger.Mask, inner.Text, StringComparison.Ordinal);
            if (split > "A00000001 AUTHENTICATE XOAUTH2 ".Length)
            {
                Assert.Contains("C: A00000001 AUTHENTICATE XOAUTH2 ********", inner.Text, StringComparison.Ordinal);
            }
        }
    }

    [Fact]
    public void LogClient_PopTokenOnItsOwnLine_Masked()
    {
        var inner = new CapturingProtocolLogger();
        using var logger = new MailKitProtocolLogger(inner);
        logger.BeginAuthentication();

        Client(logger, "AUTH XOAUTH2\r\n");
        Server(logger, "+ \r\n");
        Client(logger, Secret + "\r\n");
        Server(logger, "-ERR [AUTH] Authentication failed.\r\n");
        Client(logger, "QUIT\r\n");
        var lines = logger.EndAuthentication();

        Assert.Contains("C: AUTH XOAUTH2\r\n", inner.Text, StringComparison.Ordinal);
        Assert.Contains("C: ********\r\n", inner.Text, StringComparison.Ordinal);
        Assert.DoesNotContain(Secret[..8], inner.Text, StringComparison.Ordinal);
        // After the final reply the exchange is over: QUIT is no secret.
        Assert.Contains("C: QUIT", inner.Text, StringComparison.Ordinal);
        Assert.Equal(new[] { "+ ", "-ERR [AUTH] Authentication failed." }, lines);
    }

    [Fact]
    public void LogServer_LinesSplitAcrossReads_CapturedWholeUntilTheFinalReply()
    {
        using var logger = new MailKitProtocolLogger();
        Server(logger, "* OK greeting before authentication\r\n");
        logger.BeginAuthentication();

        Server(logger, "+ eyJzdGF0dXMiOiI0");
        Server(logger, "MDEifQ==\r\nA1 NO [AUTHENTICATIONFAILED] Auth");
        Server(logger, "entication failed.\r\n* BYE after\r\n");

        Assert.Equal(new[] { "+ eyJzdGF0dXMiOiI0MDEifQ==", "A1 NO [AUTHENTICATIONFAILED] Authentication failed." }, logger.EndAuthentication());
    }

    [Fact]
    public void LogClient_OutsideAuthenticationWithoutDetector_PassedThroughUnchanged()
    {
        var inner = new CapturingProtocolLogger();
        using var logger = new MailKitProtocolLogger(inner);

        Client(logger, "A1 SELECT INBOX\r\n");

        Assert.Contains("C: A1 SELECT INBOX\r\n", inner.Text, StringComparison.Ordinal);
    }

    [Fact]
    public void LogClient_OutsideAuthenticationWithDetector_MasksWhatTheDetectorFinds()
    {
        var inner = new CapturingProtocolLogger();
        using var logger = new MailKitProtocolLogger(inner) { AuthenticationSecretDetector = new WordDetector("hunter2") };

        Client(logger, "A1 LOGIN adele hunter2\r\nA2 NOOP\r\n");

        Assert.Contains("C: A1 LOGIN adele ********\r\nC: A2 NOOP\r\n", inner.Text, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2", inner.Text, StringComparison.Ordinal);
    }

    [Fact]
    public void Dispose_DisposesInnerAndLogConnectRemembersUri()
    {
        var inner = new DisposeCounter();
        var logger = new MailKitProtocolLogger(inner);
        logger.LogConnect(new Uri("imaps://outlook.office365.com:993"));

        logger.Dispose();
        logger.Dispose();

        Assert.Equal(1, inner.Disposed);
        Assert.Equal(new Uri("imaps://outlook.office365.com:993"), logger.LastConnectedUri);
    }

    private static void Client(IProtocolLogger logger, string text)
    {
        var bytes = Encoding.ASCII.GetBytes(text);
        logger.LogClient(bytes, 0, bytes.Length);
    }

    private static void Server(IProtocolLogger logger, string text)
    {
        var bytes = Encoding.ASCII.GetBytes(text);
        logger.LogServer(bytes, 0, bytes.Length);
    }

    private sealed class WordDetector(string word) : IAuthenticationSecretDetector
    {
        public IList<AuthenticationSecret> DetectSecrets(byte[] buffer, int offset, int count)
        {
            var text = Encoding.ASCII.GetString(buffer, offset, count);
            var at = text.IndexOf(word, StringComparison.Ordinal);
            return at < 0 ? Array.Empty<AuthenticationSecret>() : new[] { new AuthenticationSecret(offset + at, word.Length) };
        }
    }

    private sealed class DisposeCounter : IProtocolLogger
    {
        public int Disposed { get; private set; }

        public IAuthenticationSecretDetector? AuthenticationSecretDetector { get; set; }

        public void LogConnect(Uri uri)
        {
        }

        public void LogClient(byte[] buffer, int offset, int count)
        {
        }

        public void LogServer(byte[] buffer, int offset, int count)
        {
        }

        public void Dispose() => Disposed++;
    }
}
