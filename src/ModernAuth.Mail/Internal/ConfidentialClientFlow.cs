using Microsoft.Identity.Client;
using ModernAuth.Mail.Caching;

namespace ModernAuth.Mail.Internal;

/// <summary>The app-only (client credentials) flow shared by the client secret and client certificate providers.</summary>
internal sealed class ConfidentialClientFlow
{
    private readonly Func<ConfidentialClientApplicationBuilder, ConfidentialClientApplicationBuilder> _withCredential;
    private readonly object _buildLock = new();
    private IConfidentialClientApplication? _application;

    public ConfidentialClientFlow(MailTokenProviderOptions options, string tenantId, string clientId, string loggerCategory,
        Func<ConfidentialClientApplicationBuilder, ConfidentialClientApplicationBuilder> withCredential)
    {
        _withCredential = withCredential;
        Context = new FlowContext(options, clientId, tenantId, appOnly: true, loggerCategory, AcquireAsync);
    }

    public FlowContext Context { get; }

    public ValueTask<MailAccessToken> GetTokenAsync(MailTokenRequest request, CancellationToken cancellationToken)
    {
        var pending = Context.Gate.GetTokenAsync(Context.KeyFor(request), request, cancellationToken);
        if (pending.IsCompletedSuccessfully)
        {
            // App-only tokens are shared by every mailbox; the mailbox is the XOAUTH2 user.
            return new ValueTask<MailAccessToken>(pending.Result.WithAccount(request.Mailbox));
        }

        return WithMailboxAsync(pending, request.Mailbox);

        static async ValueTask<MailAccessToken> WithMailboxAsync(ValueTask<MailAccessToken> pending, string? mailbox) =>
            (await pending.ConfigureAwait(false)).WithAccount(mailbox);
    }

    private Task<MailAccessToken> AcquireAsync(TokenCacheKey key, MailTokenRequest request, bool forceRefresh, CancellationToken cancellationToken) =>
        Context.AcquireAsync(request, forceRefresh, async ct =>
        {
            var application = GetApplication();
            var result = await application.AcquireTokenForClient(Context.ScopesFor(request.Protocol))
                .WithForceRefresh(forceRefresh)
                .ExecuteAsync(ct)
                .ConfigureAwait(false);
            return (result, (string?)null);
        }, cancellationToken);

    private IConfidentialClientApplication GetApplication()
    {
        lock (_buildLock)
        {
            // Built on first use so a certificate is loaded (and its errors reported) when a token is needed.
            if (_application is null)
            {
                var application = _withCredential(Context.ConfigureCommon(ConfidentialClientApplicationBuilder.Create(Context.ClientId))).Build();
                if (Context.Options.TokenCacheStore is { } store)
                {
                    var key = Context.StoreKey;
                    TokenCacheStoreBinding.Attach(application.AppTokenCache, store, _ => key, Context.Logger);
                }

                _application = application;
            }

            return _application;
        }
    }
}
