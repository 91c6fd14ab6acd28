using Azure.Core;
using ModernAuth.Mail.Diagnostics;

namespace ModernAuth.Mail.AzureIdentity;

/// <summary>
/// Any Azure.Identity <see cref="TokenCredential"/> (<c>DefaultAzureCredential</c>, <c>ManagedIdentityCredential</c>,
/// <c>WorkloadIdentityCredential</c>, <c>ClientSecretCredential</c>, ...) as a <see cref="MailTokenProvider"/> for IMAP,
/// POP, SMTP, EWS and Graph. It asks the credential for the protocol's resource in the cloud with its <c>/.default</c>
/// scope (<c>https://outlook.office365.com/.default</c> for IMAP, POP, SMTP and EWS; <c>https://graph.microsoft.com/.default</c>
/// for Graph), serves tokens through the same cache gate as the built-in flows (a cached token costs no call to the
/// credential and no allocation; concurrent cold callers share one call), and turns Azure.Identity's failures into
/// <see cref="MailAuthenticationException"/> with an <see cref="MailAuthenticationException.ErrorCode"/> and a
/// <see cref="MailAuthenticationException.Remedy"/>.
/// </summary>
/// <remarks>
/// A forced refresh (a server rejected the token) reaches the credential, but a <see cref="TokenCredential"/> has no
/// way to bypass its own cache: Azure.Identity's credentials may hand back the same token until it nears expiry.
/// </remarks>
/// <example>
/// <code>
/// var provider = new DefaultAzureCredential().AsMailTokenProvider();
/// using var imap = await MailKitConnector.ConnectImapAsync(provider, "shared@contoso.com");
/// </code>
/// </example>
public class TokenCredentialMailTokenProvider : CachedMailTokenProvider
{
    private static readonly TokenInspector Inspector = new();
    private readonly TokenCredential? _credential;
    private readonly string? _tenantId;

    /// <summary>Creates a provider that gets its tokens from <paramref name="credential"/>.</summary>
    /// <param name="credential">The credential. The provider does not dispose it.</param>
    /// <param name="options">The options; <see langword="null"/> for the defaults (global cloud, app-only).</param>
    /// <exception cref="ArgumentNullException"><paramref name="credential"/> is <see langword="null"/>.</exception>
    public TokenCredentialMailTokenProvider(TokenCredential credential, TokenCredentialMailTokenProviderOptions? options = null)
        : base((options ?? new TokenCredentialMailTokenProviderOptions()).IsAppOnly, options)
    {
        _credential = credential ?? throw new ArgumentNullException(nameof(credential));
        _tenantId = string.IsNullOrWhiteSpace(options?.TenantId) ? null : options!.TenantId!.Trim();
    }

    /// <summary>For mocking only.</summary>
    protected TokenCredentialMailTokenProvider()
    {
    }

    /// <summary>The credential tokens come from.</summary>
    public virtual TokenCredential Credential => _credential ?? throw new InvalidOperationException("This instance was made for mocking.");

    /// <inheritdoc/>
    public override string ToString() => $"TokenCredentialMailTokenProvider {{ Credential = {_credential?.GetType().Name}, Cloud = {Cloud.Name}, IsAppOnly = {IsAppOnly} }}";

    /// <inheritdoc/>
    protected override async ValueTask<MailAccessToken> AcquireTokenAsync(MailTokenRequest request, IReadOnlyList<string> scopes, bool forceRefresh, CancellationToken cancellationToken)
    {
        var credential = Credential;

        // A TokenCredential takes one resource's /.default (managed identity and the developer credentials accept nothing
        // else): the app-only scope of the protocol's resource, whatever kind of identity signs in.
        var scope = IsAppOnly ? scopes[0] : Cloud.GetScopes(request.Protocol, appOnly: true)[0];
        var context = new TokenRequestContext(new[] { scope }, tenantId: _tenantId);
        AccessToken token;
        try
        {
            token = await credential.GetTokenAsync(context, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception error) when (error is not MailAuthenticationException)
        {
            throw AzureIdentityErrorMapper.Map(error, credential, request.Protocol, scope);
        }

        if (string.IsNullOrEmpty(token.Token))
        {
            throw new MailAuthenticationException(MailErrorCodes.TokenServiceError, $"{credential.GetType().Name} returned an empty token for {scope}.",
                "Check the credential's configuration; Azure.Identity's own log (AzureEventSourceListener) shows what it did.")
            { Protocol = request.Protocol };
        }

        // Reading the token is for diagnostics and the account name only: every decision works when it is opaque.
        var summary = Inspector.Inspect(token.Token).Summary;
        if (summary.IsAppOnly is { } appOnly && appOnly != IsAppOnly)
        {
            Log.TokenKindMismatch(Logger, credential.GetType().Name, appOnly ? "app-only (roles)" : "delegated (scp)", IsAppOnly);
        }

        return new MailAccessToken(token.Token, token.ExpiresOn, IsAppOnly ? null : summary.User ?? request.Mailbox);
    }
}
