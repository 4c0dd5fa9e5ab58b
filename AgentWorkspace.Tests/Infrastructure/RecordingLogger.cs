using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace AgentWorkspace.Tests.Infrastructure;

/// <summary>Keeps every log line written through it, to prove that a failure was logged (and at which level).</summary>
public sealed class RecordingLogger : ILoggerProvider
{
    public sealed record Line(string Category, LogLevel Level, string Message, Exception? Error);

    private readonly List<Line> _lines = [];

    public IReadOnlyList<Line> Lines { get { lock (_lines) return [.. _lines]; } }

    /// <summary>Makes every <see cref="ILogger{T}"/> of <paramref name="services"/> write here (replacing what was registered before).</summary>
    public RecordingLogger AddTo(IServiceCollection services)
    {
        services.AddSingleton<ILoggerFactory>(_ => new LoggerFactory([this], new LoggerFilterOptions { MinLevel = LogLevel.Debug }));
        services.AddSingleton(typeof(ILogger<>), typeof(Logger<>));
        return this;
    }

    public IReadOnlyList<Line> At(LogLevel level) => Lines.Where(l => l.Level == level).ToList();

    public ILogger CreateLogger(string categoryName) => new Writer(this, categoryName);

    public void Dispose() { }

    private sealed class Writer(RecordingLogger owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            lock (owner._lines) owner._lines.Add(new Line(category, logLevel, formatter(state, exception), exception));
        }
    }
}
