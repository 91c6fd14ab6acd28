using System.Net.Sockets;
using System.Text.Json;

namespace ModernAuth.Mail.Cli.Tests.Support;

/// <summary>
/// The real servers of <c>eng/test-servers.sh start</c> (which <c>eng/test.sh</c> runs). When they are not running,
/// every test that needs them fails with the command that starts them: a sandbox test that skips proves nothing.
/// </summary>
public sealed class SandboxServersFixture
{
    public SandboxServersFixture()
    {
        var dir = Environment.GetEnvironmentVariable("MODERNAUTH_MAIL_SERVERS_DIR");
        ServersDirectory = string.IsNullOrWhiteSpace(dir) ? "/tmp/modernauth-mail-servers" : dir;
        var path = Path.Combine(ServersDirectory, "servers.json");
        if (!File.Exists(path))
        {
            throw new InvalidOperationException($"The local mail servers are not running: {path} does not exist. Run `eng/test-servers.sh start` (as root) from the repository root first; eng/test.sh does it.");
        }

        using var json = JsonDocument.Parse(File.ReadAllText(path));
        var root = json.RootElement;
        Host = root.GetProperty("host").GetString()!;
        var ports = root.GetProperty("ports");
        Imaps = ports.GetProperty("imaps").GetInt32();
        Pop3s = ports.GetProperty("pop3s").GetInt32();
        Submission = ports.GetProperty("submission").GetInt32();
        TenantId = root.GetProperty("tenantId").GetString()!;
        TlsCertificate = root.GetProperty("tls").GetProperty("certificate").GetString()!;
        foreach (var port in new[] { Imaps, Pop3s, Submission })
        {
            using var client = new TcpClient();
            try
            {
                client.Connect(Host, port);
            }
            catch (SocketException error)
            {
                throw new InvalidOperationException($"The local mail servers are not running: {Host}:{port} refused the connection ({error.SocketErrorCode}). Run `eng/test-servers.sh start` first; eng/test.sh does it.");
            }
        }
    }

    public string ServersDirectory { get; }

    public string Host { get; }

    public int Imaps { get; }

    public int Pop3s { get; }

    public int Submission { get; }

    public string TenantId { get; }

    public string TlsCertificate { get; }
}

[CollectionDefinition(Name)]
public sealed class SandboxCollection : ICollectionFixture<SandboxServersFixture>
{
    public const string Name = "sandbox servers";
}
