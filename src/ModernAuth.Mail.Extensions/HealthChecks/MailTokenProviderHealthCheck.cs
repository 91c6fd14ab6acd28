using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace ModernAuth.Mail.Extensions.Internal;

/// <summary>
/// Asks every registered provider (or the named ones) for a token, in parallel. Healthy when all got one; the data
/// holds, per provider, <c>healthy</c> or the error code. Never the token: only its expiry.
/// A device code provider with no signed-in account reports <c>interaction_required</c> instead of starting a
/// sign-in that would wait for a person.
/// </summary>
internal sealed class MailTokenProviderHealthCheck : IHealthCheck
{
    private readonly MailTokenProviderFactory _factory;
    private readonly IReadOnlyList<string>? _names;
    private readonly ILogger _logger;

    public MailTokenProviderHealthCheck(MailTokenProviderFactory factory, IReadOnlyList<string>? names, ILoggerFactory? loggerFactory)
    {
        _factory = factory;
        _names = names;
        _logger = loggerFactory?.CreateLogger("ModernAuth.Mail.Extensions.HealthCheck") ?? NullLogger.Instance;
    }

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var names = _names ?? _factory.ProviderNames;
        if (names.Count == 0)
        {
            return new HealthCheckResult(context.Registration.FailureStatus, "No ModernAuth.Mail provider is registered.");
        }

        var outcomes = await Task.WhenAll(names.Select(name => CheckAsync(name, cancellationToken))).ConfigureAwait(false);
        var data = new Dictionary<string, object>(StringComparer.Ordinal);
        foreach (var outcome in outcomes)
        {
            data[outcome.Name] = outcome.ErrorCode ?? "healthy";
        }

        var failed = outcomes.Where(o => o.ErrorCode is not null).ToArray();
        if (failed.Length == 0)
        {
            var expiry = outcomes.Min(o => o.ExpiresOn);
            return HealthCheckResult.Healthy($"{outcomes.Length} ModernAuth.Mail provider(s) got a token (the first expires {expiry:u}).", data);
        }

        var description = $"{failed.Length} of {outcomes.Length} ModernAuth.Mail provider(s) could not get a token: " +
            string.Join("; ", failed.Select(f => $"'{f.Name}': {f.ErrorCode}{(f.Remedy is { Length: > 0 } remedy ? " (" + remedy + ")" : string.Empty)}"));
        return new HealthCheckResult(context.Registration.FailureStatus, description, exception: null, data);
    }

    private async Task<Outcome> CheckAsync(string name, CancellationToken cancellationToken)
    {
        Outcome Failed(string code, string? remedy)
        {
            Log.HealthCheckProviderFailed(_logger, name, code);
            return new Outcome(name, code, remedy, default);
        }

        try
        {
            var settings = _factory.GetProviderOptions(name);
            var provider = _factory.GetProvider(name);
            if (provider is DeviceCodeTokenProvider deviceCode && (await deviceCode.GetSignedInAccountsAsync(cancellationToken).ConfigureAwait(false)).Count == 0)
            {
                return Failed(MailErrorCodes.InteractionRequired, "No user has signed in yet: sign in once with the device code flow.");
            }

            // A health check must never open a browser and wait for a person.
            if (provider is InteractiveBrowserTokenProvider browser && (await browser.GetSignedInAccountsAsync(cancellationToken).ConfigureAwait(false)).Count == 0)
            {
                return Failed(MailErrorCodes.InteractionRequired, "No user has signed in yet: sign in once in the browser (modernauth-mail token --flow interactive).");
            }

            var token = await provider.GetTokenAsync(new MailTokenRequest(settings.HealthCheckProtocol, settings.Mailbox), cancellationToken).ConfigureAwait(false);
            return new Outcome(name, null, null, token.ExpiresOn);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (MailAuthenticationException error)
        {
            return Failed(error.ErrorCode, error.Remedy);
        }
        catch (OptionsValidationException)
        {
            return Failed(MailErrorCodes.InvalidConfiguration, "The provider's settings are invalid: see the start-up validation message.");
        }
        catch (Exception error)
        {
            return Failed(MailErrorCodes.Unknown, error.GetType().Name);
        }
    }

    private readonly struct Outcome
    {
        public Outcome(string name, string? errorCode, string? remedy, DateTimeOffset expiresOn)
        {
            Name = name;
            ErrorCode = errorCode;
            Remedy = remedy;
            ExpiresOn = expiresOn;
        }

        public string Name { get; }

        public string? ErrorCode { get; }

        public string? Remedy { get; }

        public DateTimeOffset ExpiresOn { get; }
    }
}
