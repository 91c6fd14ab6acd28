using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Identity.Client;
using ModernAuth.Mail.Caching;
using MsalLogLevel = Microsoft.Identity.Client.LogLevel;
using LogLevel = Microsoft.Extensions.Logging.LogLevel;

namespace ModernAuth.Mail.Internal;

/// <summary>
/// The one base of every MSAL-backed flow: authority, scopes per protocol, the shared-store coordination of a cold
/// miss, timing, logging and error mapping around one MSAL call. The path is straight: provider → <see cref="TokenCacheGate"/>
/// → <see cref="AcquireAsync"/> → (<see cref="TokenCacheFillCoordinator"/>) → <see cref="AcquireCoreAsync"/> → MSAL.
/// </summary>
internal abstract class MsalFlow : TokenCacheSource
{
    private readonly TokenCacheFillCoordinator? _fillCoordinator;

    /// <param name="options">The flow's options.</param>
    /// <param name="clientId">The client id (or, for a managed identity, the identity's id), for the store key and errors.</param>
    /// <param name="tenant">The tenant of the authority.</param>
    /// <param name="appOnly">Whether tokens act as the application.</param>
    /// <param name="loggerCategory">The logger category.</param>
    /// <param name="usesCacheStore">
    /// Whether MSAL's cache of this flow can live in <see cref="MailTokenProviderOptions.TokenCacheStore"/>. A managed
    /// identity's MSAL application has no cache to attach, so coordinating a cold miss through the store would wait for
    /// an entry nobody writes.
    /// </param>
    protected MsalFlow(MailTokenProviderOptions options, string clientId, string tenant, bool appOnly, string loggerCategory, bool usesCacheStore = true)
        : base(options.Cloud ?? MailCloud.Global, appOnly)
    {
        Options = options;
        ClientId = clientId;
        Tenant = tenant;
        AuthorityHost = options.AuthorityHost ?? Cloud.AuthorityHost;
        Authority = AuthorityHost.GetLeftPart(UriPartial.Authority) + "/" + Uri.EscapeDataString(tenant);
        Logger = options.LoggerFactory?.CreateLogger(loggerCategory) ?? NullLogger.Instance;
        HttpClientFactory = new MsalHttpClientFactory(options.Transport, options.NetworkTimeout);

        // App-only: MSAL's suggested key has this shape, but the key must be known before MSAL runs (to coordinate a
        // cold miss with other instances), so it is fixed here. A public client's cache holds every account it signed
        // in, and MSAL suggests no key before it knows the account: one entry per application and tenant.
        StoreKey = clientId + "_" + tenant + (appOnly ? "_AppTokenCache" : "_UserTokenCache");
        if (usesCacheStore && options.TokenCacheStore is { } store)
        {
            _fillCoordinator = new TokenCacheFillCoordinator(store, options.TimeProvider ?? TimeProvider.System, Logger);
        }
    }

    public MailTokenProviderOptions Options { get; }

    public string ClientId { get; }

    public string Tenant { get; }

    public Uri AuthorityHost { get; }

    public string Authority { get; }

    public ILogger Logger { get; }

    public IMsalHttpClientFactory HttpClientFactory { get; }

    /// <summary>The entry of <see cref="MailTokenProviderOptions.TokenCacheStore"/> that holds this flow's MSAL cache.</summary>
    public string StoreKey { get; }

    /// <summary>Makes the provider's gate, with the options' clock and refresh margin.</summary>
    public TokenCacheGate CreateGate() => new(this, Options.TimeProvider ?? TimeProvider.System, Options.RefreshMargin, Logger);

    /// <summary>
    /// One acquisition on a gate miss. With a <see cref="MailTokenProviderOptions.TokenCacheStore"/> and no forced
    /// refresh, it first coordinates with other instances so that a cold miss costs one token request in all.
    /// </summary>
    public sealed override Task<MailAccessToken> AcquireAsync(MailTokenRequest request, bool forceRefresh, CancellationToken cancellationToken) =>
        forceRefresh || _fillCoordinator is null
            ? RunAsync(request, forceRefresh, cancellationToken)
            : _fillCoordinator.RunAsync(StoreKey, ct => RunAsync(request, forceRefresh, ct), cancellationToken);

