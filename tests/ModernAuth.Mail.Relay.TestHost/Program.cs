using System.Security.Cryptography;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using ModernAuth.Mail;
using ModernAuth.Mail.Relay;
using ModernAuth.Mail.Testing;

// The relay in a child process, as `modernauth-mail relay` runs it (RelayHost), so a test can kill it at any point.
// Usage: TestHost <relay.json> <signing-key.pem> <kid> <tenant> <client id> <secret> [hook]
// Prints "LISTENING <port>" once it listens. Hooks (for a deterministic kill point):
//   after-spool      prints "SPOOLED <id>" after a message is committed, and never answers 250
//   before-complete  prints "UPSTREAM-ACCEPTED <id>" after the upstream took a message, and never removes it
var (config, keyPem, kid, tenant, clientId, secret) = (args[0], args[1], args[2], args[3], args[4], args[5]);
var hook = args.Length > 6 ? args[6] : string.Empty;
using var signingKey = RSA.Create();
signingKey.ImportFromPem(File.ReadAllText(keyPem));
using var entra = new FakeEntraId(new FakeEntraIdOptions { SigningKey = signingKey, KeyId = kid });
entra.RegisterApplication(tenant, clientId).WithSecret(secret);
var provider = new ClientSecretTokenProvider(tenant, clientId, secret, new ClientSecretTokenProviderOptions().UseFakeEntraId(entra));

var builder = RelayHost.CreateBuilder(new RelayHostSettings { ConfigurationFile = config });
new RelayBuilder(builder.Services).AddTokenProvider("test", provider);
using var host = builder.Build();
var relay = host.Services.GetRequiredService<RelayServer>();
if (hook == "after-spool")
{
    relay.AfterSpoolHook = async id =>
    {
        Console.WriteLine("SPOOLED " + id);
        await Task.Delay(Timeout.Infinite);
    };
}
else if (hook == "before-complete")
{
    relay.BeforeCompleteHook = async (id, ct) =>
    {
        Console.WriteLine("UPSTREAM-ACCEPTED " + id);
        await Task.Delay(Timeout.Infinite, ct);
    };
}

await host.StartAsync();
Console.WriteLine("LISTENING " + relay.Endpoints[0].Port);
await host.WaitForShutdownAsync();
