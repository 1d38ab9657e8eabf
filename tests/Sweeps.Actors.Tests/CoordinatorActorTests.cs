using Akka.Actor;
using Akka.TestKit;
using Akka.TestKit.Xunit2;
using Sweeps.Actors.Messages;
using Sweeps.Actors.Planning;
using Sweeps.Actors.State;
using Sweeps.Actors.Storage;
using static Sweeps.Actors.Tests.Events;

namespace Sweeps.Actors.Tests;

/// <summary>The coordinator actor with test probes as slots: placement (and asking ahead), persist-then-ack,
/// duplicates, DeathWatch, cancel, a restart's claims, and the races that once ran a trial twice.</summary>
public sealed class CoordinatorActorTests : TestKit
{
    private static readonly TimeSpan Quiet = TimeSpan.FromMilliseconds(300);

    private readonly RecordingStore _store = new();

    public CoordinatorActorTests()
        : base("akka.loglevel = WARNING")
    {
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (disposing)
        {
            _store.Dispose();
        }
    }

    private (IActorRef Actor, CoordinatorHandle Handle) Coordinator(bool requeueRunning = true, SweepActorSettings? settings = null) =>
        Coordinator(Plan, requeueRunning, settings);

    private (IActorRef Actor, CoordinatorHandle Handle) Coordinator(IReadOnlyList<TrialSpec> plan, bool requeueRunning = true, SweepActorSettings? settings = null)
    {
        var handle = new CoordinatorHandle(SweepState.Create(plan));
        var options = new CoordinatorOptions { Sweep = "t", OutputDirectory = "/out", TrainLimit = 64, TestLimit = 32, RequeueRunningOnStart = requeueRunning };
        return (Sys.ActorOf(SweepCoordinator.Props(options, plan, _store, handle, null, settings)), handle);
    }

    private static IReadOnlyList<TrialSpec> Sleepers(int count) => [.. Enumerable.Range(1, count).Select(i => SweepPlanner.Sleeping(i, "synthetic", 10))];

    private static SlotStatus Idle(int ask, int slot = 0, string node = "node/1", int slots = 1, params TrialAttempt[] finishing) =>
        new(node, slot, slots, "cpu", ask, true, null, null, finishing);

    private static SlotStatus Busy(
        string trial, int attempt, int ask, int slot = 0, string node = "node/1", int slots = 1, bool ending = false, TrialAttempt? next = null) =>
        new(node, slot, slots, "cpu", ask, ending && next is null, new TrialAttempt(trial, attempt), next, []);

    private static TrialCompleted Done(string id, int attempt) => new(id, attempt, 2, Time, null, null, null, null, null, null, null, null);

    private static EventOutcome Record(TestProbe from, IActorRef coordinator, TrialEvent e)
    {
        from.Send(coordinator, new RecordEvent(e));
        var answer = from.FishForMessage<TrialEventRecorded>(_ => true);
        Assert.Equal(e.Key, answer.Key);
        return answer.Outcome;
    }

    // A store whose sweep ran: each trial started on a node (attempt 1), as a coordinator that was then killed left it.
    private IReadOnlyList<TrialSpec> StoreWithRunning(int count, params string[] nodes)
    {
        var plan = Sleepers(count);
        _store.AddTrials(plan);
        for (var i = 0; i < nodes.Length; i++)
        {
            _store.Record(new TrialStarted(plan[i].Id, 1, 1, Time, nodes[i], "cpu"));
        }

        return plan;
    }

