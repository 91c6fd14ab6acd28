using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Microsoft.Identity.Client;
using ModernAuth.Mail.Caching;

namespace ModernAuth.Mail.Internal;

/// <summary>
/// Wires a <see cref="MailTokenCacheStore"/> to MSAL's <see cref="ITokenCache"/>: the stored cache is loaded before
/// MSAL reads its cache and saved after MSAL changed it. Failures never fail a token request: MSAL keeps its
/// in-memory cache, and a write that failed is tried again after the next access.
/// </summary>
internal sealed class TokenCacheStoreBinding
{
    private readonly MailTokenCacheStore _store;
    private readonly Func<TokenCacheNotificationArgs, string> _keyFor;
    private readonly ILogger _logger;

    // Keys whose last write failed or whose stored entry MSAL could not read: written on the next access even
    // when MSAL changed nothing, so the store catches up with memory and a damaged entry is replaced.
    private readonly ConcurrentDictionary<string, bool> _unsaved = new(StringComparer.Ordinal);

    private TokenCacheStoreBinding(MailTokenCacheStore store, Func<TokenCacheNotificationArgs, string> keyFor, ILogger logger)
    {
        _store = store;
        _keyFor = keyFor;
        _logger = logger;
    }

    public static void Attach(ITokenCache cache, MailTokenCacheStore store, Func<TokenCacheNotificationArgs, string> keyFor, ILogger logger)
    {
        var binding = new TokenCacheStoreBinding(store, keyFor, logger);
        cache.SetBeforeAccessAsync(binding.BeforeAccessAsync);
        cache.SetAfterAccessAsync(binding.AfterAccessAsync);
    }

    private async Task BeforeAccessAsync(TokenCacheNotificationArgs args)
    {
        var key = _keyFor(args);
        byte[]? data;
        try
        {
            data = await _store.ReadAsync(key, args.CancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (args.CancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception error)
        {
            Log.TokenCacheStoreFailed(_logger, "read", key, error.GetType().Name);
            return;
        }

        // Nothing stored (or the store is down): keep what MSAL has in memory rather than forget it.
        if (data is null || data.Length == 0)
        {
            return;
        }

        try
        {
            args.TokenCache.DeserializeMsalV3(data, shouldClearExistingCache: true);
        }
        catch (MsalClientException error)
        {
            Log.TokenCacheStoreEntryInvalid(_logger, key, error.ErrorCode);
            _unsaved[key] = true;
        }
    }

    private async Task AfterAccessAsync(TokenCacheNotificationArgs args)
    {
        var key = _keyFor(args);
        if (!args.HasStateChanged && !_unsaved.ContainsKey(key))
        {
            return;
        }

        var data = args.TokenCache.SerializeMsalV3();
        try
        {
            await _store.WriteAsync(key, data, args.SuggestedCacheExpiry, args.CancellationToken).ConfigureAwait(false);
            _unsaved.TryRemove(key, out _);
        }
        catch (OperationCanceledException) when (args.CancellationToken.IsCancellationRequested)
        {
            _unsaved[key] = true;
            throw;
        }
        catch (Exception error)
        {
            _unsaved[key] = true;
            Log.TokenCacheStoreFailed(_logger, "write", key, error.GetType().Name);
        }
    }
}
