using Akka.Actor;
using Akka.Event;
using Sweeps.Actors.Messages;
using Sweeps.Actors.Planning;
using Sweeps.Actors.State;
using Sweeps.Actors.Storage;

namespace Sweeps.Actors;

/// <summary>
/// The sweep's coordinator, an actor (a cluster singleton in cluster mode): it keeps the <see cref="SweepState"/>,
/// records every trial event exactly once into the store (persist, then apply) and answers its sender, and gives
/// ready trials to idle slots (work pulling). It finishes (<see cref="CoordinatorHandle.Completion"/>) when nothing
/// runs and nothing more can be given out.
/// </summary>
/// <remarks>
/// <para>Start: the store's trials and events are replayed (a re-run continues: completed trials stay completed), the
/// plan's new trials are added, and cancelled trials are requeued (<see cref="TrialRequeued"/>, a new attempt that
/// resumes from the checkpoint). Trials the store shows running are requeued at once when
/// <see cref="CoordinatorOptions.RequeueRunningOnStart"/> (embedded mode); otherwise (cluster mode) their slots have
/// <see cref="SweepActorSettings.ClaimWindow"/> from the first slot status that arrives (at most
/// <see cref="SweepActorSettings.ClaimTimeout"/> when none does) to say they still run them, nothing is given out
/// meanwhile, and the unclaimed ones are requeued after it.</para>
/// <para>Placement: a ready trial (pending, its teacher completed) goes only to an idle slot, the one idle longest;
/// interrupted trials (resumed from a checkpoint) go before new ones, the rest in plan order (teachers first).</para>
/// <para>Events (<see cref="RecordEvent"/>): a duplicate (key already recorded) or an illegal one (a stale attempt)
/// changes nothing; otherwise it is persisted first, then applied. Every one is answered with
/// <see cref="TrialEventRecorded"/> so that its sender stops re-sending it; one the store fails to record is not answered
/// (its sender sends it again).</para>
/// <para>Slots are watched (DeathWatch): when a slot terminates (its node was downed or left), its running trial is
/// requeued as a new attempt and given to another slot, which resumes it from its last epoch checkpoint.</para>
/// <para>Cancel (<see cref="CancelSweep"/>): nothing more is given out, every slot is told, and the sweep finishes as
/// <c>cancelled</c> once no trial runs.</para>
/// </remarks>
public sealed class SweepCoordinator : ReceiveActor, IWithTimers
{
    private readonly CoordinatorOptions _options;
    private readonly IReadOnlyList<TrialSpec> _plan;
    private readonly ISweepStore _store;
    private readonly ISweepObserver _observer;
    private readonly CoordinatorHandle _handle;
    private readonly SweepActorSettings _settings;
    private readonly Dictionary<IActorRef, SlotEntry> _slots = [];
    private readonly Dictionary<string, IActorRef> _owner = new(StringComparer.Ordinal);
    private SweepState _state;
    private long _idleOrder;
    private bool _cancelling;
    private bool _holding;
    private bool _finished;

    /// <summary>A coordinator of <paramref name="plan"/> that records into <paramref name="store"/>.</summary>
    public SweepCoordinator(
        CoordinatorOptions options, IReadOnlyList<TrialSpec> plan, ISweepStore store, CoordinatorHandle handle, ISweepObserver? observer = null,
        SweepActorSettings? settings = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(handle);
        _options = options;
        _plan = plan;
        _store = store;
        _handle = handle;
        _observer = observer ?? NullObserver.Instance;
        _settings = settings ?? SweepActorSettings.Embedded;
        _state = SweepState.Create(plan);
        Receive<SlotStatus>(OnStatus);
        Receive<RecordEvent>(OnEvent);
        Receive<Terminated>(OnTerminated);
        Receive<CancelSweep>(OnCancel);
        Receive<ClaimWindowEnded>(_ => OnClaimWindowEnded());
    }

    /// <inheritdoc/>
    public ITimerScheduler Timers { get; set; } = null!;

