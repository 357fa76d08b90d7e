using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Outreach.Testing;

/// <summary>One log line as written: its level, its rendered message and the exception it carried.</summary>
public sealed record LogLine(LogLevel Level, string Message, Exception? Exception);

/// <summary>A logger that keeps what it is given, so a test can check that a failure left a line (and which).</summary>
public sealed class RecordingLogger<T> : ILogger<T>
{
    private readonly ConcurrentQueue<LogLine> lines = new();

    public IReadOnlyList<LogLine> Lines => [.. lines];

    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        ArgumentNullException.ThrowIfNull(formatter);
        lines.Enqueue(new LogLine(logLevel, formatter(state, exception), exception));
    }
}
