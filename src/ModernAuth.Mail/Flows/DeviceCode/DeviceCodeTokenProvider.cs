using Microsoft.Identity.Client;
using ModernAuth.Mail.Caching;
using ModernAuth.Mail.Internal;

namespace ModernAuth.Mail;

/// <summary>
/// Delegated tokens: a user signs in once with a device code (on any device with a browser, with MFA), and the
/// account and refresh token persist in a token cache file so later runs — and later processes — are silent.
/// Works for work or school accounts and, with <see cref="MailCloud.PersonalAccounts"/>, for outlook.com,
/// hotmail.com and live.com accounts (whose tokens are opaque: that is normal).
/// </summary>
/// <example>
/// <code>
/// var provider = new DeviceCodeTokenProvider(clientId, new DeviceCodeTokenProviderOptions { Cloud = MailCloud.PersonalAccounts });
/// var token = await provider.GetTokenAsync(new MailTokenRequest(MailProtocol.Imap));
/// </code>
/// </example>
public class DeviceCodeTokenProvider : MailTokenProvider
{
    private readonly DeviceCodeFlow? _flow;
    private readonly TokenCacheGate? _gate;

    /// <summary>Creates a provider.</summary>
    /// <param name="clientId">The application (client) id of an app registration with "Allow public client flows" on.</param>
    /// <param name="options">More options; <see langword="null"/> for the defaults.</param>
    /// <exception cref="ArgumentException"><paramref name="clientId"/> is missing.</exception>
    public DeviceCodeTokenProvider(string clientId, DeviceCodeTokenProviderOptions? options = null)
    {
        options ??= new DeviceCodeTokenProviderOptions();
        var client = Validate.NotEmpty(clientId, nameof(clientId), "client id");
        var tenant = PublicClientFlow.ResolveTenant(options.Cloud, options.TenantId);
        var cachePath = PublicClientFlow.ResolveTokenCachePath(options.PersistTokenCache, options.TokenCacheStore, options.TokenCachePath);
        _flow = new DeviceCodeFlow(options, client, tenant, cachePath);
        _gate = _flow.CreateGate();
    }

    /// <summary>For mocking only.</summary>
    protected DeviceCodeTokenProvider()
    {
    }

    /// <inheritdoc/>
    public override MailCloud Cloud => _flow?.Cloud ?? MailCloud.Global;

    /// <summary>The application (client) id.</summary>
    public virtual string ClientId => _flow?.ClientId ?? string.Empty;

    /// <summary>The tenant (<c>organizations</c>, <c>consumers</c> or a tenant id).</summary>
    public virtual string TenantId => _flow?.Tenant ?? string.Empty;

    /// <summary>The token cache file, or <see langword="null"/> when the cache is kept in memory only or in a <see cref="MailTokenProviderOptions.TokenCacheStore"/>.</summary>
    public virtual string? TokenCachePath => _flow?.TokenCachePath;

    /// <inheritdoc/>
    public override ValueTask<MailAccessToken> GetTokenAsync(MailTokenRequest request, CancellationToken cancellationToken = default) =>
        (_gate ?? throw MadeForMocking()).GetTokenAsync(request, cancellationToken);

    /// <summary>Lists the accounts signed in and cached (user names).</summary>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>The user names.</returns>
    public virtual Task<IReadOnlyList<string>> GetSignedInAccountsAsync(CancellationToken cancellationToken = default) =>
        (_flow ?? throw MadeForMocking()).GetAccountsAsync(cancellationToken);

    /// <summary>Signs every account out: removes them and their refresh tokens from the cache (and its file).</summary>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>A task.</returns>
    public virtual async Task SignOutAsync(CancellationToken cancellationToken = default)
    {
        await (_flow ?? throw MadeForMocking()).SignOutAsync(cancellationToken).ConfigureAwait(false);
        _gate!.Clear();
    }

    /// <inheritdoc/>
    public override string ToString() => $"DeviceCodeTokenProvider {{ TenantId = {TenantId}, ClientId = {ClientId}, Cloud = {_flow?.Cloud.Name} }}";

    private static InvalidOperationException MadeForMocking() => new("This instance was made for mocking.");
}
