using ModernAuth.Mail.Caching;
using ModernAuth.Mail.Internal;

namespace ModernAuth.Mail;

/// <summary>
/// App-only tokens (client credentials) with a client certificate: the recommended app-only credential, since
/// the private key never leaves the machine. The certificate comes from a <see cref="ClientCertificateSource"/>.
/// </summary>
/// <example>
/// <code>
/// var provider = new ClientCertificateTokenProvider(tenantId, clientId, ClientCertificateSource.FromPfxFile("app.pfx", password));
/// var token = await provider.GetTokenAsync(new MailTokenRequest(MailProtocol.Smtp, "sender@contoso.com"));
/// </code>
/// </example>
public class ClientCertificateTokenProvider : MailTokenProvider
{
    private readonly ConfidentialClientFlow? _flow;
    private readonly TokenCacheGate? _gate;
    private readonly ClientCertificateSource? _source;

    /// <summary>Creates a provider.</summary>
    /// <param name="tenantId">The tenant id (GUID) or a verified domain; not <c>common</c> or <c>organizations</c>.</param>
    /// <param name="clientId">The application (client) id.</param>
    /// <param name="certificate">Where the certificate comes from. It is loaded on the first token request.</param>
    /// <param name="options">More options; <see langword="null"/> for the defaults.</param>
    /// <exception cref="ArgumentException">An argument is missing or does not fit an app-only flow.</exception>
    /// <exception cref="ArgumentNullException"><paramref name="certificate"/> is <see langword="null"/>.</exception>
    public ClientCertificateTokenProvider(string tenantId, string clientId, ClientCertificateSource certificate, ClientCertificateTokenProviderOptions? options = null)
    {
        options ??= new ClientCertificateTokenProviderOptions();
        var tenant = Validate.AppOnlyTenant(tenantId, options.Cloud ?? MailCloud.Global);
        var client = Validate.NotEmpty(clientId, nameof(clientId), "client id");
        _source = certificate ?? throw new ArgumentNullException(nameof(certificate));
        var sendX5C = options.SendCertificateChain;
        _flow = new ConfidentialClientFlow(options, tenant, client, typeof(ClientCertificateTokenProvider).FullName!,
            builder => builder.WithCertificate(certificate.LoadCertificate(), sendX5C));
        _gate = _flow.CreateGate();
    }

    /// <summary>For mocking only.</summary>
    protected ClientCertificateTokenProvider()
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
    public override string ToString() => $"ClientCertificateTokenProvider {{ TenantId = {TenantId}, ClientId = {ClientId}, Certificate = {_source?.Description} }}";
}
