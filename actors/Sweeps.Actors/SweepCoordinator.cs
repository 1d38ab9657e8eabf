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
/// ready trials to slots that want one (work pulling, pushed the moment both exist). It finishes
/// (<see cref="CoordinatorHandle.Completion"/>) when nothing runs and nothing more can be given out.
/// </summary>
/// <remarks>
/// <para>One attempt, one slot: giving a trial to a slot records its <see cref="TrialStarted"/> (a new attempt number,
/// the slot's node and device) before the <see cref="RunTrial"/> is sent, so every attempt that may exist anywhere is
/// in the store, under a number no other slot ever gets. The coordinator knows from the slots'
/// <see cref="SlotStatus"/> which attempts each holds (running, queued, finishing), and:</para>
/// <list type="bullet">
/// <item>an attempt that is no longer its trial's current one (the trial was requeued, or it ended) is stopped
/// (<see cref="StopTrial"/>), and a requeued trial is not given out again while a slot still holds an earlier attempt
/// of it: two attempts of a trial never train at once in its folder;</item>
/// <item>a trial whose current attempt its slot no longer holds (it was dropped, abandoned, or the answer went
/// elsewhere) is requeued as a new attempt; so is every trial of a slot that terminated (DeathWatch: its node was
/// downed or left).</item>
/// </list>
/// <para>Start: the store's trials and events are replayed (a re-run continues: completed trials stay completed), the
/// plan's new trials are added, and cancelled trials are requeued (<see cref="TrialRequeued"/>, a new attempt that
/// resumes from the checkpoint). Trials the store shows running are requeued at once when
/// <see cref="CoordinatorOptions.RequeueRunningOnStart"/> (embedded mode). Otherwise (cluster mode: a restarted
/// coordinator) nothing is given out until every slot of every node that the store shows running a trial has said
/// what it holds, or <see cref="SweepActorSettings.ClaimTimeout"/> passed; then the running trials no slot holds are
/// requeued.</para>
/// <para>Placement: a ready trial (pending, its teacher completed, no earlier attempt still held) goes to a slot that
/// wants one: idle slots first (the one idle longest), then slots whose trial is about to end; interrupted trials
/// (resumed from a checkpoint) go before new ones, the rest in plan order (teachers first).</para>
/// <para>Events (<see cref="RecordEvent"/>): a duplicate (key already recorded) or an illegal one (a stale attempt's)
/// changes nothing; otherwise it is persisted first, then applied. A completion is legal from an earlier attempt too
/// while the trial has not ended (see <see cref="SweepState"/>): a finished training is never thrown away, and the
/// attempt that was running instead is stopped. Every event is answered with <see cref="TrialEventRecorded"/> so that
/// its sender stops re-sending it; one the store fails to record is not answered (its sender sends it again).</para>
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
    private readonly Dictionary<string, HashSet<IActorRef>> _earlier = new(StringComparer.Ordinal);
    private SweepState _state;
    private Dictionary<string, HashSet<int>?>? _claims;
    private long _demandOrder;
    private bool _cancelling;
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
        Receive<ClaimTimedOut>(_ => CloseClaims(timedOut: true));
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

        _handle.Started(_state);
        var now = DateTimeOffset.UtcNow;
        foreach (var requeue in _state.RequeueInterrupted(now)
            .Where(r => _options.RequeueRunningOnStart || _state.Trials[r.TrialId].Status != TrialStatus.Running))
        {
            RecordAndApply(requeue);
        }

        var running = _state.Trials.Values.Where(t => t.Status == TrialStatus.Running).ToList();
        if (running.Count > 0)
        {
            // Restarted while slots held trials: learn from the nodes that ran them what is still alive before
            // anything is given out (slots of a node report their node's slot count; null: not heard from yet).
            _claims = running.Select(t => t.Node ?? string.Empty).Distinct(StringComparer.Ordinal)
                .ToDictionary(n => n, _ => (HashSet<int>?)null, StringComparer.Ordinal);
            Timers.StartSingleTimer("claim-timeout", ClaimTimedOut.Instance, _settings.ClaimTimeout);
        }
    }

    private void OnStatus(SlotStatus status)
    {
        var slot = Sender;
        if (!_slots.TryGetValue(slot, out var entry))
        {
            entry = new SlotEntry(status.Node, status.Slot, status.Device);
            _slots[slot] = entry;
            Context.Watch(slot);
        }

        entry.Slots = status.Slots;
        var pending = entry.Dispatched;
        if (pending is not null && status.Ask != pending.Run.Ask)
        {
            pending = entry.Dispatched = null; // taken (or passed over): what the slot holds says which
        }

        var holds = status.Holds.ToHashSet();
        foreach (var held in holds)
        {
            Reconcile(slot, held, finishing: status.Running != held && status.Next != held);
        }

        foreach (var (trial, slots) in _earlier.ToList())
        {
            if (slots.Contains(slot) && !holds.Any(h => h.TrialId == trial))
            {
                slots.Remove(slot);
                if (slots.Count == 0)
                {
                    _earlier.Remove(trial);
                }
            }
        }

        foreach (var trial in _owner.Where(o => o.Value.Equals(slot)).Select(o => o.Key).ToList())
        {
            var current = new TrialAttempt(trial, _state.Trials[trial].Attempts);
            if (!holds.Contains(current) && pending?.Run.Trial.Id != trial)
            {
                Lost(trial, $"slot {entry.Slot} of {entry.Node} no longer holds it");
            }
        }

        if (pending is not null)
        {
            // Our answer has not reached the slot yet: after a while, send it again (it takes it once, by its number).
            if (status.Wants && !_cancelling && DateTimeOffset.UtcNow - pending.SentAt >= _settings.RedispatchAfter)
            {
                entry.Dispatched = pending with { SentAt = DateTimeOffset.UtcNow };
                slot.Tell(pending.Run);
            }
        }
        else if (status.Wants)
        {
            if (entry.DemandAsk != status.Ask)
            {
                entry.DemandAsk = status.Ask;
                entry.DemandSince = ++_demandOrder;
            }

            entry.Idle = status.IsIdle;
        }
        else
        {
            entry.DemandAsk = null;
        }

        if (_claims is not null && _claims.ContainsKey(status.Node))
        {
            var heard = _claims[status.Node] ??= [];
            heard.Add(status.Slot);
            if (_claims.All(c => c.Value is { } h && h.Count >= NodeSlots(c.Key)))
            {
                CloseClaims(timedOut: false);
            }
        }

        Dispatch();
        CheckFinished();
    }

    private int NodeSlots(string node) => _slots.Values.Where(e => e.Node == node).Select(e => e.Slots).DefaultIfEmpty(int.MaxValue).Max();

    // A slot holds attempt `held` of a trial (running, queued or finishing): it is the trial's current attempt (the
    // slot owns it; after a restart that is the claim), or an earlier one that must stop.
    private void Reconcile(IActorRef slot, TrialAttempt held, bool finishing)
    {
        if (!_state.Trials.TryGetValue(held.TrialId, out var t))
        {
            return;
        }

        if (t.Status == TrialStatus.Running && t.Attempts == held.Attempt)
        {
            if (!_owner.TryGetValue(held.TrialId, out var owner))
            {
                _owner[held.TrialId] = slot;
            }
            else if (!owner.Equals(slot))
            {
                Context.System.Log.Warning("{0} is held by two slots ({1}, {2}): stopping it on the second", held, owner.Path, slot.Path);
                slot.Tell(new StopTrial(held.TrialId, held.Attempt));
            }

            return;
        }

        if (held.Attempt > t.Attempts)
        {
            return; // not an attempt this coordinator knows of (the store says it never started): nothing to fence
        }

        // An earlier attempt (the trial was requeued, or ended): it must not train beside the trial's next one.
        if (!finishing)
        {
            slot.Tell(new StopTrial(held.TrialId, held.Attempt));
        }

        if (t.Status == TrialStatus.Pending)
        {
            if (!_earlier.TryGetValue(held.TrialId, out var slots))
            {
                _earlier[held.TrialId] = slots = [];
            }

            slots.Add(slot);
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
            Lost(trial, $"slot {entry.Slot} of {entry.Node} is gone");
        }

        foreach (var (trial, slots) in _earlier.ToList())
        {
            if (slots.Remove(slot) && slots.Count == 0)
            {
                _earlier.Remove(trial);
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

    // The trial's current attempt is held by no slot any more: requeue it as a new attempt (resumed from its checkpoint).
    private void Lost(string trial, string why)
    {
        _owner.Remove(trial);
        var t = _state.Trials[trial];
        if (t.Status == TrialStatus.Running)
        {
            RecordAndApply(new TrialRequeued(trial, t.Attempts + 1, 0, DateTimeOffset.UtcNow));
            Context.System.Log.Info("{0} attempt {1}: {2}; requeued as attempt {3}", trial, t.Attempts, why, t.Attempts + 1);
        }
    }

    private void CloseClaims(bool timedOut)
    {
        if (_claims is null)
        {
            return;
        }

        var silent = _claims.Where(c => c.Value is null || c.Value.Count < NodeSlots(c.Key)).Select(c => c.Key).ToList();
        _claims = null;
        Timers.Cancel("claim-timeout");
        var unclaimed = _state.InOrder.Where(t => t.Status == TrialStatus.Running && !_owner.ContainsKey(t.Spec.Id)).ToList();
        foreach (var t in unclaimed)
        {
            RecordAndApply(new TrialRequeued(t.Spec.Id, t.Attempts + 1, 0, DateTimeOffset.UtcNow));
        }

        Context.System.Log.Info(
            "claims closed{0}: {1} running trials held by their slots, {2} requeued ({3})",
            timedOut ? $" after {_settings.ClaimTimeout.TotalSeconds:F0} s without every slot of {string.Join(", ", silent)}" : string.Empty,
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
            if (_owner.Remove(e.TrialId, out var owner) && e.Attempt != before.Attempts)
            {
                // An earlier attempt's completion won: the attempt running instead stops.
                Context.System.Log.Info("{0} completed by attempt {1}: attempt {2} stops", e.TrialId, e.Attempt, before.Attempts);
                owner.Tell(new StopTrial(e.TrialId, before.Attempts));
            }
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
        if (_cancelling || _claims is not null || _finished)
        {
            return;
        }

        List<TrialState>? ready = null;
        while (true)
        {
            var wanting = Wanting();
            if (wanting is null)
            {
                return;
            }

            ready ??= [.. _state.Ready().Where(t => !_owner.ContainsKey(t.Spec.Id) && !_earlier.ContainsKey(t.Spec.Id)).OrderBy(t => t.Resumable ? 0 : 1)];
            if (ready.Count == 0)
            {
                return;
            }

            var t = ready[0];
            ready.RemoveAt(0);
            var (slot, entry) = wanting.Value;
            var now = DateTimeOffset.UtcNow;
            var started = new TrialStarted(t.Spec.Id, t.Attempts + 1, TrialRunner.StartSequence, now, entry.Node, entry.Device);
            try
            {
                if (RecordAndApply(started) != EventOutcome.Recorded)
                {
                    continue; // cannot happen: the store and the state agree that this attempt is new
                }
            }
            catch (StoreException ex)
            {
                Context.System.Log.Warning("the store did not record the start of {0}: {1}; it is given out at the next request", t.Spec.Id, ex.Message);
                return;
            }

            var teacher = t.Spec.Teacher is { } id ? Path.Combine(_options.TrialDirectory(id), "model.pt") : null;
            var run = new RunTrial(
                _options.Sweep, t.Spec, started.Attempt, _options.TrialDirectory(t.Spec.Id), teacher, _options.DataDirectory, _options.TrainLimit,
                _options.TestLimit, now, entry.DemandAsk!.Value)
            {
                ImageSize = _options.ImageSize,
                SkipBadImages = _options.SkipBadImages,
            };
            entry.Dispatched = new Sent(run, now);
            entry.DemandAsk = null;
            _owner[t.Spec.Id] = slot;
            slot.Tell(run);
        }
    }

    // The slot that gets the next trial: idle slots before slots whose trial is about to end, each the one asking longest.
    private (IActorRef Slot, SlotEntry Entry)? Wanting()
    {
        (IActorRef, SlotEntry)? best = null;
        foreach (var (slot, entry) in _slots)
        {
            if (entry.DemandAsk is null || entry.Dispatched is not null)
            {
                continue;
            }

            if (best is not { Item2: var b } || (entry.Idle, -entry.DemandSince).CompareTo((b.Idle, -b.DemandSince)) > 0)
            {
                best = (slot, entry);
            }
        }

        return best;
    }

    private void CheckFinished()
    {
        if (_finished || _claims is not null)
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

    private sealed record Sent(RunTrial Run, DateTimeOffset SentAt);

    private sealed class SlotEntry(string node, int slot, string device)
    {
        public string Node { get; } = node;

        public int Slot { get; } = slot;

        public string Device { get; } = device;

        public int Slots { get; set; } = 1;

        public int? DemandAsk { get; set; }

        public long DemandSince { get; set; }

        public bool Idle { get; set; }

        public Sent? Dispatched { get; set; }
    }

    private sealed record ClaimTimedOut
    {
        public static ClaimTimedOut Instance { get; } = new();
    }
}
