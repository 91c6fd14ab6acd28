using System.Text.Json;

namespace Sandbox;

/// <summary>What eng/test-servers.sh wrote to servers.json: ports, tenant, signing key.</summary>
internal sealed record SandboxServers(string Host, int Imaps, int Submission, string TenantId, string PrivateKeyPem, string KeyId, string TlsCertificate)
{
    public static SandboxServers Load()
    {
        var path = Environment.GetEnvironmentVariable("MODERNAUTH_MAIL_SERVERS_JSON")
            ?? Path.Combine(Environment.GetEnvironmentVariable("MODERNAUTH_MAIL_SERVERS_DIR") ?? "/tmp/modernauth-mail-servers", "servers.json");
        if (!File.Exists(path))
        {
            throw new InvalidOperationException($"The local mail servers are not set up ({path} is missing). Run `eng/test-servers.sh start` first, or use `eng/sandbox.sh`, which does it.");
        }

        using var json = JsonDocument.Parse(File.ReadAllText(path));
        var root = json.RootElement;
        var ports = root.GetProperty("ports");
        var key = root.GetProperty("signingKey");
        return new SandboxServers(
            root.GetProperty("host").GetString()!,
            ports.GetProperty("imaps").GetInt32(),
            ports.GetProperty("submission").GetInt32(),
            root.GetProperty("tenantId").GetString()!,
            key.GetProperty("privateKeyPem").GetString()!,
            key.GetProperty("kid").GetString()!,
            root.GetProperty("tls").GetProperty("certificate").GetString()!);
    }
}