    /// <summary>The actor's props.</summary>
    public static Props Props(
        CoordinatorOptions options, IReadOnlyList<TrialSpec> plan, ISweepStore store, CoordinatorHandle handle, ISweepObserver? observer = null,
        SweepActorSettings? settings = null) =>
        Akka.Actor.Props.Create(() => new SweepCoordinator(options, plan, store, handle, observer, settings));

    /// <inheritdoc/>
    protected override void PreStart()
    {
        try
        {
            Load();
        }
#pragma warning disable CA1031 // the host learns why through the handle (e.g. a store of another plan) and reports it
        catch (Exception ex)
#pragma warning restore CA1031
        {
            _finished = true;
            _handle.Fail(ex);
            Context.Stop(Self);
            return;
        }

        Dispatch();
        CheckFinished();
    }

    private void Load()
    {
        _store.AddTrials(_plan);
        var recorded = _store.LoadTrials().ToDictionary(t => t.Id, StringComparer.Ordinal);
        foreach (var spec in _plan)
        {
            if (recorded[spec.Id] != spec)
            {
                throw new InvalidOperationException(
                    $"the store in {_options.OutputDirectory} planned trial '{spec.Id}' differently (epochs, quantizer or teacher changed): use another output folder");
            }
        }

        var planned = _plan.Select(p => p.Id).ToHashSet(StringComparer.Ordinal);
        foreach (var e in _store.LoadEvents().Where(e => planned.Contains(e.TrialId)))
        {
            _state = _state.Apply(e);
        }

        _handle.Publish(_state);
        var now = DateTimeOffset.UtcNow;
        foreach (var requeue in _state.RequeueInterrupted(now)
            .Where(r => _options.RequeueRunningOnStart || _state.Trials[r.TrialId].Status != TrialStatus.Running))
        {
            RecordAndApply(requeue);
        }

        if (!_options.RequeueRunningOnStart && _settings.ClaimWindow > TimeSpan.Zero && _state.Trials.Values.Any(t => t.Status == TrialStatus.Running))
        {
            // Restarted while slots ran trials: learn which from their statuses before giving anything out. The window
            // opens with the first status (the workers' proxies find a new coordinator some time after it starts), and
            // closes after ClaimTimeout when no slot speaks at all.
            _holding = true;
            Timers.StartSingleTimer("claim-timeout", ClaimWindowEnded.Instance, _settings.ClaimTimeout);
        }
    }

    private void OnStatus(SlotStatus status)
    {
        var slot = Sender;
        if (_holding && !Timers.IsTimerActive("claim"))
        {
            Timers.StartSingleTimer("claim", ClaimWindowEnded.Instance, _settings.ClaimWindow);
        }

        if (!_slots.TryGetValue(slot, out var entry))
        {
            entry = new SlotEntry(status.Node, status.Slot, status.Device);
            _slots[slot] = entry;
            Context.Watch(slot);
        }

        if (status.TrialId is { } trial)
        {
            OnBusy(slot, entry, trial, status.Attempt);
        }
        else if (entry.Dispatched is { } d && d.Ask == status.Ask)
        {
            // The slot has not taken our answer yet: after a while, send it again (it runs it once, by its number).
            if (!_cancelling && DateTimeOffset.UtcNow - d.SentAt >= _settings.RedispatchAfter && _owner.GetValueOrDefault(d.Trial.Trial.Id) == slot)
            {
                entry.Dispatched = d with { SentAt = DateTimeOffset.UtcNow };
                slot.Tell(d.Trial);
            }

            return;
        }
        else
        {
            if (entry.Dispatched is { } taken && _owner.GetValueOrDefault(taken.Trial.Trial.Id) == slot
                && _state.Trials[taken.Trial.Trial.Id].Status == TrialStatus.Pending)
            {
                // The slot went past our answer without starting it (its start would have arrived before this status):
                // it took another coordinator's answer instead. Ours goes to another slot.
                _owner.Remove(taken.Trial.Trial.Id);
            }

            entry.Dispatched = null;
            if (entry.IdleAsk != status.Ask)
            {
                entry.IdleAsk = status.Ask;
                entry.IdleSince = ++_idleOrder;
            }
        }

        Dispatch();
        CheckFinished();
    }

