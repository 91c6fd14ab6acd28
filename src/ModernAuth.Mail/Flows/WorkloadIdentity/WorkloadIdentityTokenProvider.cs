using Microsoft.Identity.Client;
using ModernAuth.Mail.Caching;
using ModernAuth.Mail.Internal;

namespace ModernAuth.Mail;

/// <summary>
/// App-only tokens through workload identity federation: the application proves itself with a token its platform
/// issued (a Kubernetes service account token, a GitHub Actions OIDC token, another identity provider's), which a
/// federated identity credential of the app registration trusts; no secret or certificate to keep. The token is read
/// from a file (by default <c>AZURE_FEDERATED_TOKEN_FILE</c>, as the Azure Workload Identity webhook sets it) or got from
/// a callback on every token request, so a rotated token is used at once. Exchange needs the same setup as for any
/// app-only application.
/// </summary>
/// <example>
/// <code>
/// // In a pod with Azure Workload Identity: AZURE_TENANT_ID, AZURE_CLIENT_ID and AZURE_FEDERATED_TOKEN_FILE are set.
/// var provider = new WorkloadIdentityTokenProvider();
/// var token = await provider.GetTokenAsync(new MailTokenRequest(MailProtocol.Imap, "shared@contoso.com"));
/// </code>
/// </example>
public class WorkloadIdentityTokenProvider : MailTokenProvider
{
    /// <summary>The audience a federated token must have for Entra ID: <c>api://AzureADTokenExchange</c>.</summary>
    public const string TokenExchangeAudience = "api://AzureADTokenExchange";

    private readonly ConfidentialClientFlow? _flow;
    private readonly TokenCacheGate? _gate;

    /// <summary>Creates a provider.</summary>
    /// <param name="options">
    /// The application and where its token comes from; <see langword="null"/> (or unset values) for the environment's
    /// <c>AZURE_TENANT_ID</c>, <c>AZURE_CLIENT_ID</c> and <c>AZURE_FEDERATED_TOKEN_FILE</c>.
    /// </param>
    /// <exception cref="ArgumentException">
    /// The tenant, client id or token source is missing from both the options and the environment, or both a token file
    /// and a callback are given, or the tenant does not fit an app-only flow.
    /// </exception>
    public WorkloadIdentityTokenProvider(WorkloadIdentityTokenProviderOptions? options = null)
    {
        options ??= new WorkloadIdentityTokenProviderOptions();
        var tenant = Validate.AppOnlyTenant(FromEnvironment(options.TenantId, "AZURE_TENANT_ID"), options.Cloud ?? MailCloud.Global);
        var client = Validate.NotEmpty(FromEnvironment(options.ClientId, "AZURE_CLIENT_ID"), "clientId", "client id (options.ClientId or AZURE_CLIENT_ID)");
        if (options.TokenCallback is not null && !string.IsNullOrWhiteSpace(options.TokenFilePath))
        {
            throw new ArgumentException("Give the federated token as TokenFilePath or TokenCallback, not both.", nameof(options));
        }

        var source = options.TokenCallback is { } callback
            ? FederatedTokenSource.FromCallback(callback)
            : FederatedTokenSource.FromFile(Validate.NotEmpty(FromEnvironment(options.TokenFilePath, "AZURE_FEDERATED_TOKEN_FILE"), "tokenFilePath",
                "federated token (options.TokenFilePath, options.TokenCallback or AZURE_FEDERATED_TOKEN_FILE)"));
        Source = source;
        _flow = new ConfidentialClientFlow(options, tenant, client, typeof(WorkloadIdentityTokenProvider).FullName!,
            builder => builder.WithClientAssertion((AssertionRequestOptions request) => source.GetAsync(request.CancellationToken)),
            error => MapError(error, source));
        _gate = _flow.CreateGate();
    }

    /// <summary>For mocking only.</summary>
    protected WorkloadIdentityTokenProvider()
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

    internal FederatedTokenSource? Source { get; }

    /// <inheritdoc/>
    public override ValueTask<MailAccessToken> GetTokenAsync(MailTokenRequest request, CancellationToken cancellationToken = default) =>
        (_gate ?? throw new InvalidOperationException("This instance was made for mocking.")).GetTokenAsync(request, cancellationToken);

    /// <inheritdoc/>
    public override string ToString() => $"WorkloadIdentityTokenProvider {{ TenantId = {TenantId}, ClientId = {ClientId}, Cloud = {_flow?.Cloud.Name} }}";

    private static string? FromEnvironment(string? value, string variable) =>
        string.IsNullOrWhiteSpace(value) ? Environment.GetEnvironmentVariable(variable) : value;

    private static MailAuthenticationException? MapError(Exception error, FederatedTokenSource source)
    {
        for (var e = error; e is not null; e = e.InnerException)
        {
            if (e is MailAuthenticationException ours)
            {
                return ours;
            }
        }

        // AADSTS700024 is the certificate assertion's "not within its valid time range" too; here it is the federated token.
        if (error is MsalServiceException service && TokenServiceErrors.TryParseAadsts(service.Message, out var code) && code == 700024)
        {
            return new MailAuthenticationException(MailErrorCodes.FederatedTokenExpired,
                $"The token service refused the federated token from {source.Description} with AADSTS700024: it has expired (or is not yet valid).",
                "Give a token that is valid now: a Kubernetes projected token is rotated by the kubelet (check the pod's projected volume and that the file is not a stale copy); a callback must fetch a fresh token each time. Check this machine's clock too.",
                false, error) { ServerResponse = MsalErrorMapper.FirstLine(service.Message) };
        }

        return null;
    }

}