    [Fact]
    public async Task IdleSlot_GetsTheTeacherOnly_ThenTheStudentOnceTheTeacherCompleted()
    {
        var (c, handle) = Coordinator();
        var slot = CreateTestProbe();
        slot.Send(c, Idle(1));
        var teacher = slot.ExpectMsg<RunTrial>();
        Assert.Equal((T, 1, "/out/trials/" + T, null, 64, 32, 1), (teacher.Trial.Id, teacher.Attempt, teacher.Directory, teacher.TeacherCheckpoint, teacher.TrainLimit, teacher.TestLimit, teacher.Ask));
        // The start is the coordinator's record, made before the trial was sent: the attempt, the slot's node and device.
        var started = Assert.IsType<TrialStarted>(Assert.Single(_store.LoadEvents()));
        Assert.Equal((T, 1, 1, "node/1", "cpu"), (started.TrialId, started.Attempt, started.Sequence, started.Node, started.Device));

        // A second idle slot gets nothing: the student waits for its teacher.
        var other = CreateTestProbe();
        other.Send(c, Idle(1, slot: 1));
        other.ExpectNoMsg(Quiet);

        slot.Send(c, Busy(T, 1, 2));
        Assert.Equal(EventOutcome.Recorded, Record(slot, c, Epoch(T, 1, 0.5)));
        other.ExpectNoMsg(Quiet);
        Assert.Equal(EventOutcome.Recorded, Record(slot, c, Completed(T, 4)));

        // The slot idle longest (the other one) gets the student, with the teacher's model.
        var student = other.ExpectMsg<RunTrial>();
        Assert.Equal((S, "/out/trials/" + T + "/model.pt"), (student.Trial.Id, student.TeacherCheckpoint));
        Assert.False(handle.Completion.IsCompleted);

        Assert.Equal(EventOutcome.Recorded, Record(other, c, Completed(S, 4)));
        Assert.Equal("completed", await handle.Completion.WaitAsync(TimeSpan.FromSeconds(5)));
        Assert.Equal(5, _store.LoadEvents().Count);
    }

    [Fact]
    public void Event_IsAnsweredOnlyAfterItIsInTheStore_AndAStoreFailureIsNotAnswered()
    {
        var (c, _) = Coordinator();
        var slot = CreateTestProbe();
        slot.Send(c, Idle(1));
        slot.ExpectMsg<RunTrial>();

        _store.BeforeRecord = e => Assert.DoesNotContain(e.Key, _store.LoadEvents().Select(x => x.Key));
        Assert.Equal(EventOutcome.Recorded, Record(slot, c, Epoch(T, 1, 0.5)));
        Assert.Contains(Epoch(T, 1, 0.5).Key, _store.LoadEvents().Select(e => e.Key));

        // The disk fails: no answer (the sender sends it again), and the state did not move.
        _store.BeforeRecord = _ => throw new StoreException("disk full");
        slot.Send(c, new RecordEvent(Epoch(T, 2, 0.6)));
        slot.ExpectNoMsg(Quiet);
        _store.BeforeRecord = null;
        Assert.Equal(EventOutcome.Recorded, Record(slot, c, Epoch(T, 2, 0.6)));
    }

    [Fact]
    public void SameEventTwice_SecondIsADuplicate_AppliedOnce()
    {
        var (c, handle) = Coordinator();
        var slot = CreateTestProbe();
        slot.Send(c, Idle(1));
        slot.ExpectMsg<RunTrial>();
        Assert.Equal(EventOutcome.Recorded, Record(slot, c, Epoch(T, 1, 0.5)));
        var state = handle.State;
        var events = _store.LoadEvents();

        Assert.Equal(EventOutcome.Duplicate, Record(slot, c, Epoch(T, 1, 0.5)));
        Assert.Equal(EventOutcome.Duplicate, Record(slot, c, Started(T)));
        Assert.Same(state, handle.State);
        Assert.Equal(events, _store.LoadEvents());
        Assert.Equal(EventOutcome.Rejected, Record(slot, c, Completed(S, 4)));
    }

    [Fact]
    public void SlotTerminated_ItsRunningTrialRequeuedAsTheNextAttempt_AndGivenToAnotherSlot()
    {
        var (c, handle) = Coordinator();
        var doomed = CreateTestProbe();
        doomed.Send(c, Idle(1));
        doomed.ExpectMsg<RunTrial>();
        Record(doomed, c, Epoch(T, 1, 0.5));
        var survivor = CreateTestProbe();
        survivor.Send(c, Idle(1, slot: 1));
        survivor.ExpectNoMsg(Quiet);

        Watch(doomed.Ref);
        Sys.Stop(doomed.Ref);
        ExpectTerminated(doomed.Ref);

        var resumed = survivor.ExpectMsg<RunTrial>();
        Assert.Equal((T, 2), (resumed.Trial.Id, resumed.Attempt));
        var events = _store.LoadEvents();
        var requeue = Assert.IsType<TrialRequeued>(events[^2]);
        Assert.Equal((T, 2, 0), (requeue.TrialId, requeue.Attempt, requeue.Sequence));
        Assert.Equal((T, 2), (((TrialStarted)events[^1]).TrialId, events[^1].Attempt));
        Assert.Equal((TrialStatus.Running, true, 1), (handle.State.Trials[T].Status, handle.State.Trials[T].Resumable, handle.State.Trials[T].EpochsCompleted));

        // The dead attempt's late events are stale now.
        Assert.Equal(EventOutcome.Rejected, Record(survivor, c, Epoch(T, 2, 0.6)));
        Assert.Equal(EventOutcome.Recorded, Record(survivor, c, Epoch(T, 2, 0.6, attempt: 2)));
    }

