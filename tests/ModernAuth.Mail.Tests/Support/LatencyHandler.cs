namespace ModernAuth.Mail.Tests.Support;

/// <summary>Answers after a fixed delay, like a token service across a network.</summary>
public sealed class LatencyHandler : DelegatingHandler
{
    private readonly TimeSpan _latency;

    public LatencyHandler(HttpMessageHandler inner, TimeSpan latency)
        : base(inner) => _latency = latency;

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        await Task.Delay(_latency, cancellationToken);
        return await base.SendAsync(request, cancellationToken);
    }
}
