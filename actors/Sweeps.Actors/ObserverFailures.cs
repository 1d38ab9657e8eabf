using System.Collections.Concurrent;

namespace Sweeps.Actors;

/// <summary>
/// Where the exceptions of sweep observers (<see cref="ISweepObserver"/>) go. An observer must not break a sweep, so
/// every call that reaches one catches what it throws; this logs the first failure of each kind (the exception's type
/// and the method that threw it) with its stack trace, and counts them all, so that a broken observer (metrics, results
/// files) is seen once in the node's log instead of flooding it or failing silently.
/// </summary>
/// <remarks>Thread-safe.</remarks>
/// <param name="log">Receives one text per new kind of failure (may be several lines).</param>
public sealed class ObserverFailures(Action<string> log)
{
    private readonly ConcurrentDictionary<string, byte> _kinds = new(StringComparer.Ordinal);
    private long _count;

    /// <summary>The process's instance: logs to standard error (the node's log), read at each failure.</summary>
    public static ObserverFailures Default { get; } = new(text => Console.Error.WriteLine(text));

    /// <summary>Failures reported so far, logged or not.</summary>
    public long Count => Interlocked.Read(ref _count);

    /// <summary>Counts <paramref name="exception"/> and logs it if it is the first of its kind.</summary>
    /// <param name="exception">What the observer threw.</param>
    public void Report(Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        var count = Interlocked.Increment(ref _count);
        var site = exception.TargetSite is { } method ? $"{method.DeclaringType?.FullName}.{method.Name}" : "an unknown method";
        var kind = $"{exception.GetType().FullName} in {site}";
        if (_kinds.TryAdd(kind, 0))
        {
            log($"warning: a sweep observer failed ({kind}) and missed an event; the sweep goes on, and further failures of "
                + $"this kind are not logged ({count} observer failure(s) so far): {exception}");
        }
    }
}
