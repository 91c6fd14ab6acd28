namespace ModernAuth.Mail.Tests.Support;

/// <summary>Adds latency to the token requests of a flow pointed at the fake Entra ID.</summary>
public static class LatencyOptionsExtensions
{
    public static TOptions WithLatency<TOptions>(this TOptions options, TimeSpan latency)
        where TOptions : MailTokenProviderOptions
    {
        options.Transport = new LatencyHandler(options.Transport ?? throw new InvalidOperationException("Call UseFakeEntraId first."), latency);
        return options;
    }
}
