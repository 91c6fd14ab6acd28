using System.Diagnostics.Metrics;

namespace ModernAuth.Mail.Relay.Tests.Support;

/// <summary>A meter factory of the test's own, so parallel tests do not see each other's measurements.</summary>
public sealed class MeterFactoryForTests : IMeterFactory
{
    private readonly List<Meter> _meters = new();

    public Meter Create(MeterOptions options)
    {
        var meter = new Meter(options.Name, options.Version, options.Tags, scope: this);
        _meters.Add(meter);
        return meter;
    }

    public void Dispose()
    {
        foreach (var meter in _meters)
        {
            meter.Dispose();
        }
    }
}
