using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using ModernAuth.Mail.Caching;
using ModernAuth.Mail.Internal;

namespace ModernAuth.Mail;

/// <summary>
/// The base of a token provider that is not one of the built-in MSAL flows (a bridge to another library, a vault, a
/// sidecar): derive from it, implement <see cref="AcquireTokenAsync"/>, and callers get the same cache gate as the
/// built-in flows. A token still valid beyond the refresh margin is returned at once without calling you (no
/// allocation); concurrent callers that miss share one call; a token inside the margin is refreshed once in the
/// background while callers keep getting the still-valid one; a forced refresh (<see cref="MailTokenRequest.ForceRefresh"/>)
/// bypasses the cache. Failures become <see cref="MailAuthenticationException"/>, every acquisition is logged with the
/// token's fingerprint (never the token).
/// </summary>
/// <example>
/// <code>
/// public sealed class VaultTokenProvider : CachedMailTokenProvider
/// {
///     public VaultTokenProvider() : base(isAppOnly: true, new CachedMailTokenProviderOptions()) { }
///
///     protected override async ValueTask&lt;MailAccessToken&gt; AcquireTokenAsync(MailTokenRequest request, IReadOnlyList&lt;string&gt; scopes, bool forceRefresh, CancellationToken cancellationToken)
///         => await vault.GetTokenAsync(scopes[0], cancellationToken);
/// }
/// </code>
/// </example>
public abstract class CachedMailTokenProvider : MailTokenProvider
{
    private readonly TokenCacheGate? _gate;
    private readonly MailCloud _cloud = MailCloud.Global;
    private readonly bool _appOnly;

    /// <summary>Creates a provider with its cache gate.</summary>
    /// <param name="isAppOnly">
    /// Whether the tokens act as the application (client credentials, managed identity): then one token serves every
    /// mailbox and is requested with the resource's <c>/.default</c> scope. Otherwise they act as a signed-in user and
    /// are kept per account and protocol.
    /// </param>
    /// <param name="options">The cloud, refresh margin, clock and logging; <see langword="null"/> for the defaults.</param>
    protected CachedMailTokenProvider(bool isAppOnly, CachedMailTokenProviderOptions? options)
    {
        options ??= new CachedMailTokenProviderOptions();
        _cloud = options.Cloud;
        _appOnly = isAppOnly;
        var logger = options.LoggerFactory?.CreateLogger(GetType().FullName ?? nameof(CachedMailTokenProvider)) ?? NullLogger.Instance;
        Logger = logger;
        _gate = new TokenCacheGate(new Source(this, logger), options.TimeProvider, options.RefreshMargin, logger);
    }

    /// <summary>For mocking only: <see cref="GetTokenAsync"/> of such an instance throws.</summary>
    protected CachedMailTokenProvider()
    {
        Logger = NullLogger.Instance;
    }

    /// <inheritdoc/>
    public override bool IsAppOnly => _appOnly;

    /// <inheritdoc/>
    public override MailCloud Cloud => _cloud;

    /// <summary>The provider's logger (category: the derived type's full name); a no-op logger without a logger factory.</summary>
    protected ILogger Logger { get; }

    /// <summary>Gets a token for <paramref name="request"/> through the cache gate.</summary>
    /// <param name="request">The protocol and mailbox.</param>
    /// <param name="cancellationToken">Cancels the wait. A shared token request carries on for other callers.</param>
    /// <returns>The token.</returns>
    /// <exception cref="MailAuthenticationException">No token could be had; its <see cref="MailAuthenticationException.ErrorCode"/> and <see cref="MailAuthenticationException.Remedy"/> say why and what to do.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public sealed override ValueTask<MailAccessToken> GetTokenAsync(MailTokenRequest request, CancellationToken cancellationToken = default) =>
        (_gate ?? throw new InvalidOperationException("This instance was made for mocking.")).GetTokenAsync(request, cancellationToken);

    /// <summary>
    /// Gets a new token from the source, on a cache miss or a forced refresh. Called once for all the callers waiting on
    /// the same token, never while a good token is cached. Throw <see cref="MailAuthenticationException"/> with a code
    /// and a remedy for failures you understand; any other exception (except a cancellation) becomes one with
    /// <see cref="MailErrorCodes.Unknown"/> and the original as its inner exception.
    /// </summary>
    /// <param name="request">The request that caused the miss (for an app-only provider, the first of the callers sharing the token).</param>
    /// <param name="scopes">
    /// The scopes for the request's protocol and <see cref="Cloud"/> (<see cref="MailCloud.GetScopes"/>): app-only,
    /// the resource's <c>/.default</c> (<c>https://outlook.office365.com/.default</c>, <c>https://graph.microsoft.com/.default</c>).
    /// </param>
    /// <param name="forceRefresh">Whether the source must bypass its own cache too (a server rejected the last token).</param>
    /// <param name="cancellationToken">Cancelled when every caller waiting for this token gave up.</param>
    /// <returns>The token; for a delegated provider with the account it belongs to, if known.</returns>
    protected abstract ValueTask<MailAccessToken> AcquireTokenAsync(MailTokenRequest request, IReadOnlyList<string> scopes, bool forceRefresh, CancellationToken cancellationToken);

    /// <summary>Connects the gate to <see cref="AcquireTokenAsync"/>: timing, logging and error mapping around one call.</summary>
    private sealed class Source : TokenCacheSource
    {
        private readonly CachedMailTokenProvider _owner;
        private readonly ILogger _logger;

        public Source(CachedMailTokenProvider owner, ILogger logger)
            : base(owner._cloud, owner._appOnly)
        {
            _owner = owner;
            _logger = logger;
        }

        public override async Task<MailAccessToken> AcquireAsync(MailTokenRequest request, bool forceRefresh, CancellationToken cancellationToken)
        {
            var started = Stopwatch.GetTimestamp();
            try
            {
                var token = await _owner.AcquireTokenAsync(request, ScopesFor(request.Protocol), forceRefresh, cancellationToken).ConfigureAwait(false);
                if (string.IsNullOrEmpty(token.Token))
                {
                    throw new MailAuthenticationException(MailErrorCodes.Unknown, $"{_owner.GetType().Name} returned an empty token.",
                        "Fix the token provider: it must return the access token or throw MailAuthenticationException.");
                }

                if (_logger.IsEnabled(LogLevel.Information))
                {
                    var elapsedMs = (Stopwatch.GetTimestamp() - started) * 1000 / Stopwatch.Frequency;
                    Log.TokenAcquired(_logger, IsAppOnly ? "app-only" : "delegated", request.Protocol, token.Account ?? "(unknown)", token.ExpiresOn, token.Fingerprint, elapsedMs);
                }

                return token;
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                throw;
            }
            catch (MailAuthenticationException error)
            {
                Log.TokenAcquisitionFailed(_logger, request.Protocol, error.ErrorCode, error.Message);
                throw;
            }
            catch (Exception error)
            {
                // The original's message may quote anything its source saw: it stays in the inner exception, out of logs.
                var mapped = new MailAuthenticationException(MailErrorCodes.Unknown,
                    $"{_owner.GetType().Name} failed to get a token for {request.Protocol} ({error.GetType().Name}).",
                    "See the inner exception; if it persists, report it with the log (tokens are never logged).", isRetryable: false, error)
                {
                    Protocol = request.Protocol,
                };
                Log.TokenAcquisitionFailed(_logger, request.Protocol, mapped.ErrorCode, mapped.Message);
                throw mapped;
            }
        }
    }
}
