using ModernAuth.Mail.Caching;
using ModernAuth.Mail.Internal;

namespace ModernAuth.Mail;

/// <summary>
/// App-only tokens (client credentials) with a client secret. The tokens carry the application's <c>roles</c>
/// (<c>IMAP.AccessAsApp</c>, <c>POP.AccessAsApp</c>, <c>SMTP.SendAsApp</c>, <c>full_access_as_app</c>), are
/// shared by every protocol and mailbox, and are cached until close to expiry.
/// </summary>
/// <example>
/// <code>
/// var provider = new ClientSecretTokenProvider(tenantId, clientId, secret);
/// var token = await provider.GetTokenAsync(new MailTokenRequest(MailProtocol.Imap, "shared@contoso.com"));
/// </code>
/// </example>
public class ClientSecretTokenProvider : MailTokenProvider
{
    private readonly ConfidentialClientFlow? _flow;
    private readonly TokenCacheGate? _gate;

    /// <summary>Creates a provider.</summary>
    /// <param name="tenantId">The tenant id (GUID) or a verified domain; not <c>common</c> or <c>organizations</c>.</param>
    /// <param name="clientId">The application (client) id.</param>
    /// <param name="clientSecret">The client secret's value (not its id). Never logged.</param>
    /// <param name="options">More options; <see langword="null"/> for the defaults.</param>
    /// <exception cref="ArgumentException">An argument is missing or does not fit an app-only flow.</exception>
    public ClientSecretTokenProvider(string tenantId, string clientId, string clientSecret, ClientSecretTokenProviderOptions? options = null)
    {
        options ??= new ClientSecretTokenProviderOptions();
        var tenant = Validate.AppOnlyTenant(tenantId, options.Cloud ?? MailCloud.Global);
        var client = Validate.NotEmpty(clientId, nameof(clientId), "client id");
        var secret = Validate.NotEmpty(clientSecret, nameof(clientSecret), "client secret");
        _flow = new ConfidentialClientFlow(options, tenant, client, typeof(ClientSecretTokenProvider).FullName!, builder => builder.WithClientSecret(secret));
        _gate = _flow.CreateGate();
    }

    /// <summary>For mocking only.</summary>
    protected ClientSecretTokenProvider()
    {
    }

    /// <inheritdoc/>
    public override bool IsAppOnly => true;

    /// <inheritdoc/>
    public override MailCloud Cloud => _flow?.Cloud ?? MailCloud.Global;

    /// <summary>The tenant.</summary>
    public virtual string TenantId => _flow?.Tenant ?? string.Empty;

    /// <summary>The application (client) id.</summary>
    public virtual string ClientId => _flow?.ClientId ?? string.Empty;

    /// <inheritdoc/>
    public override ValueTask<MailAccessToken> GetTokenAsync(MailTokenRequest request, CancellationToken cancellationToken = default) =>
        (_gate ?? throw new InvalidOperationException("This instance was made for mocking.")).GetTokenAsync(request, cancellationToken);

    /// <inheritdoc/>
    public override string ToString() => $"ClientSecretTokenProvider {{ TenantId = {TenantId}, ClientId = {ClientId}, Cloud = {_flow?.Cloud.Name} }}";
}
