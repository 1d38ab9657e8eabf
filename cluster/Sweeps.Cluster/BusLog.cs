using Microsoft.Extensions.Logging;

namespace Sweeps.Cluster;

/// <summary>
/// MassTransit's and RabbitMQ's own log lines (connection lost, reconnecting, endpoint faulted) written to a node's
/// log, prefixed <c>bus:</c>: by default warnings and errors, more with <c>SWEEPS_BUS_LOG=information|debug|trace</c>
/// (<c>none</c> silences them). Lines never hold the broker password: MassTransit logs addresses, not credentials.
/// </summary>
internal sealed class BusLog : ILoggerFactory
{
    /// <summary>The environment variable that sets the least level written.</summary>
    public const string LevelVariable = "SWEEPS_BUS_LOG";

    private readonly TextWriter _log;
    private readonly LogLevel _least;

    internal BusLog(TextWriter log, LogLevel least)
    {
        _log = log;
        _least = least;
    }

    /// <summary>Sends MassTransit's log (every bus of the process) to <paramref name="log"/>; a node calls it once at start.</summary>
    /// <param name="log">The node's log.</param>
    /// <exception cref="ArgumentException"><c>SWEEPS_BUS_LOG</c> is not a log level.</exception>
    public static void Attach(TextWriter log)
    {
        ArgumentNullException.ThrowIfNull(log);
        MassTransit.LogContext.ConfigureCurrentLogContext(new BusLog(TextWriter.Synchronized(log), Level(Environment.GetEnvironmentVariable(LevelVariable))));
    }

    /// <summary>The least level for a value of <c>SWEEPS_BUS_LOG</c> (warning when unset).</summary>
    /// <exception cref="ArgumentException">Not one of trace, debug, information, warning, error, critical, none.</exception>
    public static LogLevel Level(string? value) =>
        string.IsNullOrWhiteSpace(value) ? LogLevel.Warning
        : Enum.TryParse<LogLevel>(value.Trim(), ignoreCase: true, out var level) && Enum.IsDefined(level) && !int.TryParse(value, out _) ? level
        : throw new ArgumentException($"{LevelVariable}: '{value}' is not a log level (expected trace, debug, information, warning, error, critical or none)");

    /// <inheritdoc/>
    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    /// <inheritdoc/>
    public void AddProvider(ILoggerProvider provider)
    {
    }

    /// <inheritdoc/>
    public void Dispose()
    {
    }

    private sealed class Logger(BusLog owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None && logLevel >= owner._least;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (!IsEnabled(logLevel))
            {
                return;
            }

            var line = $"bus: {DateTime.Now:HH:mm:ss.fff} {logLevel} {category}: {formatter(state, exception)}";
            if (exception is not null)
            {
                line += $" ({exception.GetType().Name}: {exception.Message})";
            }

            try
            {
                owner._log.WriteLine(line);
            }
            catch (ObjectDisposedException)
            {
            }
        }
    }
}