    [Fact]
    public void SlotTerminatedBeforeItTookItsTrial_TheTrialGoesToAnotherSlotAsTheNextAttempt()
    {
        var (c, _) = Coordinator();
        var doomed = CreateTestProbe();
        doomed.Send(c, Idle(1));
        doomed.ExpectMsg<RunTrial>();
        var survivor = CreateTestProbe();
        survivor.Send(c, Idle(1, slot: 1));

        Sys.Stop(doomed.Ref);
        Assert.Equal((T, 2), (survivor.ExpectMsg<RunTrial>().Trial.Id, 2));
        Assert.Equal([1, 2], _store.LoadEvents().OfType<TrialStarted>().Select(s => s.Attempt));
    }

    [Fact]
    public void RepeatedIdleStatus_SameRequest_AnswerSentAgainOnlyAfterRedispatchDelay_NeverASecondTrial()
    {
        // The delay is long against a stalled test thread: with 400 ms, a busy machine (a fresh-clone CI right after
        // the fault tests) let more than that pass between the answer and the repeated status, and the coordinator
        // rightly answered again.
        var redispatch = TimeSpan.FromSeconds(3);
        var (c, _) = Coordinator(settings: new SweepActorSettings { RedispatchAfter = redispatch });
        var slot = CreateTestProbe();
        slot.Send(c, Idle(1));
        var first = slot.ExpectMsg<RunTrial>();
        var answered = System.Diagnostics.Stopwatch.StartNew();
        slot.Send(c, Idle(1));
        slot.ExpectNoMsg(TimeSpan.FromMilliseconds(300));
        Assert.True(answered.Elapsed < redispatch, $"the machine stalled the test for {answered.Elapsed.TotalSeconds:0.0} s: the window saw nothing wrong but ran past the delay");
        Thread.Sleep(redispatch - answered.Elapsed + TimeSpan.FromMilliseconds(100));
        slot.Send(c, Idle(1));
        Assert.Equal(first, slot.ExpectMsg<RunTrial>());
        Assert.Single(_store.LoadEvents());
    }

    [Fact]
    public void SlotNoLongerHoldingItsAttempt_TheTrialIsRequeuedAndGivenOutAgain()
    {
        // The answer was passed over (the slot took another answer to the same request) or the queued trial dropped:
        // the slot's next request no longer holds it.
        var (c, handle) = Coordinator(Sleepers(1));
        var slot = CreateTestProbe();
        slot.Send(c, Idle(1));
        Assert.Equal(1, slot.ExpectMsg<RunTrial>().Attempt);
        slot.Send(c, Idle(2));
        var again = slot.ExpectMsg<RunTrial>();
        Assert.Equal(("sleep-0001", 2, 2), (again.Trial.Id, again.Attempt, again.Ask));
        Assert.Equal((TrialStatus.Running, 2), (handle.State.Trials["sleep-0001"].Status, handle.State.Trials["sleep-0001"].Attempts));
        Assert.IsType<TrialRequeued>(_store.LoadEvents()[1]);
    }

    [Fact]
    public void InterruptedTrials_GoBeforeNewOnes()
    {
        // A plan of three sleeping trials; the second ran and was interrupted (its process died).
        var plan = Sleepers(3);
        _store.AddTrials(plan);
        _store.Record(new TrialStarted("sleep-0002", 1, 1, Time, "node", "cpu"));
        var (c, _) = Coordinator(plan);
        var slot = CreateTestProbe();
        slot.Send(c, Idle(1));
        var first = slot.ExpectMsg<RunTrial>();
        Assert.Equal(("sleep-0002", 2), (first.Trial.Id, first.Attempt));
    }

