using ModernAuth.Mail.Shared;

namespace ModernAuth.Mail.Cli.Tests.Support;

/// <summary>
/// The real servers of <c>eng/test-servers.sh start</c> (which <c>eng/test.sh</c> runs), read with the CLI's own
/// <see cref="TestServers"/>. When they are not running, every test that needs them fails with the command that starts
/// them: a sandbox test that skips proves nothing.
/// </summary>
public sealed class SandboxServersFixture
{
    public SandboxServersFixture()
    {
        Servers = TestServers.Load();
        Servers.EnsureListening(Servers.ImapsPort, Servers.Pop3sPort, Servers.SubmissionPort);
    }

    internal TestServers Servers { get; }
}

[CollectionDefinition(Name)]
public sealed class SandboxCollection : ICollectionFixture<SandboxServersFixture>
{
    public const string Name = "sandbox servers";
}