    private void OnBusy(IActorRef slot, SlotEntry entry, string trial, int attempt)
    {
        entry.IdleAsk = null;
        if (entry.Dispatched is { } d && d.Trial.Trial.Id != trial && _owner.GetValueOrDefault(d.Trial.Trial.Id) == slot
            && _state.Trials[d.Trial.Trial.Id].Status == TrialStatus.Pending)
        {
            _owner.Remove(d.Trial.Trial.Id); // it runs something else (sent by an earlier coordinator): ours goes elsewhere
        }

        entry.Dispatched = null;
        if (!_state.Trials.TryGetValue(trial, out var t))
        {
            return;
        }

        var expected = t.Status == TrialStatus.Running ? t.Attempts : t.Attempts + 1;
        if (t.Status is (TrialStatus.Running or TrialStatus.Pending) && attempt == expected)
        {
            _owner[trial] = slot;
        }
        else if (attempt < expected || t.Status is not (TrialStatus.Running or TrialStatus.Pending))
        {
            slot.Tell(new StopTrial(trial, attempt)); // a requeued (or finished) attempt still running there
        }
    }

    private void OnEvent(RecordEvent message)
    {
        var e = message.Event;
        EventOutcome outcome;
        try
        {
            outcome = RecordAndApply(e);
        }
        catch (StoreException ex)
        {
            // Not answered: the sender sends it again, and nothing changed (a store call that throws changes nothing).
            Context.System.Log.Warning("the store did not record {0} of {1}: {2}; waiting for it to be sent again", e.GetType().Name, e.TrialId, ex.Message);
            return;
        }

        Sender.Tell(new TrialEventRecorded(e.TrialId, e.Attempt, e.Sequence, outcome));
        if (outcome == EventOutcome.Recorded)
        {
            Dispatch();
            CheckFinished();
        }
    }

    private void OnTerminated(Terminated terminated)
    {
        var slot = terminated.ActorRef;
        if (!_slots.Remove(slot, out var entry))
        {
            return;
        }

        foreach (var trial in _owner.Where(o => o.Value.Equals(slot)).Select(o => o.Key).ToList())
        {
            _owner.Remove(trial);
            var t = _state.Trials[trial];
            if (t.Status == TrialStatus.Running)
            {
                RecordAndApply(new TrialRequeued(trial, t.Attempts + 1, 0, DateTimeOffset.UtcNow));
                Context.System.Log.Info("slot {0} of {1} is gone: {2} requeued as attempt {3}", entry.Slot, entry.Node, trial, t.Attempts + 1);
            }
        }

        Dispatch();
        CheckFinished();
    }

    private void OnCancel(CancelSweep cancel)
    {
        if (!_cancelling)
        {
            _cancelling = true;
            _handle.Cancelling();
            foreach (var slot in _slots.Keys)
            {
                slot.Tell(cancel);
            }
        }

        CheckFinished();
    }

    private void OnClaimWindowEnded()
    {
        if (!_holding)
        {
            return;
        }

        _holding = false;
        Timers.CancelAll();
        var now = DateTimeOffset.UtcNow;
        var unclaimed = _state.InOrder.Where(t => t.Status == TrialStatus.Running && !_owner.ContainsKey(t.Spec.Id)).ToList();
        foreach (var t in unclaimed)
        {
            RecordAndApply(new TrialRequeued(t.Spec.Id, t.Attempts + 1, 0, now));
        }

        Context.System.Log.Info(
            "claim window closed: {0} running trials claimed by their slots, {1} requeued ({2})",
            _owner.Count, unclaimed.Count, string.Join(", ", unclaimed.Select(t => t.Spec.Id)));

        Dispatch();
        CheckFinished();
    }

