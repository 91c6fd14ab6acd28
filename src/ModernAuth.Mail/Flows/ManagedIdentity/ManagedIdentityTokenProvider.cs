using ModernAuth.Mail.Caching;
using ModernAuth.Mail.Internal;

namespace ModernAuth.Mail;

/// <summary>
/// App-only tokens for the managed identity of the Azure resource the code runs on (VM, App Service, Functions, Container
/// Apps, AKS, Azure Arc, Cloud Shell): no secret or certificate to keep. System-assigned by default; user-assigned by
/// client id or resource id. One token per resource (Exchange, Graph) serves every protocol and mailbox and is cached
/// until close to expiry. Exchange needs the same setup as for any app-only principal: the application role
/// (<c>IMAP.AccessAsApp</c>, <c>SMTP.SendAsApp</c>, ...) granted to the identity's service principal, the service principal
/// registered in Exchange (<c>New-ServicePrincipal</c>) and a mailbox permission.
/// </summary>
/// <example>
/// <code>
/// var provider = new ManagedIdentityTokenProvider(new ManagedIdentityTokenProviderOptions { ClientId = userAssignedClientId });
/// var token = await provider.GetTokenAsync(new MailTokenRequest(MailProtocol.Smtp, "reports@contoso.com"));
/// </code>
/// </example>
public class ManagedIdentityTokenProvider : MailTokenProvider
{
    private readonly ManagedIdentityFlow? _flow;
    private readonly TokenCacheGate? _gate;

    /// <summary>Creates a provider.</summary>
    /// <param name="options">The identity and more options; <see langword="null"/> for the system-assigned identity with the defaults.</param>
    /// <exception cref="ArgumentException">Both a client id and a resource id are given, the client id is not a GUID, or the cloud has no app-only access.</exception>
    public ManagedIdentityTokenProvider(ManagedIdentityTokenProviderOptions? options = null)
    {
        options ??= new ManagedIdentityTokenProviderOptions();
        var cloud = options.Cloud ?? MailCloud.Global;
        if (!cloud.SupportsAppOnly)
        {
            throw new ArgumentException($"A managed identity gets app-only tokens, which do not exist for {cloud.Name} (personal accounts only sign in as a user).", nameof(options));
        }

        if (!string.IsNullOrWhiteSpace(options.ClientId) && !string.IsNullOrWhiteSpace(options.ResourceId))
        {
            throw new ArgumentException("Give the user-assigned identity's ClientId or its ResourceId, not both.", nameof(options));
        }

        if (!string.IsNullOrWhiteSpace(options.ClientId) && !Guid.TryParse(options.ClientId!.Trim(), out _))
        {
            throw new ArgumentException("ClientId must be the user-assigned identity's Client ID (a GUID, on the identity's Overview page).", nameof(options));
        }

        _flow = new ManagedIdentityFlow(options, typeof(ManagedIdentityTokenProvider).FullName!);
        _gate = _flow.CreateGate();
    }

    /// <summary>For mocking only.</summary>
    protected ManagedIdentityTokenProvider()
    {
    }

    /// <inheritdoc/>
    public override bool IsAppOnly => true;

    /// <inheritdoc/>
    public override MailCloud Cloud => _flow?.Cloud ?? MailCloud.Global;

    /// <summary>The identity: a user-assigned identity's client id or resource id, or <c>system-assigned</c>.</summary>
    public virtual string Identity => _flow?.Identity ?? string.Empty;

    /// <inheritdoc/>
    public override ValueTask<MailAccessToken> GetTokenAsync(MailTokenRequest request, CancellationToken cancellationToken = default) =>
        (_gate ?? throw new InvalidOperationException("This instance was made for mocking.")).GetTokenAsync(request, cancellationToken);

    /// <inheritdoc/>
    public override string ToString() => $"ManagedIdentityTokenProvider {{ Identity = {Identity}, Cloud = {_flow?.Cloud.Name} }}";
}