    [Fact]
    public void SlotAskingAhead_GetsTheNextTrialQueued_NothingRequeued()
    {
        var (c, _) = Coordinator(Sleepers(2));
        var a = CreateTestProbe();
        a.Send(c, Idle(1));
        Assert.Equal("sleep-0001", a.ExpectMsg<RunTrial>().Trial.Id);

        // a's trial is about to end: it asks ahead and gets the next trial at once, queued behind its running one.
        a.Send(c, Busy("sleep-0001", 1, 2, ending: true));
        var next = a.ExpectMsg<RunTrial>();
        Assert.Equal(("sleep-0002", 1, 2), (next.Trial.Id, next.Attempt, next.Ask));

        // Queued behind its running trial: the slot holds both; nothing is requeued.
        a.Send(c, Busy("sleep-0001", 1, 3, next: new TrialAttempt("sleep-0002", 1)));
        a.ExpectNoMsg(Quiet);
        Assert.DoesNotContain(_store.LoadEvents(), e => e is TrialRequeued);
        Assert.Equal(2, _store.LoadEvents().OfType<TrialStarted>().Count());
    }

    [Fact]
    public void TrialBecomingReady_GoesToTheIdleSlot_BeforeASlotThatAskedAheadEarlier()
    {
        var (c, _) = Coordinator(Sleepers(2));
        var a = CreateTestProbe();
        a.Send(c, Idle(1));
        Assert.Equal("sleep-0001", a.ExpectMsg<RunTrial>().Trial.Id);
        var doomed = CreateTestProbe();
        doomed.Send(c, Idle(1, slot: 1));
        Assert.Equal("sleep-0002", doomed.ExpectMsg<RunTrial>().Trial.Id);

        // a asks ahead, then b is idle; nothing is ready for either.
        a.Send(c, Busy("sleep-0001", 1, 2, ending: true));
        var b = CreateTestProbe();
        b.Send(c, Idle(1, slot: 2));
        a.ExpectNoMsg(Quiet);
        b.ExpectNoMsg(TimeSpan.Zero);

        // sleep-0002 is requeued (its slot is gone): the idle slot gets it, although a asked first.
        Sys.Stop(doomed.Ref);
        Assert.Equal(("sleep-0002", 2), (b.ExpectMsg<RunTrial>().Trial.Id, 2));
        a.ExpectNoMsg(Quiet);
    }

    [Fact]
    public async Task Cancel_SlotsTold_NothingMoreGivenOut_FinishesCancelledWhenTheRunningTrialReportsCancelled()
    {
        var (c, handle) = Coordinator();
        var slot = CreateTestProbe();
        slot.Send(c, Idle(1));
        slot.ExpectMsg<RunTrial>();
        var idle = CreateTestProbe();
        idle.Send(c, Idle(1, slot: 1));

        c.Tell(new CancelSweep("t", Time));
        slot.ExpectMsg<CancelSweep>();
        idle.ExpectMsg<CancelSweep>();
        Assert.False(handle.Completion.IsCompleted);
        Assert.Equal(EventOutcome.Recorded, Record(slot, c, new TrialCancelled(T, 1, 4, Time)));
        Assert.Equal("cancelled", await handle.Completion.WaitAsync(TimeSpan.FromSeconds(5)));
        slot.Send(c, Idle(2));
        slot.ExpectNoMsg(Quiet);
        Assert.True(handle.IsCancelling);
    }

    [Fact]
    public void Restart_NothingGivenOutUntilEveryNodeThatRanATrialSpoke_ALateNodeKeepsItsAttempt_NoTrialRunsTwice()
    {
        // The race behind the 18th completion: after a restart, node/1 answered at once and node/2 (whose slot still
        // ran sleep-0001) only later (a loaded machine). The coordinator used to wait a fixed window after the first
        // status, requeue sleep-0001 and give it to node/1 while node/2 still ran it; both ran it to the end.
        var plan = StoreWithRunning(2, "node/2");
        var (c, handle) = Coordinator(plan, requeueRunning: false);
        var early = CreateTestProbe();
        early.Send(c, Idle(1, node: "node/1"));
        early.ExpectNoMsg(TimeSpan.FromSeconds(1.5));

        var late = CreateTestProbe();
        late.Send(c, Busy("sleep-0001", 1, 2, node: "node/2"));
        // node/2 said what it holds: the rest goes out, and the one it runs stays with it.
        Assert.Equal(("sleep-0002", 1), (early.ExpectMsg<RunTrial>().Trial.Id, 1));
        Assert.Equal(EventOutcome.Recorded, Record(late, c, Done("sleep-0001", 1)));
        early.Send(c, Busy("sleep-0002", 1, 2, node: "node/1"));
        early.ExpectNoMsg(Quiet);
        Assert.Equal(TrialStatus.Completed, handle.State.Trials["sleep-0001"].Status);
        Assert.Single(_store.LoadEvents().OfType<TrialStarted>(), s => s.TrialId == "sleep-0001");
        Assert.DoesNotContain(_store.LoadEvents(), e => e is TrialRequeued);
    }

