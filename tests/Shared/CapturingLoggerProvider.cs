using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace ModernAuth.Mail.Tests.Shared;

/// <summary>
/// Keeps every log entry (level, category, event id, formatted message, state values, exception) so tests can count
/// events and search everything that was logged for secrets.
/// </summary>
public sealed class CapturingLoggerProvider : ILoggerProvider
{
    private readonly ConcurrentQueue<Entry> _entries = new();

    public IReadOnlyList<Entry> Entries => _entries.ToArray();

    public IReadOnlyCollection<string> Lines => _entries.Select(e => e.ToString()).ToArray();

    public string AllText => string.Join("\n", _entries.Select(e => e.ToString()));

    public int Count(int eventId) => _entries.Count(e => e.EventId == eventId);

    public ILoggerFactory CreateFactory()
    {
        var factory = LoggerFactory.Create(builder => builder.SetMinimumLevel(LogLevel.Trace));
        factory.AddProvider(this);
        return factory;
    }

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose()
    {
    }

    public sealed record Entry(LogLevel Level, string Category, int EventId, string Message, string State, string? Exception)
    {
        public override string ToString() => $"{Level} {Category} [{EventId}] {Message} | {State} | {Exception}";
    }

    private sealed class Logger : ILogger
    {
        private readonly CapturingLoggerProvider _owner;
        private readonly string _category;

        public Logger(CapturingLoggerProvider owner, string category)
        {
            _owner = owner;
            _category = category;
        }

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var values = state is IEnumerable<KeyValuePair<string, object?>> pairs ? string.Join(";", pairs.Select(p => $"{p.Key}={p.Value}")) : string.Empty;
            _owner._entries.Enqueue(new Entry(logLevel, _category, eventId.Id, formatter(state, exception), values, exception?.ToString()));
        }
    }
}