    /// <summary>The flow's MSAL call: the result and the account the token belongs to (<see langword="null"/>: unknown).</summary>
    protected abstract Task<(AuthenticationResult Result, string? Account)> AcquireCoreAsync(MailTokenRequest request, bool forceRefresh, CancellationToken cancellationToken);

    /// <summary>The settings every MSAL application of ours shares: authority, HTTP, client name, logging without PII.</summary>
    protected T ConfigureCommon<T>(T builder)
        where T : AbstractApplicationBuilder<T>
    {
        builder = ConfigureTransportAndLogging(builder).WithAuthority(Authority, validateAuthority: !Options.DisableInstanceDiscovery);
        if (Options.DisableInstanceDiscovery)
        {
            builder = builder.WithInstanceDiscovery(false);
        }

        return builder;
    }

    /// <summary>The settings every MSAL application of ours shares, authority or not: HTTP, client name, logging without PII.</summary>
    protected T ConfigureTransportAndLogging<T>(T builder)
        where T : BaseAbstractApplicationBuilder<T> =>
        builder
            .WithHttpClientFactory(HttpClientFactory)
            .WithClientName("ModernAuth.Mail")
            .WithClientVersion(typeof(MsalFlow).Assembly.GetName().Version?.ToString() ?? "0.0.0")
            .WithLogging(OnMsalLog, MsalLogLevel.Warning, enablePiiLogging: false, enableDefaultPlatformLogging: false);

    /// <summary>Keeps <paramref name="cache"/> in the options' <see cref="MailTokenProviderOptions.TokenCacheStore"/>, if any.</summary>
    /// <returns>Whether a store was attached.</returns>
    protected bool AttachStore(ITokenCache cache)
    {
        if (Options.TokenCacheStore is not { } store)
        {
            return false;
        }

        var key = StoreKey;
        TokenCacheStoreBinding.Attach(cache, store, _ => key, Logger);
        return true;
    }

    /// <summary>Runs one MSAL call with timing, logging and error mapping. Cancellation passes through untouched.</summary>
    private async Task<MailAccessToken> RunAsync(MailTokenRequest request, bool forceRefresh, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        try
        {
            var (result, account) = await AcquireCoreAsync(request, forceRefresh, cancellationToken).ConfigureAwait(false);
            var token = new MailAccessToken(result.AccessToken, result.ExpiresOn, account);
            if (Logger.IsEnabled(LogLevel.Information))
            {
                var elapsedMs = (Stopwatch.GetTimestamp() - started) * 1000 / Stopwatch.Frequency;
                Log.TokenAcquired(Logger, IsAppOnly ? "app-only" : "delegated", request.Protocol, account ?? "(unknown)", token.ExpiresOn, token.Fingerprint, elapsedMs);
            }

            return token;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (MailAuthenticationException error)
        {
            Log.TokenAcquisitionFailed(Logger, request.Protocol, error.ErrorCode, error.Message);
            throw;
        }
        catch (Exception error)
        {
            var mapped = MsalErrorMapper.Map(error, request.Protocol, ClientId, Tenant, AuthorityHost);
            Log.TokenAcquisitionFailed(Logger, request.Protocol, mapped.ErrorCode, mapped.Message);
            throw mapped;
        }
    }

    private void OnMsalLog(MsalLogLevel level, string message, bool containsPii)
    {
        if (containsPii)
        {
            return;
        }

        var mapped = level switch
        {
            MsalLogLevel.Error => LogLevel.Error,
            MsalLogLevel.Warning => LogLevel.Warning,
            MsalLogLevel.Info => LogLevel.Information,
            _ => LogLevel.Debug,
        };
        if (Logger.IsEnabled(mapped))
        {
            Log.Msal(Logger, mapped, message);
        }
    }
}
