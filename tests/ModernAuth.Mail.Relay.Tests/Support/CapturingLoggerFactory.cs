using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace ModernAuth.Mail.Relay.Tests.Support;

/// <summary>Keeps every log line (message, and exception text) so tests can check what was and was not logged.</summary>
public sealed class CapturingLoggerFactory : ILoggerFactory
{
    private readonly ConcurrentQueue<(string Category, EventId Id, LogLevel Level, string Text)> _entries = new();

    public IReadOnlyCollection<(string Category, EventId Id, LogLevel Level, string Text)> Entries => _entries;

    public string AllText => string.Join("\n", _entries.Select(e => e.Text));

    public void AddProvider(ILoggerProvider provider)
    {
    }

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose()
    {
    }

    private sealed class Logger(CapturingLoggerFactory owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var text = formatter(state, exception);
            if (state is IEnumerable<KeyValuePair<string, object?>> values)
            {
                text += " | " + string.Join(", ", values.Select(v => v.Key + "=" + v.Value));
            }

            owner._entries.Enqueue((category, eventId, logLevel, text + (exception is null ? string.Empty : "\n" + exception)));
        }
    }
}
