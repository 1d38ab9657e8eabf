namespace Sweeps.Actors;

/// <summary>
/// What the slot and experiment actors of one process share: the node's name in events, the observer of slots and
/// steps, the timings, the trial runner, and the count of trials whose training is still running (a process waits for
/// it to reach zero before it exits or starts a new actor system, so that a trial's folder has one writer).
/// Thread-safe.
/// </summary>
/// <param name="node">The process in events (<c>host/pid</c> in cluster mode, the host in embedded mode).</param>
/// <param name="observer">Told about slots and steps; null for nobody.</param>
/// <param name="settings">The actors' timings; null for <see cref="SweepActorSettings.Embedded"/>.</param>
/// <param name="runner">Runs the trials; null for a <see cref="TrialRunner"/>.</param>
public sealed class WorkerContext(string node, ISweepObserver? observer = null, SweepActorSettings? settings = null, TrialRunner? runner = null)
{
    private readonly Lock _lock = new();
    private readonly List<Messages.TrialEvent> _orphans = [];
    private int _training;
    private TaskCompletionSource _idle = Idle();

    /// <summary>The node's name in events and slot reports.</summary>
    public string Node { get; } = node;

    /// <summary>Told about slots and steps.</summary>
    public ISweepObserver Observer { get; } = observer ?? NullObserver.Instance;

    /// <summary>The actors' timings.</summary>
    public SweepActorSettings Settings { get; } = settings ?? SweepActorSettings.Embedded;

    /// <summary>Runs the trials.</summary>
    public TrialRunner Runner { get; } = runner ?? new TrialRunner();

    /// <summary>Told a line for each trial this process starts; null: nobody.</summary>
    public Action<string>? Log { get; init; }

    /// <summary>Trials whose training (or sleep) still runs in this process.</summary>
    public int Training
    {
        get
        {
            lock (_lock)
            {
                return _training;
            }
        }
    }

    /// <summary>Completes when no trial's training runs in this process (at once when none does).</summary>
    public Task WhenIdleAsync(CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            return _training == 0 ? Task.CompletedTask : _idle.Task.WaitAsync(cancellationToken);
        }
    }

    /// <summary>Whether experiment actors that were stopped left events unanswered (see <see cref="Courier"/>).</summary>
    public bool HasOrphans
    {
        get
        {
            lock (_lock)
            {
                return _orphans.Count > 0;
            }
        }
    }

    /// <summary>Takes the events left unanswered by experiment actors that were stopped (see <see cref="Courier"/>).</summary>
    public IReadOnlyList<Messages.TrialEvent> TakeOrphans()
    {
        lock (_lock)
        {
            var taken = _orphans.ToList();
            _orphans.Clear();
            return taken;
        }
    }

    /// <summary>Keeps the unanswered events of an experiment actor that stopped (its actor system went down).</summary>
    internal void Orphaned(IEnumerable<Messages.TrialEvent> events)
    {
        lock (_lock)
        {
            _orphans.AddRange(events);
        }
    }

    /// <summary>A trial's training started (called by the experiment actor).</summary>
    internal void TrainingStarted()
    {
        lock (_lock)
        {
            if (_training++ == 0)
            {
                _idle = Idle();
            }
        }
    }

    /// <summary>A trial's training ended (called from the training task's continuation).</summary>
    internal void TrainingEnded()
    {
        lock (_lock)
        {
            if (--_training == 0)
            {
                _idle.TrySetResult();
            }
        }
    }

    private static TaskCompletionSource Idle() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
