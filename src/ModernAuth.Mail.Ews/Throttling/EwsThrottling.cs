using System.Globalization;
using System.Net;
using Microsoft.Extensions.Logging;
using Polly;
using Polly.Retry;

namespace ModernAuth.Mail.Ews.Internal;

/// <summary>
/// The one Polly retry pipeline that decides whether a throttled EWS call is tried again, and when. A throttled call is
/// an <see cref="EwsException"/> with <see cref="EwsErrorCodes.Throttled"/>: HTTP 429 or 503, or <c>ErrorServerBusy</c>
/// in a SOAP fault or a response message. It waits what the server asked for (<c>Retry-After</c>,
/// <c>BackOffMilliseconds</c>), else <see cref="EwsAuthenticationHandlerOptions.DefaultRetryDelay"/> doubled per retry, and
/// gives up (rethrowing the server's answer) after <see cref="EwsAuthenticationHandlerOptions.MaxRetries"/> retries or
/// when the next wait would take the call past <see cref="EwsAuthenticationHandlerOptions.MaxTotalRetryDelay"/>.
/// </summary>
/// <remarks>
/// <see cref="EwsClient"/> runs it around each operation (send and read the answer), and the
/// <see cref="EwsAuthenticationHandler"/> around requests that do not come from an <see cref="EwsClient"/>, so a call is
/// never retried by two loops.
/// </remarks>
internal static class EwsThrottling
{
    private static readonly ResiliencePropertyKey<TimeSpan> Waited = new("ModernAuth.Mail.Ews.ThrottlingWaited");

    public static ResiliencePipeline Create(EwsAuthenticationHandlerOptions options, ILogger logger)
    {
        var maxRetries = options.MaxRetries;
        var budget = options.MaxTotalRetryDelay;
        var baseDelay = options.DefaultRetryDelay;
        return new ResiliencePipelineBuilder { TimeProvider = options.TimeProvider }
            .AddRetry(new RetryStrategyOptions
            {
                // Polly needs at least one; with MaxRetries 0 the predicate below refuses every retry (and logs why).
                MaxRetryAttempts = Math.Max(1, maxRetries),
                ShouldHandle = args => new ValueTask<bool>(
                    args.Outcome.Exception is EwsException { ErrorCode: EwsErrorCodes.Throttled } throttled &&
                    WithinBudget(throttled, args.AttemptNumber, args.Context)),
                DelayGenerator = args => new ValueTask<TimeSpan?>(DelayFor((EwsException)args.Outcome.Exception!, args.AttemptNumber)),
                OnRetry = args =>
                {
                    args.Context.Properties.Set(Waited, args.Context.Properties.GetValue(Waited, TimeSpan.Zero) + args.RetryDelay);
                    Log.Throttled(logger, Reason((EwsException)args.Outcome.Exception!), (long)args.RetryDelay.TotalMilliseconds, args.AttemptNumber + 1, maxRetries);
                    return default;
                },
            })
            .Build();

        bool WithinBudget(EwsException throttled, int retries, ResilienceContext context)
        {
            var delay = DelayFor(throttled, retries);
            var waited = context.Properties.GetValue(Waited, TimeSpan.Zero);
            if (retries < maxRetries && waited + delay <= budget)
            {
                return true;
            }

            Log.ThrottleBudgetExhausted(logger, Reason(throttled), retries, (long)waited.TotalMilliseconds, (long)delay.TotalMilliseconds);
            return false;
        }

        TimeSpan DelayFor(EwsException throttled, int retries) =>
            throttled.RetryAfter ?? TimeSpan.FromTicks(baseDelay.Ticks * (1L << Math.Min(retries, 16)));
    }

    /// <summary>What the server said, for the log: <c>HTTP 429, Retry-After 7000 ms</c>, <c>ErrorServerBusy, BackOffMilliseconds 1500</c>.</summary>
    private static string Reason(EwsException throttled)
    {
        var wait = throttled.RetryAfter is { } hint ? ((long)hint.TotalMilliseconds).ToString(CultureInfo.InvariantCulture) : null;
        if (throttled.ResponseCode is { } code)
        {
            var where = throttled.StatusCode == HttpStatusCode.OK ? " in a response message" : string.Empty;
            return code + where + (wait is null ? string.Empty : ", BackOffMilliseconds " + wait);
        }

        var status = throttled.StatusCode is { } s ? ((int)s).ToString(CultureInfo.InvariantCulture) : "?";
        return "HTTP " + status + (wait is null ? string.Empty : ", Retry-After " + wait + " ms");
    }
}
