using Sweeps.Actors.Messages;
using Sweeps.Actors.Planning;

namespace Sweeps.Actors.Storage;

/// <summary>An <see cref="ISweepStore"/> in memory (tests, benchmarks): nothing survives the process. Events are kept
/// as their JSON, so what comes back is what a durable store would return.</summary>
public sealed class InMemorySweepStore : ISweepStore
{
    private readonly Lock _lock = new();
    private readonly List<TrialSpec> _trials = [];
    private readonly HashSet<string> _trialIds = new(StringComparer.Ordinal);
    private readonly List<string> _events = [];
    private readonly HashSet<TrialEventKey> _keys = [];
    private string? _sweep;
    private bool _cancel;
    private bool _disposed;

    /// <inheritdoc/>
    public SweepInfo? LoadSweep()
    {
        lock (_lock)
        {
            Check();
            return _sweep is null ? null : StoreJson.DeserializeInfo(_sweep);
        }
    }

    /// <inheritdoc/>
    public void SaveSweep(SweepInfo info)
    {
        ArgumentNullException.ThrowIfNull(info);
        lock (_lock)
        {
            Check();
            _sweep = StoreJson.Serialize(info);
        }
    }

    /// <inheritdoc/>
    public int AddTrials(IEnumerable<TrialSpec> trials)
    {
        ArgumentNullException.ThrowIfNull(trials);
        var list = trials.ToList();
        lock (_lock)
        {
            Check();
            var added = 0;
            foreach (var t in list)
            {
                if (_trialIds.Add(t.Id))
                {
                    _trials.Add(StoreJson.DeserializeSpec(StoreJson.Serialize(t)));
                    added++;
                }
            }

            return added;
        }
    }

    /// <inheritdoc/>
    public IReadOnlyList<TrialSpec> LoadTrials()
    {
        lock (_lock)
        {
            Check();
            return [.. _trials];
        }
    }

    /// <inheritdoc/>
    public bool Record(TrialEvent e)
    {
        ArgumentNullException.ThrowIfNull(e);
        var json = StoreJson.Serialize(e);
        lock (_lock)
        {
            Check();
            if (!_keys.Add(e.Key))
            {
                return false;
            }

            _events.Add(json);
            return true;
        }
    }

    /// <inheritdoc/>
    public bool Contains(TrialEventKey key)
    {
        lock (_lock)
        {
            Check();
            return _keys.Contains(key);
        }
    }

    /// <inheritdoc/>
    public IReadOnlyList<TrialEvent> LoadEvents()
    {
        lock (_lock)
        {
            Check();
            return _events.Select(StoreJson.DeserializeEvent).ToList();
        }
    }

    /// <inheritdoc/>
    public void RequestCancel()
    {
        lock (_lock)
        {
            Check();
            _cancel = true;
        }
    }

    /// <inheritdoc/>
    public bool IsCancelRequested()
    {
        lock (_lock)
        {
            Check();
            return _cancel;
        }
    }

    /// <inheritdoc/>
    public void ClearCancelRequest()
    {
        lock (_lock)
        {
            Check();
            _cancel = false;
        }
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        lock (_lock)
        {
            _disposed = true;
        }
    }

    private void Check() => ObjectDisposedException.ThrowIf(_disposed, this);
}
