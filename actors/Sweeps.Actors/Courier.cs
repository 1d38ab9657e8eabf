using Akka.Actor;
using Sweeps.Actors.Messages;

namespace Sweeps.Actors;

/// <summary>
/// Delivers the events that experiment actors of an earlier actor system of this process could not get answered (the
/// node was downed, e.g. while the coordinator was gone, and joined again as a new member): each trial's events in
/// order, each sent again until the coordinator answers it. Stops when every one is answered (the worker starts its
/// slots after that). So no event a trial produced is lost to a restart of its node's actor system.
/// </summary>
public sealed class Courier : ReceiveActor, IWithTimers
{
    private readonly WorkerContext _worker;
    private readonly Dictionary<string, EventOutbox> _outboxes = new(StringComparer.Ordinal);
    private readonly IActorRef _coordinator;

    /// <summary>A courier of <paramref name="worker"/>'s orphaned events to <paramref name="coordinator"/>.</summary>
    public Courier(IActorRef coordinator, WorkerContext worker)
    {
        ArgumentNullException.ThrowIfNull(coordinator);
        ArgumentNullException.ThrowIfNull(worker);
        _coordinator = coordinator;
        _worker = worker;
        Receive<TrialEventRecorded>(a =>
        {
            if (_outboxes.TryGetValue(a.TrialId, out var box) && box.Answered(a, Self) is not null && box.Pending.Count == 0)
            {
                _outboxes.Remove(a.TrialId);
                if (_outboxes.Count == 0)
                {
                    Context.Stop(Self);
                }
            }
        });
        Receive<Tick>(_ =>
        {
            foreach (var box in _outboxes.Values)
            {
                box.ResendIfDue(Self);
            }
        });
    }

    /// <inheritdoc/>
    public ITimerScheduler Timers { get; set; } = null!;

    /// <summary>The actor's props.</summary>
    public static Props Props(IActorRef coordinator, WorkerContext worker) => Akka.Actor.Props.Create(() => new Courier(coordinator, worker));

    /// <inheritdoc/>
    protected override void PreStart()
    {
        foreach (var e in _worker.TakeOrphans())
        {
            if (!_outboxes.TryGetValue(e.TrialId, out var box))
            {
                box = new EventOutbox(_coordinator, _worker.Settings.ResendInterval);
                _outboxes[e.TrialId] = box;
            }

            box.Enqueue(e, Self);
        }

        if (_outboxes.Count == 0)
        {
            Context.Stop(Self);
            return;
        }

        _worker.Log?.Invoke($"{_outboxes.Values.Sum(b => b.Pending.Count)} events of an earlier membership are sent again ({string.Join(", ", _outboxes.Keys)})");
        Timers.StartPeriodicTimer("resend", Tick.Instance, _worker.Settings.ResendInterval);
    }

    /// <inheritdoc/>
    protected override void PostStop()
    {
        // Stopped before every event was answered (its actor system went down again): the next courier sends the rest.
        _worker.Orphaned(_outboxes.Values.SelectMany(b => b.Pending));
        _outboxes.Clear();
    }

    private sealed record Tick
    {
        public static Tick Instance { get; } = new();
    }
}
