using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Identity.Client;
using ModernAuth.Mail.Caching;
using MsalLogLevel = Microsoft.Identity.Client.LogLevel;
using LogLevel = Microsoft.Extensions.Logging.LogLevel;

namespace ModernAuth.Mail.Internal;

/// <summary>What every MSAL-backed flow shares: authority, scopes per protocol, the cache gate, logging and error mapping.</summary>
internal sealed class FlowContext
{
    private readonly IReadOnlyList<string>[] _scopesByProtocol;
    private readonly int[] _appOnlyScopeSet;
    private readonly TokenCacheFillCoordinator? _fillCoordinator;

    public FlowContext(MailTokenProviderOptions options, string clientId, string tenant, bool appOnly, string loggerCategory,
        Func<TokenCacheKey, MailTokenRequest, bool, CancellationToken, Task<MailAccessToken>> acquire)
    {
        Options = options;
        ClientId = clientId;
        Tenant = tenant;
        AppOnly = appOnly;
        Cloud = options.Cloud ?? MailCloud.Global;
        AuthorityHost = options.AuthorityHost ?? Cloud.AuthorityHost;
        Authority = AuthorityHost.GetLeftPart(UriPartial.Authority) + "/" + Uri.EscapeDataString(tenant);
        Logger = options.LoggerFactory?.CreateLogger(loggerCategory) ?? NullLogger.Instance;
        HttpClientFactory = new MsalHttpClientFactory(options.Transport, options.NetworkTimeout);
        _scopesByProtocol = new IReadOnlyList<string>[(int)LastProtocol + 1];
        _appOnlyScopeSet = new int[(int)LastProtocol + 1];
        for (var p = MailProtocol.Imap; p <= LastProtocol; p++)
        {
            _scopesByProtocol[(int)p] = Cloud.GetScopes(p, appOnly);

            // App-only tokens are shared by the protocols of one resource (Exchange's four), not across resources (Graph).
            var first = 0;
            while (!_scopesByProtocol[first].SequenceEqual(_scopesByProtocol[(int)p], StringComparer.OrdinalIgnoreCase))
            {
                first++;
            }

            _appOnlyScopeSet[(int)p] = first;
        }

        // App-only: MSAL's suggested key has this shape, but the key must be known before MSAL runs (to coordinate a
        // cold miss with other instances), so it is fixed here. A public client's cache holds every account it signed
        // in, and MSAL suggests no key before it knows the account: one entry per application and tenant.
        StoreKey = clientId + "_" + tenant + (appOnly ? "_AppTokenCache" : "_UserTokenCache");
        var time = options.TimeProvider ?? TimeProvider.System;
        if (options.TokenCacheStore is { } store)
        {
            _fillCoordinator = new TokenCacheFillCoordinator(store, time, Logger);
        }

        Gate = new TokenCacheGate(acquire, time, options.RefreshMargin, Logger);
    }

    private const MailProtocol LastProtocol = MailProtocol.Graph;

    public MailTokenProviderOptions Options { get; }

    public string ClientId { get; }

    public string Tenant { get; }

    public bool AppOnly { get; }

    public MailCloud Cloud { get; }

    public Uri AuthorityHost { get; }

    public string Authority { get; }

    public ILogger Logger { get; }

    public IMsalHttpClientFactory HttpClientFactory { get; }

    public TokenCacheGate Gate { get; }

    /// <summary>The entry of <see cref="MailTokenProviderOptions.TokenCacheStore"/> that holds this flow's MSAL cache.</summary>
    public string StoreKey { get; }

    public IReadOnlyList<string> ScopesFor(MailProtocol protocol)
    {
        if ((uint)protocol > (uint)LastProtocol)
        {
            throw new ArgumentOutOfRangeException(nameof(protocol), protocol, "Unknown mail protocol.");
        }

        return _scopesByProtocol[(int)protocol];
    }

    /// <summary>App-only flows share one token across the protocols of a resource; delegated flows keep one per protocol and account.</summary>
    public TokenCacheKey KeyFor(MailTokenRequest request) =>
        AppOnly ? new TokenCacheKey((uint)request.Protocol <= (uint)LastProtocol ? _appOnlyScopeSet[(int)request.Protocol] : (int)request.Protocol, null) : new TokenCacheKey((int)request.Protocol + 1, request.Mailbox);

    public T ConfigureCommon<T>(T builder)
        where T : AbstractApplicationBuilder<T>
    {
        builder = builder
            .WithAuthority(Authority, validateAuthority: !Options.DisableInstanceDiscovery)
            .WithHttpClientFactory(HttpClientFactory)
            .WithClientName("ModernAuth.Mail")
            .WithClientVersion(typeof(FlowContext).Assembly.GetName().Version?.ToString() ?? "0.0.0")
            .WithLogging(OnMsalLog, MsalLogLevel.Warning, enablePiiLogging: false, enableDefaultPlatformLogging: false);
        if (Options.DisableInstanceDiscovery)
        {
            builder = builder.WithInstanceDiscovery(false);
        }

        return builder;
    }

    /// <summary>
    /// Runs one MSAL call through <see cref="RunAsync"/>; with a <see cref="MailTokenProviderOptions.TokenCacheStore"/>
    /// and no forced refresh, first coordinates with other instances so that a cold miss costs one token request in all.
    /// </summary>
    public Task<MailAccessToken> AcquireAsync(MailTokenRequest request, bool forceRefresh, Func<CancellationToken, Task<(AuthenticationResult Result, string? Account)>> call, CancellationToken cancellationToken)
    {
        if (forceRefresh || _fillCoordinator is null)
        {
            return RunAsync(request, call, cancellationToken);
        }

        return _fillCoordinator.RunAsync(StoreKey, ct => RunAsync(request, call, ct), cancellationToken);
    }

    /// <summary>Runs one MSAL call with timing, logging and error mapping. Cancellation passes through untouched.</summary>
    public async Task<MailAccessToken> RunAsync(MailTokenRequest request, Func<CancellationToken, Task<(AuthenticationResult Result, string? Account)>> call, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        try
        {
            var (result, account) = await call(cancellationToken).ConfigureAwait(false);
            var token = new MailAccessToken(result.AccessToken, result.ExpiresOn, account);
            if (Logger.IsEnabled(LogLevel.Information))
            {
                var elapsedMs = (Stopwatch.GetTimestamp() - started) * 1000 / Stopwatch.Frequency;
                Log.TokenAcquired(Logger, AppOnly ? "app-only" : "delegated", request.Protocol, account ?? "(unknown)", token.ExpiresOn, token.Fingerprint, elapsedMs);
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
