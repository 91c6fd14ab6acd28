using System.Text.Json;

namespace ModernAuth.Mail.Cli.Sandbox;

/// <summary>What eng/test-servers.sh wrote to servers.json: host, ports, tenant, signing key, TLS certificate.</summary>
internal sealed record SandboxServers(
    string Path,
    string StateDirectory,
    string Host,
    int Imaps,
    int Pop3s,
    int Submission,
    string TenantId,
    string PrivateKeyPem,
    string KeyId,
    string TlsCertificate,
    string MailDirectory)
{
    public const string DefaultDirectory = "/tmp/modernauth-mail-servers";

    /// <summary>Where servers.json is: <c>MODERNAUTH_MAIL_SERVERS_JSON</c>, else <c>$MODERNAUTH_MAIL_SERVERS_DIR/servers.json</c>.</summary>
    public static string Locate(Func<string, string?> environment) =>
        NonEmpty(environment("MODERNAUTH_MAIL_SERVERS_JSON"))
        ?? System.IO.Path.Combine(NonEmpty(environment("MODERNAUTH_MAIL_SERVERS_DIR")) ?? DefaultDirectory, "servers.json");

    /// <exception cref="ConfigurationException">servers.json is missing or unreadable.</exception>
    public static SandboxServers Load(Func<string, string?> environment)
    {
        var path = Locate(environment);
        if (!File.Exists(path))
        {
            throw new ConfigurationException(
                $"--sandbox needs the local mail servers, and {path} is missing. Run `eng/test-servers.sh start` from the repository first " +
                "(it installs and starts Dovecot and Postfix on loopback ports), or set MODERNAUTH_MAIL_SERVERS_DIR to where they run.");
        }

        try
        {
            using var json = JsonDocument.Parse(File.ReadAllText(path));
            var root = json.RootElement;
            var ports = root.GetProperty("ports");
            var key = root.GetProperty("signingKey");
            return new SandboxServers(
                path,
                root.GetProperty("stateDir").GetString()!,
                root.GetProperty("host").GetString()!,
                ports.GetProperty("imaps").GetInt32(),
                ports.GetProperty("pop3s").GetInt32(),
                ports.GetProperty("submission").GetInt32(),
                root.GetProperty("tenantId").GetString()!,
                key.GetProperty("privateKeyPem").GetString()!,
                key.GetProperty("kid").GetString()!,
                root.GetProperty("tls").GetProperty("certificate").GetString()!,
                root.GetProperty("mailDir").GetString()!);
        }
        catch (Exception error) when (error is JsonException or KeyNotFoundException or InvalidOperationException or IOException)
        {
            throw new ConfigurationException($"{path} could not be read ({error.Message}). Run `eng/test-servers.sh start` again to rewrite it.");
        }
    }

    private static string? NonEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;
}