    [Fact]
    public void Restart_AnAttemptWhoseLastEventIsStillOnItsWay_IsHeldByItsSlot_ItsCompletionIsRecorded()
    {
        // The other way a trial completed twice: its training ended while the coordinator was down, so its slot was
        // idle; its completion (re-sent every second) arrived after the claim window, the trial had been given out
        // again, and the completion was rejected. Now the slot reports the finishing attempt, which holds the trial.
        var plan = StoreWithRunning(1, "node/1");
        var (c, handle) = Coordinator(plan, requeueRunning: false);
        var slot = CreateTestProbe();
        slot.Send(c, Idle(2, finishing: new TrialAttempt("sleep-0001", 1)));
        slot.ExpectNoMsg(TimeSpan.FromSeconds(1));

        var experiment = CreateTestProbe();
        Assert.Equal(EventOutcome.Recorded, Record(experiment, c, Done("sleep-0001", 1)));
        Assert.Equal(TrialStatus.Completed, handle.State.Trials["sleep-0001"].Status);
        slot.Send(c, Idle(2));
        slot.ExpectNoMsg(Quiet);
        Assert.Single(_store.LoadEvents().OfType<TrialStarted>());
    }

    [Fact]
    public void Restart_EverySlotOfTheNodeSpokeWithoutTheTrial_ItIsRequeuedAtOnce()
    {
        var plan = StoreWithRunning(1, "node/1");
        var (c, _) = Coordinator(plan, requeueRunning: false, new SweepActorSettings { ClaimTimeout = TimeSpan.FromMinutes(5) });
        var first = CreateTestProbe();
        var second = CreateTestProbe();
        first.Send(c, Idle(1, slot: 0, slots: 2));
        first.ExpectNoMsg(Quiet);
        second.Send(c, Idle(1, slot: 1, slots: 2));
        var resumed = first.ExpectMsg<RunTrial>();
        Assert.Equal(("sleep-0001", 2), (resumed.Trial.Id, resumed.Attempt));
    }

    [Fact]
    public void Restart_ANodeThatNeverSpeaks_ItsTrialsAreRequeuedAfterTheClaimTimeout()
    {
        var plan = StoreWithRunning(1, "node/9");
        // (3 s: long against a test thread stalled by a busy machine, as the redispatch test above.)
        var claim = TimeSpan.FromSeconds(3);
        var started = System.Diagnostics.Stopwatch.StartNew();
        var (c, handle) = Coordinator(plan, requeueRunning: false, new SweepActorSettings { ClaimTimeout = claim });
        var other = CreateTestProbe();
        other.Send(c, Idle(1, node: "node/1"));
        other.ExpectNoMsg(TimeSpan.FromMilliseconds(400));
        Assert.True(started.Elapsed < claim, $"the machine stalled the test for {started.Elapsed.TotalSeconds:0.0} s: the window saw nothing wrong but ran past the claim timeout");
        Assert.Equal(("sleep-0001", 2), (other.ExpectMsg<RunTrial>(TimeSpan.FromSeconds(10)).Trial.Id, 2));
        Assert.Contains(_store.LoadEvents(), e => e is TrialRequeued { Attempt: 2 });
        Assert.Equal(TrialStatus.Running, handle.State.Trials["sleep-0001"].Status);
    }

