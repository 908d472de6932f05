using Microsoft.Extensions.Logging;

namespace OrleansZk.Grains.Tests;

/// <summary>
/// When ORLEANSZK_TEST_LOG names a file, test silos append their OrleansZk log lines (Information
/// and up) to it: what to read when an ensemble test fails.
/// </summary>
internal sealed class FileLog(string path, string silo) : ILoggerProvider, ILogger
{
    private static readonly Lock Gate = new();

    public static string? Path => Environment.GetEnvironmentVariable("ORLEANSZK_TEST_LOG");

    public ILogger CreateLogger(string categoryName) => categoryName.StartsWith("OrleansZk", StringComparison.Ordinal) ? this : new Other(this, categoryName);

    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;

    /// <summary>Orleans' own categories: warnings and up.</summary>
    private sealed class Other(FileLog log, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Warning;
        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel)) log.Log(logLevel, eventId, state, exception, (s, e) => category + ": " + formatter(s, e));
        }
    }

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        if (!IsEnabled(logLevel)) return;
        var line = $"{DateTime.UtcNow:HH:mm:ss.fff} {silo} {logLevel} {formatter(state, exception)}{(exception == null ? "" : " | " + exception.GetType().Name + ": " + exception.Message)}\n";
        lock (Gate) File.AppendAllText(path, line);
    }

    public void Dispose() { }

    private static readonly ILogger NullLogger = Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance;
}
