using System.Security.Cryptography;
using ModernAuth.Mail.Shared;
using ModernAuth.Mail.Testing;

namespace ModernAuth.Mail.Benchmarks;

/// <summary>
/// An app-only identity for the benchmarks that talk to the real Dovecot and Postfix: the fake Entra ID signing with the
/// key those servers trust, one client secret application, a fresh mailbox name, and its SMTP token already cached (as
/// in a long-running app).
/// </summary>
internal sealed class RealServerIdentity : IAsyncDisposable
{
    private readonly RSA _signingKey;

    private RealServerIdentity(TestServers servers)
    {
        _signingKey = servers.CreateSigningKey();
        Entra = new FakeEntraId(new FakeEntraIdOptions { SigningKey = _signingKey, KeyId = servers.KeyId });
        var clientId = Guid.NewGuid().ToString();
        const string secret = "bench-secret";
        Entra.RegisterApplication(servers.TenantId, clientId).WithSecret(secret);
        Provider = new ClientSecretTokenProvider(servers.TenantId, clientId, secret, new ClientSecretTokenProviderOptions().UseFakeEntraId(Entra));
        Mailbox = $"bench-{Guid.NewGuid():N}"[..18] + "@contoso.test";
    }

    public FakeEntraId Entra { get; }

    public ClientSecretTokenProvider Provider { get; }

    public string Mailbox { get; }

    /// <summary>The cached SMTP token.</summary>
    public MailAccessToken SmtpToken { get; private set; }

    public static async Task<RealServerIdentity> CreateAsync(TestServers servers)
    {
        var identity = new RealServerIdentity(servers);
        identity.SmtpToken = await identity.Provider.GetTokenAsync(new MailTokenRequest(MailProtocol.Smtp, identity.Mailbox)).ConfigureAwait(false);
        return identity;
    }

    public async ValueTask DisposeAsync()
    {
        await Entra.DisposeAsync().ConfigureAwait(false);
        _signingKey.Dispose();
    }
}