    [Fact]
    public void RequeuedTrial_NotGivenOutWhileASlotStillHoldsAnEarlierAttempt_WhichIsToldToStop()
    {
        // sleep-0001 was requeued (node/2 was silent past the claim timeout); node/2 then speaks, still running
        // attempt 1. It is told to stop, and attempt 2 goes out only once no slot holds attempt 1 any more.
        var plan = StoreWithRunning(1, "node/2");
        var (c, _) = Coordinator(plan, requeueRunning: false, new SweepActorSettings { ClaimTimeout = TimeSpan.FromMilliseconds(300) });
        // (The handle shows every trial pending before the coordinator loaded the store: wait for the requeue itself.)
        AwaitCondition(() => _store.LoadEvents().Any(e => e is TrialRequeued { TrialId: "sleep-0001", Attempt: 2 }), TimeSpan.FromSeconds(5));
        var zombie = CreateTestProbe();
        zombie.Send(c, Busy("sleep-0001", 1, 2, node: "node/2"));
        Assert.Equal(new StopTrial("sleep-0001", 1), zombie.ExpectMsg<StopTrial>());

        var idle = CreateTestProbe();
        idle.Send(c, Idle(1, node: "node/1", slot: 0));
        idle.ExpectNoMsg(Quiet);
        zombie.Send(c, Idle(2, node: "node/2"));
        Assert.Equal(2, idle.ExpectMsg<RunTrial>().Attempt);
    }

    [Fact]
    public void LateCompletionOfAnEarlierAttempt_CompletesTheTrial_TheNewerAttemptIsStopped()
    {
        var (c, handle) = Coordinator(Sleepers(1));
        var doomed = CreateTestProbe();
        doomed.Send(c, Idle(1));
        doomed.ExpectMsg<RunTrial>();
        Sys.Stop(doomed.Ref);
        var other = CreateTestProbe();
        other.Send(c, Idle(1, slot: 1));
        Assert.Equal(2, other.ExpectMsg<RunTrial>().Attempt);

        // Attempt 1 had finished its training (its node was cut off): its completion, delivered late, wins.
        var courier = CreateTestProbe();
        Assert.Equal(EventOutcome.Recorded, Record(courier, c, Done("sleep-0001", 1)));
        Assert.Equal(new StopTrial("sleep-0001", 2), other.ExpectMsg<StopTrial>());
        Assert.Equal((TrialStatus.Completed, 1), (handle.State.Trials["sleep-0001"].Status, handle.State.Trials["sleep-0001"].Result!.Attempt));
        Assert.Equal(EventOutcome.Rejected, Record(other, c, Done("sleep-0001", 2)));
    }

    [Fact]
    public void SlotRunningAStaleAttempt_IsToldToStopIt()
    {
        var (c, _) = Coordinator();
        var slot = CreateTestProbe();
        slot.Send(c, Idle(1));
        slot.ExpectMsg<RunTrial>();
        var other = CreateTestProbe();
        Sys.Stop(slot.Ref);
        other.Send(c, Idle(1, slot: 1));
        Assert.Equal(2, other.ExpectMsg<RunTrial>().Attempt);

        // A slot (a node that was cut off) still reports attempt 1.
        var zombie = CreateTestProbe();
        zombie.Send(c, Busy(T, 1, 2, slot: 2));
        Assert.Equal(new StopTrial(T, 1), zombie.ExpectMsg<StopTrial>());
    }

    /// <summary>An in-memory store whose <see cref="Record"/> can be watched or made to fail.</summary>
    private sealed class RecordingStore : ISweepStore
    {
        private readonly InMemorySweepStore _inner = new();

        public Action<TrialEvent>? BeforeRecord { get; set; }

        public bool Record(TrialEvent e)
        {
            BeforeRecord?.Invoke(e);
            return _inner.Record(e);
        }

        public SweepInfo? LoadSweep() => _inner.LoadSweep();

        public void SaveSweep(SweepInfo info) => _inner.SaveSweep(info);

        public int AddTrials(IEnumerable<TrialSpec> trials) => _inner.AddTrials(trials);

        public IReadOnlyList<TrialSpec> LoadTrials() => _inner.LoadTrials();

        public bool Contains(TrialEventKey key) => _inner.Contains(key);

        public IReadOnlyList<TrialEvent> LoadEvents() => _inner.LoadEvents();

        public void RequestCancel() => _inner.RequestCancel();

        public bool IsCancelRequested() => _inner.IsCancelRequested();

        public void ClearCancelRequest() => _inner.ClearCancelRequest();

        public void Dispose() => _inner.Dispose();
    }
}
