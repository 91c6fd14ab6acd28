using System.Diagnostics.Metrics;

namespace ModernAuth.Mail.Relay.Internal;

/// <summary>The relay's counters, on the meter <c>ModernAuth.Mail.Relay</c>.</summary>
internal sealed class RelayMetrics : IDisposable
{
    public const string MeterName = "ModernAuth.Mail.Relay";

    private readonly Meter _meter;
    private readonly bool _ownsMeter;

    public RelayMetrics(IMeterFactory? meterFactory, Func<int> queueDepth, Func<double> oldestAgeSeconds)
    {
        _ownsMeter = meterFactory is null;
        _meter = meterFactory?.Create(MeterName) ?? new Meter(MeterName);
        Received = _meter.CreateCounter<long>("modernauth.relay.messages.received", "{message}", "Messages accepted (250) and spooled.");
        Refused = _meter.CreateCounter<long>("modernauth.relay.messages.refused", "{message}", "Messages or senders refused with a 5xx or 4xx reply.");
        Delivered = _meter.CreateCounter<long>("modernauth.relay.messages.delivered", "{message}", "Messages delivered upstream.");
        Retried = _meter.CreateCounter<long>("modernauth.relay.messages.retried", "{message}", "Failed delivery attempts that will be retried.");
        DeadLettered = _meter.CreateCounter<long>("modernauth.relay.messages.dead_lettered", "{message}", "Messages given up on (upstream 5xx or expired).");
        _meter.CreateObservableGauge("modernauth.relay.queue.depth", queueDepth, "{message}", "Messages waiting for delivery.");
        _meter.CreateObservableGauge("modernauth.relay.queue.oldest_age", oldestAgeSeconds, "s", "Age of the oldest message waiting for delivery.");
    }

    public Counter<long> Received { get; }

    public Counter<long> Refused { get; }

    public Counter<long> Delivered { get; }

    public Counter<long> Retried { get; }

    public Counter<long> DeadLettered { get; }

    public void Dispose()
    {
        if (_ownsMeter)
        {
            _meter.Dispose();
        }
    }
}
