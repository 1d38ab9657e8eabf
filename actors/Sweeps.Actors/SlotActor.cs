using Akka.Actor;
using Sweeps.Actors.Messages;

namespace Sweeps.Actors;

/// <summary>
/// One device slot of a node (work pulling): while idle it asks the coordinator for work, and it tells the coordinator
/// what it runs, by a <see cref="SlotStatus"/> sent at once when that changes and repeated every
/// <see cref="SweepActorSettings.StatusInterval"/>. It runs the coordinator's answer (<see cref="RunTrial"/>) in a child
/// <see cref="ExperimentActor"/>, one trial at a time, and only the answer to its current request (<see
/// cref="SlotStatus.Ask"/>): a repeated or late answer is ignored. The coordinator watches it (DeathWatch): when its
/// node dies or leaves, the trial it ran is requeued.
/// </summary>
/// <remarks>
/// <see cref="CancelSweep"/> is passed to the running trial (it stops at its next step and reports cancelled);
/// <see cref="StopTrial"/> stops a trial the coordinator no longer expects; <see cref="HandBack"/> stops the running
/// trial without reporting it and ends the requests for work.
/// </remarks>
public sealed class SlotActor : ReceiveActor, IWithTimers
{
    private readonly IActorRef _coordinator;
    private readonly DeviceSlot _slot;
    private readonly WorkerContext _worker;
    private int _ask = 1;
    private int _started;
    private (string TrialId, int Attempt, IActorRef Actor)? _running;
    private bool _handingBack;

    /// <summary>A slot that asks <paramref name="coordinator"/> for work.</summary>
    public SlotActor(IActorRef coordinator, DeviceSlot slot, WorkerContext worker)
    {
        ArgumentNullException.ThrowIfNull(coordinator);
        ArgumentNullException.ThrowIfNull(slot);
        ArgumentNullException.ThrowIfNull(worker);
        _coordinator = coordinator;
        _slot = slot;
        _worker = worker;
        Receive<StatusTick>(_ => SendStatus());
        Receive<RunTrial>(Run);
        Receive<ExperimentActor.TrainingEnded>(e =>
        {
            if (_running is { } r && r.TrialId == e.TrialId && r.Attempt == e.Attempt)
            {
                _running = null;
                SendStatus();
            }
        });
        Receive<CancelSweep>(c => _running?.Actor.Tell(c));
        Receive<StopTrial>(s =>
        {
            if (_running is { } r && r.TrialId == s.TrialId && r.Attempt == s.Attempt)
            {
                _worker.Log?.Invoke($"{s.TrialId} attempt {s.Attempt} is no longer expected by the coordinator: stopped");
                r.Actor.Tell(ExperimentActor.Abandon.Instance);
            }
        });
        Receive<HandBack>(_ =>
        {
            _handingBack = true;
            _running?.Actor.Tell(ExperimentActor.Abandon.Instance);
        });
    }

    /// <inheritdoc/>
    public ITimerScheduler Timers { get; set; } = null!;

    /// <summary>The actor's props.</summary>
    public static Props Props(IActorRef coordinator, DeviceSlot slot, WorkerContext worker) =>
        Akka.Actor.Props.Create(() => new SlotActor(coordinator, slot, worker));

    /// <inheritdoc/>
    protected override void PreStart()
    {
        SendStatus();
        Timers.StartPeriodicTimer("status", StatusTick.Instance, _worker.Settings.StatusInterval);
    }

    private void Run(RunTrial m)
    {
        if (_running is not null || m.Ask != _ask || _handingBack)
        {
            return; // a repeat of an answer already taken, a late one, or one after the hand-back
        }

        _ask++;
        var actor = Context.ActorOf(ExperimentActor.Props(m, _slot, _coordinator, _worker), $"trial-{++_started}");
        _running = (m.Trial.Id, m.Attempt, actor);
        SendStatus();
    }

    private void SendStatus()
    {
        if (_handingBack)
        {
            return;
        }

        _coordinator.Tell(new SlotStatus(_worker.Node, _slot.Index, _slot.Device, _ask, _running?.TrialId, _running?.Attempt ?? 0), Self);
    }

    private sealed record StatusTick
    {
        public static StatusTick Instance { get; } = new();
    }
}
