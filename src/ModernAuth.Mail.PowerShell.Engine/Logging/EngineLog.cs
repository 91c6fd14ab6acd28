using Microsoft.Extensions.Logging;

namespace ModernAuth.Mail.PowerShell.Engine.Logging;

/// <summary>
/// Where the engine reports its steps (PowerShell's verbose stream) and what a person must see (a device code, on the
/// information stream). Called from any thread: the cmdlet queues the messages and writes them on its own thread.
/// Messages never hold a token or a secret: the engine writes only names, hosts and fingerprints, and the libraries'
/// log messages it forwards are secret-free by design (their tests prove it).
/// </summary>
internal sealed class EngineLog(Action<string> verbose, Action<string> information)
{
    /// <summary>A log that drops everything.</summary>
    public static EngineLog None { get; } = new(static _ => { }, static _ => { });

    public void Verbose(string message) => verbose(message);

    public void Information(string message) => information(message);

    /// <summary>The libraries' logs (token acquisition, cache, MSAL warnings) as verbose lines.</summary>
    public ILoggerFactory CreateLoggerFactory() => new Factory(this);

    private sealed class Factory(EngineLog log) : ILoggerFactory
    {
        public ILogger CreateLogger(string categoryName) => new Logger(log);

        public void AddProvider(ILoggerProvider provider)
        {
        }

        public void Dispose()
        {
        }
    }

    private sealed class Logger(EngineLog log) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        // Information and above: the steps (token acquired, device code issued) and the warnings. MSAL's own
        // verbose chatter (Debug) stays out.
        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information && logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel))
            {
                log.Verbose(formatter(state, exception));
            }
        }
    }
}
