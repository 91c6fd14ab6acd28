using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.Options;

namespace ModernAuth.Mail.Extensions.Internal;

/// <summary>Checks the distributed token cache's settings, and that an <see cref="IDistributedCache"/> exists, when the host starts.</summary>
internal sealed class DistributedTokenCacheOptionsValidator : IValidateOptions<DistributedTokenCacheOptions>
{
    private readonly ProviderRegistry _registry;
    private readonly IServiceProvider _services;

    public DistributedTokenCacheOptionsValidator(ProviderRegistry registry, IServiceProvider services)
    {
        _registry = registry;
        _services = services;
    }

    public ValidateOptionsResult Validate(string? name, DistributedTokenCacheOptions options)
    {
        if (name != Options.DefaultName)
        {
            return ValidateOptionsResult.Skip;
        }

        var failures = new List<string>();
        string Key(string setting) => _registry.TokenCachePath is { } path ? path + ":" + setting : setting + " of the distributed token cache options";

        if (TokenCacheProtector.CheckKey(options.EncryptionKey) is { } problem)
        {
            failures.Add($"{Key("EncryptionKey")} {problem}");
        }

        for (var i = 0; i < options.PreviousEncryptionKeys.Count; i++)
        {
            if (TokenCacheProtector.CheckKey(options.PreviousEncryptionKeys[i]) is { } previousProblem)
            {
                failures.Add($"{Key("PreviousEncryptionKeys:" + i)} {previousProblem}");
            }
        }

        if (options.OperationTimeout <= TimeSpan.Zero)
        {
            failures.Add($"{Key("OperationTimeout")} must be positive (for example 00:00:02).");
        }

        if (options.RetryInterval <= TimeSpan.Zero)
        {
            failures.Add($"{Key("RetryInterval")} must be positive (for example 00:00:30).");
        }

        if (options.SlidingExpiration <= TimeSpan.Zero)
        {
            failures.Add($"{Key("SlidingExpiration")} must be positive (for example 90.00:00:00).");
        }

        if (options.LeaseDuration < TimeSpan.FromSeconds(1))
        {
            // RedisCache (and others) keep expiries in whole seconds, truncated: a shorter lease would vanish at once.
            failures.Add($"{Key("LeaseDuration")} must be at least one second, as distributed caches keep expiries in whole seconds (for example 00:00:10).");
        }

        if (options.LeaseSettleDelay < TimeSpan.Zero || options.LeaseSettleDelay >= options.LeaseDuration)
        {
            failures.Add($"{Key("LeaseSettleDelay")} must be zero or more and shorter than LeaseDuration (for example 00:00:00.050).");
        }

        if (options.LeaseMaxWait < TimeSpan.Zero)
        {
            failures.Add($"{Key("LeaseMaxWait")} cannot be negative (for example 00:00:30).");
        }

        if (_services.GetService(typeof(IDistributedCache)) is null)
        {
            failures.Add("AddDistributedTokenCache() needs an IDistributedCache service: register one, for example services.AddStackExchangeRedisCache(o => o.Configuration = \"redis:6379\").");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