    private EventOutcome RecordAndApply(TrialEvent e)
    {
        if (_store.Contains(e.Key))
        {
            Observe.Safely(() => _observer.EventRecorded(e, EventOutcome.Duplicate));
            return EventOutcome.Duplicate;
        }

        SweepState next;
        try
        {
            next = _state.Apply(e);
        }
        catch (InvalidTransitionException ex)
        {
            Context.System.Log.Info("rejected: {0}", ex.Message);
            Observe.Safely(() => _observer.EventRecorded(e, EventOutcome.Rejected));
            return EventOutcome.Rejected;
        }

        if (!_store.Record(e))
        {
            Observe.Safely(() => _observer.EventRecorded(e, EventOutcome.Duplicate));
            return EventOutcome.Duplicate;
        }

        var before = _state.Trials[e.TrialId];
        _state = next;
        _handle.Publish(next);
        var after = next.Trials[e.TrialId];
        if (after.Status is TrialStatus.Completed or TrialStatus.Failed or TrialStatus.Cancelled)
        {
            _owner.Remove(e.TrialId);
        }

        var labels = TrialLabels.Of(_options.Sweep, after.Spec);
        Observe.Safely(() => _observer.EventRecorded(e, EventOutcome.Recorded));
        if (before.Status != after.Status)
        {
            Observe.Safely(() => _observer.TrialStateChanged(labels, before.Status, after.Status));
        }

        if (e is TrialEpochCompleted p)
        {
            Observe.Safely(() => _observer.EpochReported(labels, new EpochReport(p.Epoch, p.Epochs, p.TrainLoss, p.TestTop1, p.SamplesPerSecond, p.Seconds)));
        }

        return EventOutcome.Recorded;
    }

    private void Dispatch()
    {
        if (_cancelling || _holding || _finished)
        {
            return;
        }

        List<TrialState>? ready = null;
        while (true)
        {
            var idle = IdleSlot();
            if (idle is null)
            {
                return;
            }

            ready ??= [.. _state.Ready().Where(t => !_owner.ContainsKey(t.Spec.Id)).OrderBy(t => t.Attempts > 0 ? 0 : 1)];
            if (ready.Count == 0)
            {
                return;
            }

            var t = ready[0];
            ready.RemoveAt(0);
            var (slot, entry) = idle.Value;
            var teacher = t.Spec.Teacher is { } id ? Path.Combine(_options.TrialDirectory(id), "model.pt") : null;
            var run = new RunTrial(
                _options.Sweep, t.Spec, t.Attempts + 1, _options.TrialDirectory(t.Spec.Id), teacher, _options.DataDirectory, _options.TrainLimit,
                _options.TestLimit, DateTimeOffset.UtcNow, entry.IdleAsk!.Value)
            {
                ImageSize = _options.ImageSize,
                SkipBadImages = _options.SkipBadImages,
            };
            entry.Dispatched = new Sent(run, run.Ask, run.SentAt);
            entry.IdleAsk = null;
            _owner[t.Spec.Id] = slot;
            slot.Tell(run);
        }
    }

    private (IActorRef Slot, SlotEntry Entry)? IdleSlot()
    {
        (IActorRef, SlotEntry)? best = null;
        foreach (var (slot, entry) in _slots)
        {
            if (entry.IdleAsk is not null && entry.Dispatched is null && (best is null || entry.IdleSince < best.Value.Item2.IdleSince))
            {
                best = (slot, entry);
            }
        }

        return best;
    }

    private void CheckFinished()
    {
        if (_finished || _holding)
        {
            return;
        }

        var running = _state.Trials.Values.Any(t => t.Status == TrialStatus.Running);
        var waiting = !_cancelling && _state.Ready().Any();
        if (running || _owner.Count > 0 || waiting)
        {
            return;
        }

        _finished = true;
        var status = _cancelling ? "cancelled"
            : _state.Trials.Values.Any(t => t.Status is TrialStatus.Failed or TrialStatus.Pending or TrialStatus.Cancelled) ? "failed"
            : "completed";
        Observe.Safely(() => _observer.SweepFinished(_options.Sweep, status));
        _handle.Finish(status);
    }

    private sealed record Sent(RunTrial Trial, int Ask, DateTimeOffset SentAt);

    private sealed class SlotEntry(string node, int slot, string device)
    {
        public string Node { get; } = node;

        public int Slot { get; } = slot;

        public string Device { get; } = device;

        public int? IdleAsk { get; set; }

        public long IdleSince { get; set; }

        public Sent? Dispatched { get; set; }
    }

    private sealed record ClaimWindowEnded
    {
        public static ClaimWindowEnded Instance { get; } = new();
    }
}
