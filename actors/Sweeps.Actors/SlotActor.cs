using Akka.Actor;
using Sweeps.Actors.Messages;

namespace Sweeps.Actors;

/// <summary>
/// One device slot of a node (work pulling): it tells the coordinator what it holds and whether it wants a trial, by
/// a <see cref="SlotStatus"/> sent at once when that changes and repeated every
/// <see cref="SweepActorSettings.StatusInterval"/>. It wants one while idle, and also when its running trial is about
/// to end (<see cref="ExperimentActor"/> says so <see cref="SweepActorSettings.AskAhead"/> before a sleeping trial's
/// end, and at a training trial's last step): the coordinator's answer (<see cref="RunTrial"/>) is then queued and
/// starts the moment the running trial ends. It runs each trial in a child <see cref="ExperimentActor"/>, one at a
/// time, and takes only the answer to its current request (<see cref="SlotStatus.Ask"/>): a repeated or late answer
/// is ignored. The coordinator watches it (DeathWatch): when its node dies or leaves, what it held is requeued.
/// </summary>
/// <remarks>
/// <see cref="CancelSweep"/> drops the queued trial and is passed to the running one (it stops at its next step and
/// reports cancelled); <see cref="StopTrial"/> drops or stops (without reporting) an attempt the coordinator no longer
/// expects; <see cref="HandBack"/> drops the queued trial, stops the running one without reporting it and ends the
/// requests for work. A trial whose training ended stays in <see cref="SlotStatus.Finishing"/> until its experiment
/// actor stopped (its last event answered).
/// </remarks>
public sealed class SlotActor : ReceiveActor, IWithTimers
{
    private readonly IActorRef _coordinator;
    private readonly DeviceSlot _slot;
    private readonly WorkerContext _worker;
    private readonly int _slots;
    private readonly Dictionary<IActorRef, TrialAttempt> _finishing = [];
    private int _ask = 1;
    private int _started;
    private (TrialAttempt Attempt, IActorRef Actor)? _running;
    private bool _ending;
    private bool _stopping;
    private RunTrial? _next;
    private bool _handingBack;

    /// <summary>A slot that asks <paramref name="coordinator"/> for work.</summary>
    /// <param name="coordinator">The coordinator (or a proxy to it).</param>
    /// <param name="slot">The device slot.</param>
    /// <param name="worker">What the slots of this process share.</param>
    /// <param name="slots">How many slots this process has (1 or more).</param>
    public SlotActor(IActorRef coordinator, DeviceSlot slot, WorkerContext worker, int slots = 1)
    {
        ArgumentNullException.ThrowIfNull(coordinator);
        ArgumentNullException.ThrowIfNull(slot);
        ArgumentNullException.ThrowIfNull(worker);
        ArgumentOutOfRangeException.ThrowIfLessThan(slots, 1);
        _coordinator = coordinator;
        _slot = slot;
        _worker = worker;
        _slots = slots;
        Receive<StatusTick>(_ => SendStatus());
        Receive<RunTrial>(Take);
        Receive<ExperimentActor.TrialEnding>(e =>
        {
            if (_running is { } r && r.Attempt == e.Attempt && !_ending)
            {
                _ending = true;
                SendStatus();
            }
        });
        Receive<ExperimentActor.TrainingEnded>(e =>
        {
            if (_running is { } r && r.Attempt == e.Attempt)
            {
                _finishing[r.Actor] = r.Attempt;
                _running = null;
                _ending = false;
                _stopping = false;
                if (_next is { } next)
                {
                    _next = null;
                    Start(next);
                }

                SendStatus();
            }
        });
        Receive<Terminated>(t =>
        {
            if (_finishing.Remove(t.ActorRef))
            {
                SendStatus();
            }
            else if (_running is { } r && r.Actor.Equals(t.ActorRef))
            {
                // Stopped before its training ended (only when its actor failed): nothing of it is left here.
                _running = null;
                _ending = false;
                _stopping = false;
                SendStatus();
            }
        });
        Receive<CancelSweep>(c =>
        {
            _next = null;
            _running?.Actor.Tell(c);
            SendStatus();
        });
        Receive<StopTrial>(Stop);
        Receive<HandBack>(_ =>
        {
            _handingBack = true;
            _next = null;
            _running?.Actor.Tell(ExperimentActor.Abandon.Instance);
        });
    }

    /// <inheritdoc/>
    public ITimerScheduler Timers { get; set; } = null!;

    /// <summary>The actor's props.</summary>
    /// <param name="coordinator">The coordinator (or a proxy to it).</param>
    /// <param name="slot">The device slot.</param>
    /// <param name="worker">What the slots of this process share.</param>
    /// <param name="slots">How many slots this process has.</param>
    public static Props Props(IActorRef coordinator, DeviceSlot slot, WorkerContext worker, int slots = 1) =>
        Akka.Actor.Props.Create(() => new SlotActor(coordinator, slot, worker, slots));

    /// <inheritdoc/>
    protected override void PreStart()
    {
        SendStatus();
        Timers.StartPeriodicTimer("status", StatusTick.Instance, _worker.Settings.StatusInterval);
    }

    private bool Wants => !_handingBack && _next is null && (_running is null || _ending);

    private void Take(RunTrial m)
    {
        if (m.Ask != _ask || !Wants)
        {
            return; // a repeat of an answer already taken, a late one, or one after the hand-back
        }

        _ask++;
        if (_running is null)
        {
            Start(m);
        }
        else
        {
            _next = m;
        }

        SendStatus();
    }

    private void Start(RunTrial m)
    {
        var actor = Context.ActorOf(ExperimentActor.Props(m, _slot, _coordinator, _worker), $"trial-{++_started}");
        Context.Watch(actor);
        _running = (new TrialAttempt(m.Trial.Id, m.Attempt), actor);
    }

    private void Stop(StopTrial s)
    {
        var attempt = new TrialAttempt(s.TrialId, s.Attempt);
        if (_next is { } next && new TrialAttempt(next.Trial.Id, next.Attempt) == attempt)
        {
            _worker.Log?.Invoke($"{attempt} is no longer expected by the coordinator: dropped before it started");
            _next = null;
            SendStatus();
        }
        else if (_running is { } r && r.Attempt == attempt && !_stopping)
        {
            _stopping = true;
            _worker.Log?.Invoke($"{attempt} is no longer expected by the coordinator: stopped");
            r.Actor.Tell(ExperimentActor.Abandon.Instance);
        }
    }

    private void SendStatus()
    {
        if (_handingBack)
        {
            return;
        }

        var next = _next is { } n ? new TrialAttempt(n.Trial.Id, n.Attempt) : (TrialAttempt?)null;
        _coordinator.Tell(
            new SlotStatus(_worker.Node, _slot.Index, _slots, _slot.Device, _ask, Wants, _running?.Attempt, next, [.. _finishing.Values]), Self);
    }

    private sealed record StatusTick
    {
        public static StatusTick Instance { get; } = new();
    }
}
