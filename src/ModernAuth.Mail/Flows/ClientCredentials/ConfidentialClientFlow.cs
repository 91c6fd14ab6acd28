using Microsoft.Identity.Client;

namespace ModernAuth.Mail.Internal;

/// <summary>The app-only (client credentials) flow: a client secret, a certificate or a client assertion proves the application.</summary>
internal sealed class ConfidentialClientFlow : MsalFlow
{
    private readonly Func<ConfidentialClientApplicationBuilder, ConfidentialClientApplicationBuilder> _withCredential;
    private readonly Func<Exception, MailAuthenticationException?>? _mapError;
    private readonly object _buildLock = new();
    private IConfidentialClientApplication? _application;

    public ConfidentialClientFlow(MailTokenProviderOptions options, string tenantId, string clientId, string loggerCategory,
        Func<ConfidentialClientApplicationBuilder, ConfidentialClientApplicationBuilder> withCredential,
        Func<Exception, MailAuthenticationException?>? mapError = null)
        : base(options, clientId, tenantId, appOnly: true, loggerCategory)
    {
        _withCredential = withCredential;
        _mapError = mapError;
    }

    protected override async Task<(AuthenticationResult Result, string? Account)> AcquireCoreAsync(MailTokenRequest request, bool forceRefresh, CancellationToken cancellationToken)
    {
        AuthenticationResult result;
        try
        {
            result = await GetApplication().AcquireTokenForClient(ScopesFor(request.Protocol))
                .WithForceRefresh(forceRefresh)
                .ExecuteAsync(cancellationToken)
                .ConfigureAwait(false);
        }
        catch (Exception error) when (_mapError is not null && error is not OperationCanceledException && _mapError(error) is { } mapped)
        {
            // The credential knows some failures better than the generic mapping (a federated token that expired).
            throw mapped;
        }

        // An app-only token names no account: the gate gives it the mailbox of each request.
        return (result, null);
    }

    private IConfidentialClientApplication GetApplication()
    {
        lock (_buildLock)
        {
            // Built on first use so a certificate is loaded (and its errors reported) when a token is needed.
            if (_application is null)
            {
                var application = _withCredential(ConfigureCommon(ConfidentialClientApplicationBuilder.Create(ClientId))).Build();
                AttachStore(application.AppTokenCache);
                _application = application;
            }

            return _application;
        }
    }
}
