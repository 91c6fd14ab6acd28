using System.Buffers;
using System.Net;
using System.Runtime.InteropServices;
using System.Text;
using Microsoft.Extensions.Time.Testing;
using ModernAuth.Mail.Relay.Internal;
using ModernAuth.Mail.Relay.Tests.Support;

namespace ModernAuth.Mail.Relay.Tests;

/// <summary>Where a message is made durable, and what happens when the disk, the memory or the process fails.</summary>
[Collection(RelayCollection.Name)]
public sealed partial class DurabilityTests(MailServers servers)
{
    [Fact]
    public void FsyncDirectory_ChecksEveryReturnValue()
    {
        var missing = Path.Combine(Path.GetTempPath(), "modernauth-relay-missing-" + Guid.NewGuid().ToString("N"));
        Assert.Throws<IOException>(() => NativeFileSystem.FsyncDirectory(missing));
        NativeFileSystem.FsyncDirectory(Path.GetTempPath());
    }

    [Fact]
    public async Task DirectoryFsyncFails_TheClientGets451_NeverA250_AndNothingIsQueued()
    {
        await using var env = new TestEnvironment(servers);
        var relay = new RelayServer(env.CreateOptions(), env.Logs)
        {
            // The real syscall, on a directory that is not there: open() fails as a failing disk would.
            SyncDirectoryOverride = path => NativeFileSystem.FsyncDirectory(Path.Combine(path, "gone")),
        };
        await using var _ = relay;
        await relay.StartAsync();
        await using var raw = await RawSmtpClient.ConnectAsync(relay.Endpoints[0]);
        await raw.ReadReplyAsync();
        await raw.CommandAsync("EHLO device");
        await raw.CommandAsync("MAIL FROM:<a@contoso.test>");
        await raw.CommandAsync("RCPT TO:<b@contoso.test>");
        await raw.CommandAsync("DATA");
        Assert.StartsWith("451 4.3.0", await raw.CommandAsync("Subject: durable?\r\n\r\nbody\r\n."));
        Assert.Empty(await relay.Spool.GetQueueAsync());
        Assert.Empty(Directory.EnumerateFiles(Path.Combine(env.SpoolDirectory, "queue")));
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public async Task SpoolFilesAndDirectories_ArePrivate_UnderUmask022()
    {
        await using var env = new TestEnvironment(servers);
        var previous = Umask(Convert.ToUInt32("022", 8));
        try
        {
            await using var proxy = new SwitchableProxy(servers.Host, servers.SubmissionPort);
            var options = env.CreateOptions();
            options.Upstream.Port = proxy.Port; // closed: the message stays queued, with a .state file
            var relay = await env.StartRelayAsync(options);
            await EndToEndTests.SendAsync(relay, EndToEndTests.Message("a@contoso.test", "b@contoso.test", "Modes"));
            await TestEnvironment.WaitUntilAsync(async () => (await relay.Spool.GetQueueAsync()) is { Count: 1 } q && q[0].Attempts >= 1, "the message waits with a state file");
            const UnixFileMode Private = UnixFileMode.UserRead | UnixFileMode.UserWrite;
            foreach (var directory in new[] { env.SpoolDirectory, Path.Combine(env.SpoolDirectory, "queue"), Path.Combine(env.SpoolDirectory, "tmp"), Path.Combine(env.SpoolDirectory, "dead") })
            {
                Assert.Equal(Private | UnixFileMode.UserExecute, File.GetUnixFileMode(directory));
            }

            var files = Directory.EnumerateFiles(Path.Combine(env.SpoolDirectory, "queue")).ToList();
            Assert.Contains(files, f => f.EndsWith(".msg", StringComparison.Ordinal));
            Assert.Contains(files, f => f.EndsWith(".state", StringComparison.Ordinal));
            Assert.All(files, f => Assert.Equal(Private, File.GetUnixFileMode(f)));
        }
        finally
        {
            Umask(previous);
        }
    }

    [Fact]
    public void Recover_TakesACompleteTmpFileIntoTheQueue_AndDeadLettersTruncatedOnes()
    {
        var root = Directory.CreateTempSubdirectory("relay-spool-").FullName;
        try
        {
            var time = new FakeTimeProvider(DateTimeOffset.Parse("2026-05-01T10:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
            var store = new SpoolStore(root, archiveDelivered: false, time);
            store.Recover();
            static byte[] File(SpoolEnvelope envelope, string body) => envelope.ToJsonLine().Concat(Encoding.ASCII.GetBytes(body)).ToArray();
            var complete = new SpoolEnvelope("20260501T100000000-complete", "a@contoso.test", new[] { "b@contoso.test" }, "network:127.0.0.1", time.GetUtcNow(), 5, false);
            var cutTmp = complete with { Id = "20260501T100000000-cuttmp", Size = 500 };
            var cutQueue = complete with { Id = "20260501T100000000-cutqueue", Size = 500 };
            System.IO.File.WriteAllBytes(Path.Combine(root, "tmp", complete.Id + ".msg"), File(complete, "hello"));
            System.IO.File.WriteAllBytes(Path.Combine(root, "tmp", cutTmp.Id + ".msg"), File(cutTmp, "only a part"));
            System.IO.File.WriteAllBytes(Path.Combine(root, "queue", cutQueue.Id + ".msg"), File(cutQueue, "only a part"));

            var recovered = store.Recover();
            var (envelope, _) = Assert.Single(recovered);
            Assert.Equal(complete.Id, envelope.Id);
            Assert.Equal(1, store.RecoveredFromTemp);
            Assert.Empty(Directory.EnumerateFiles(Path.Combine(root, "tmp")));
            var dead = new RelaySpool(root, time).GetDeadLettersAsync().Result;
            Assert.Equal(new[] { cutQueue.Id, cutTmp.Id }, dead.Select(d => d.Id).Order(StringComparer.Ordinal));
            Assert.All(dead, d => Assert.Equal("corrupt", d.LastErrorCode));
            Assert.All(dead, d => Assert.Contains("truncated", d.LastError, StringComparison.Ordinal));
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [Fact]
    public async Task CompleteTmpFile_LeftByACrash_IsDeliveredAfterTheStart()
    {
        await using var env = new TestEnvironment(servers);
        var recipient = MailServers.NewMailbox("to");
        var subject = "FromTmp " + Guid.NewGuid().ToString("N");
        var body = Encoding.ASCII.GetBytes($"From: {MailServers.NewMailbox("s")}\r\nTo: {recipient}\r\nSubject: {subject}\r\n\r\nwritten and flushed, renamed never\r\n");
        Directory.CreateDirectory(Path.Combine(env.SpoolDirectory, "tmp"));
        var envelope = new SpoolEnvelope("20260501T100000000-crashed", "s@contoso.test", new[] { recipient }, "network:127.0.0.1", DateTimeOffset.UtcNow, body.Length, false);
        File.WriteAllBytes(Path.Combine(env.SpoolDirectory, "tmp", envelope.Id + ".msg"), envelope.ToJsonLine().Concat(body).ToArray());
        await env.StartRelayAsync(env.CreateOptions());
        await env.WaitForMessageAsync(recipient, subject);
        Assert.Contains(env.Logs.Entries, e => e.Id.Id == 4020);
    }

    [Fact]
    public async Task FreeSpaceFloor_Answers452_4_3_1_AtMailFrom()
    {
        await using var env = new TestEnvironment(servers);
        var options = env.CreateOptions();
        options.MinimumFreeDiskSpace = long.MaxValue / 4;
        var relay = await env.StartRelayAsync(options);
        await using var raw = await RawSmtpClient.ConnectAsync(relay.Endpoints[0]);
        await raw.ReadReplyAsync();
        await raw.CommandAsync("EHLO device");
        Assert.StartsWith("452 4.3.1", await raw.CommandAsync("MAIL FROM:<a@contoso.test>"));
    }

    [Fact]
    public async Task FullQueue_Answers452_4_3_1_AndTheQueuedMessageStays()
    {
        await using var env = new TestEnvironment(servers);
        await using var proxy = new SwitchableProxy(servers.Host, servers.SubmissionPort);
        var options = env.CreateOptions();
        options.Upstream.Port = proxy.Port;
        options.MaxQueuedMessages = 1;
        var relay = await env.StartRelayAsync(options);
        await EndToEndTests.SendAsync(relay, EndToEndTests.Message("a@contoso.test", "b@contoso.test", "First"));
        await using var raw = await RawSmtpClient.ConnectAsync(relay.Endpoints[0]);
        await raw.ReadReplyAsync();
        await raw.CommandAsync("EHLO device");
        Assert.StartsWith("452 4.3.1", await raw.CommandAsync("MAIL FROM:<a@contoso.test>"));
        Assert.Single(await relay.Spool.GetQueueAsync());
    }

    [Fact]
    public async Task ReceiveMemoryBudget_AMessageOverItGets452_AndTheOneHoldingItIsStored()
    {
        await using var env = new TestEnvironment(servers);
        var options = env.CreateOptions();
        options.MaxMessageSize = 1024 * 1024;
        options.MaxReceiveMemory = 1024 * 1024;
        var relay = await env.StartRelayAsync(options);
        var chunk = string.Concat(Enumerable.Repeat("0123456789012345678901234567890123456789012345678901234567890123456789\r\n", 10_000)); // 720 KB

        await using var first = await RawSmtpClient.ConnectAsync(relay.Endpoints[0]);
        await first.ReadReplyAsync();
        await first.CommandAsync("EHLO one");
        await first.CommandAsync("MAIL FROM:<a@contoso.test>");
        await first.CommandAsync("RCPT TO:<b@contoso.test>");
        Assert.StartsWith("354", await first.CommandAsync("DATA"));
        await first.SendAsync("Subject: first\r\n\r\n" + chunk);
        await TestEnvironment.WaitUntilAsync(() => Task.FromResult(relay.ReceiveMemoryInUse >= 700_000), "the first message's data is held", TimeSpan.FromSeconds(10));

        await using var second = await RawSmtpClient.ConnectAsync(relay.Endpoints[0]);
        await second.ReadReplyAsync();
        await second.CommandAsync("EHLO two");
        await second.CommandAsync("MAIL FROM:<a@contoso.test>");
        await second.CommandAsync("RCPT TO:<b@contoso.test>");
        Assert.StartsWith("354", await second.CommandAsync("DATA"));
        Assert.StartsWith("452 4.3.1", await second.CommandAsync("Subject: second\r\n\r\n" + chunk + "."));
        Assert.StartsWith("250", await second.CommandAsync("NOOP"));

        Assert.StartsWith("250", await first.CommandAsync("."));
        Assert.Equal(0, relay.ReceiveMemoryInUse);
        Assert.Single(await relay.Spool.GetQueueAsync(), e => e.Size > 700_000);
    }

    [LibraryImport("libc", EntryPoint = "umask")]
    private static partial uint Umask(uint mask);
}
