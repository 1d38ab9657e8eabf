using Akka.Actor;
using Akka.TestKit;
using Akka.TestKit.Xunit2;
using Sweeps.Actors.Messages;
using Sweeps.Actors.State;
using Sweeps.Actors.Storage;
using static Sweeps.Actors.Tests.Events;

namespace Sweeps.Actors.Tests;

/// <summary>The coordinator actor with test probes as slots: placement, persist-then-ack, duplicates, DeathWatch,
/// cancel, and a restart's claim window.</summary>
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

    private (IActorRef Actor, CoordinatorHandle Handle) Coordinator(bool requeueRunning = true, SweepActorSettings? settings = null)
    {
        var handle = new CoordinatorHandle(SweepState.Create(Plan));
        var options = new CoordinatorOptions { Sweep = "t", OutputDirectory = "/out", TrainLimit = 64, TestLimit = 32, RequeueRunningOnStart = requeueRunning };
        return (Sys.ActorOf(SweepCoordinator.Props(options, Plan, _store, handle, null, settings)), handle);
    }

    private static SlotStatus Idle(int ask, int slot = 0) => new("node/1", slot, "cpu", ask, null, 0);

    private static SlotStatus Busy(string trial, int attempt, int ask, int slot = 0) => new("node/1", slot, "cpu", ask, trial, attempt);

    private static EventOutcome Record(TestProbe from, IActorRef coordinator, TrialEvent e)
    {
        from.Send(coordinator, new RecordEvent(e));
        var answer = from.ExpectMsg<TrialEventRecorded>();
        Assert.Equal(e.Key, answer.Key);
        return answer.Outcome;
    }

    [Fact]
    public async Task IdleSlot_GetsTheTeacherOnly_ThenTheStudentOnceTheTeacherCompleted()
    {
        var (c, handle) = Coordinator();
        var slot = CreateTestProbe();
        slot.Send(c, Idle(1));
        var teacher = slot.ExpectMsg<RunTrial>();
        Assert.Equal((T, 1, "/out/trials/" + T, null, 64, 32, 1), (teacher.Trial.Id, teacher.Attempt, teacher.Directory, teacher.TeacherCheckpoint, teacher.TrainLimit, teacher.TestLimit, teacher.Ask));

        // A second idle slot gets nothing: the student waits for its teacher.
        var other = CreateTestProbe();
        other.Send(c, Idle(1, slot: 1));
        other.ExpectNoMsg(Quiet);

        slot.Send(c, Busy(T, 1, 2));
        Assert.Equal(EventOutcome.Recorded, Record(slot, c, Started(T)));
        Assert.Equal(EventOutcome.Recorded, Record(slot, c, Epoch(T, 1, 0.5)));
        other.ExpectNoMsg(Quiet);
        Assert.Equal(EventOutcome.Recorded, Record(slot, c, Completed(T, 4)));

        // The slot idle longest (the other one) gets the student, with the teacher's model.
        var student = other.ExpectMsg<RunTrial>();
        Assert.Equal((S, "/out/trials/" + T + "/model.pt"), (student.Trial.Id, student.TeacherCheckpoint));
        Assert.False(handle.Completion.IsCompleted);

        Assert.Equal(EventOutcome.Recorded, Record(other, c, Started(S)));
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
        Assert.Equal(EventOutcome.Recorded, Record(slot, c, Started(T)));
        Assert.Contains(Started(T).Key, _store.LoadEvents().Select(e => e.Key));

        // The disk fails: no answer (the sender sends it again), and the state did not move.
        _store.BeforeRecord = _ => throw new StoreException("disk full");
        slot.Send(c, new RecordEvent(Epoch(T, 1, 0.5)));
        slot.ExpectNoMsg(Quiet);
        _store.BeforeRecord = null;
        Assert.Equal(EventOutcome.Recorded, Record(slot, c, Epoch(T, 1, 0.5)));
    }

    [Fact]
    public void SameEventTwice_SecondIsADuplicate_AppliedOnce()
    {
        var (c, handle) = Coordinator();
        var slot = CreateTestProbe();
        slot.Send(c, Idle(1));
        slot.ExpectMsg<RunTrial>();
        Assert.Equal(EventOutcome.Recorded, Record(slot, c, Started(T)));
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
        Record(doomed, c, Started(T));
        Record(doomed, c, Epoch(T, 1, 0.5));
        var survivor = CreateTestProbe();
        survivor.Send(c, Idle(1, slot: 1));
        survivor.ExpectNoMsg(Quiet);

        Watch(doomed.Ref);
        Sys.Stop(doomed.Ref);
        ExpectTerminated(doomed.Ref);

        var resumed = survivor.ExpectMsg<RunTrial>();
        Assert.Equal((T, 2), (resumed.Trial.Id, resumed.Attempt));
        var requeue = Assert.IsType<TrialRequeued>(_store.LoadEvents()[^1]);
        Assert.Equal((T, 2, 0), (requeue.TrialId, requeue.Attempt, requeue.Sequence));
        Assert.Equal((TrialStatus.Pending, true, 1), (handle.State.Trials[T].Status, handle.State.Trials[T].Resumable, handle.State.Trials[T].EpochsCompleted));

        // The dead attempt's late events are stale now.
        Assert.Equal(EventOutcome.Rejected, Record(survivor, c, Epoch(T, 2, 0.6)));
        Assert.Equal(EventOutcome.Recorded, Record(survivor, c, Started(T, attempt: 2)));
    }

    [Fact]
    public void SlotTerminatedBeforeItStartedItsTrial_TheTrialGoesToAnotherSlotAsTheSameAttempt()
    {
        var (c, _) = Coordinator();
        var doomed = CreateTestProbe();
        doomed.Send(c, Idle(1));
        doomed.ExpectMsg<RunTrial>();
        var survivor = CreateTestProbe();
        survivor.Send(c, Idle(1, slot: 1));

        Sys.Stop(doomed.Ref);
        Assert.Equal((T, 1), (survivor.ExpectMsg<RunTrial>().Trial.Id, 1));
        Assert.Empty(_store.LoadEvents());
    }

    [Fact]
    public void RepeatedIdleStatus_SameRequest_AnswerSentAgainOnlyAfterRedispatchDelay_NeverASecondTrial()
    {
        var (c, _) = Coordinator(settings: new SweepActorSettings { RedispatchAfter = TimeSpan.FromMilliseconds(400) });
        var slot = CreateTestProbe();
        slot.Send(c, Idle(1));
        var first = slot.ExpectMsg<RunTrial>();
        slot.Send(c, Idle(1));
        slot.ExpectNoMsg(TimeSpan.FromMilliseconds(100));
        Thread.Sleep(400);
        slot.Send(c, Idle(1));
        Assert.Equal(first, slot.ExpectMsg<RunTrial>());
    }

    [Fact]
    public void InterruptedTrials_GoBeforeNewOnes()
    {
        // A plan of three sleeping trials; the second ran and was interrupted (its process died).
        var plan = Enumerable.Range(1, 3).Select(i => Sweeps.Actors.Planning.SweepPlanner.Sleeping(i, "synthetic", 10)).ToList();
        _store.AddTrials(plan);
        _store.Record(new TrialStarted("sleep-0002", 1, 1, Time, "node", "cpu"));
        var handle = new CoordinatorHandle(SweepState.Create(plan));
        var c = Sys.ActorOf(SweepCoordinator.Props(new CoordinatorOptions { Sweep = "t", OutputDirectory = "/out" }, plan, _store, handle));
        var slot = CreateTestProbe();
        slot.Send(c, Idle(1));
        var first = slot.ExpectMsg<RunTrial>();
        Assert.Equal(("sleep-0002", 2), (first.Trial.Id, first.Attempt));
    }

    [Fact]
    public async Task Cancel_SlotsTold_NothingMoreGivenOut_FinishesCancelledWhenTheRunningTrialReportsCancelled()
    {
        var (c, handle) = Coordinator();
        var slot = CreateTestProbe();
        slot.Send(c, Idle(1));
        slot.ExpectMsg<RunTrial>();
        Record(slot, c, Started(T));
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
    public void Restart_RunningTrialClaimedBySlotStaysWithIt_UnclaimedOneRequeuedAfterTheClaimWindow()
    {
        var plan = Enumerable.Range(1, 2).Select(i => Sweeps.Actors.Planning.SweepPlanner.Sleeping(i, "synthetic", 10)).ToList();
        _store.AddTrials(plan);
        _store.Record(new TrialStarted("sleep-0001", 1, 1, Time, "node", "cpu"));
        _store.Record(new TrialStarted("sleep-0002", 1, 1, Time, "node", "cpu"));
        var handle = new CoordinatorHandle(SweepState.Create(plan));
        var settings = new SweepActorSettings { ClaimWindow = TimeSpan.FromMilliseconds(800), ClaimTimeout = TimeSpan.FromSeconds(30) };
        var c = Sys.ActorOf(SweepCoordinator.Props(
            new CoordinatorOptions { Sweep = "t", OutputDirectory = "/out", RequeueRunningOnStart = false }, plan, _store, handle, null, settings));
        var runner = CreateTestProbe();
        var idle = CreateTestProbe();
        runner.Send(c, Busy("sleep-0001", 1, 2));
        idle.Send(c, Idle(1, slot: 1));

        // Nothing is given out during the window (it opened with the first status); then the unclaimed trial is
        // requeued and goes to the idle slot.
        idle.ExpectNoMsg(TimeSpan.FromMilliseconds(500));
        var requeued = idle.ExpectMsg<RunTrial>(TimeSpan.FromSeconds(3));
        Assert.Equal(("sleep-0002", 2), (requeued.Trial.Id, requeued.Attempt));
        Assert.Equal((TrialStatus.Running, 1), (handle.State.Trials["sleep-0001"].Status, handle.State.Trials["sleep-0001"].Attempts));

        // The claimed one completes under its first attempt.
        Assert.Equal(EventOutcome.Recorded, Record(runner, c, new TrialCompleted("sleep-0001", 1, 2, Time, null, null, null, null, null, null, null, null)));
    }

    [Fact]
    public void Restart_NoSlotEverSpeaks_ClaimWindowClosesAfterTheTimeout()
    {
        var plan = new[] { Sweeps.Actors.Planning.SweepPlanner.Sleeping(1, "synthetic", 10) };
        _store.AddTrials(plan);
        _store.Record(new TrialStarted("sleep-0001", 1, 1, Time, "node", "cpu"));
        var handle = new CoordinatorHandle(SweepState.Create(plan));
        var settings = new SweepActorSettings { ClaimWindow = TimeSpan.FromSeconds(30), ClaimTimeout = TimeSpan.FromMilliseconds(500) };
        Sys.ActorOf(SweepCoordinator.Props(
            new CoordinatorOptions { Sweep = "t", OutputDirectory = "/out", RequeueRunningOnStart = false }, plan, _store, handle, null, settings));
        AwaitCondition(() => handle.State.Trials["sleep-0001"].Status == TrialStatus.Pending, TimeSpan.FromSeconds(5));
        Assert.IsType<TrialRequeued>(_store.LoadEvents()[^1]);
    }

    [Fact]
    public void SlotRunningAStaleAttempt_IsToldToStopIt()
    {
        var (c, _) = Coordinator();
        var slot = CreateTestProbe();
        slot.Send(c, Idle(1));
        slot.ExpectMsg<RunTrial>();
        Record(slot, c, Started(T));
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

        public int AddTrials(IEnumerable<Sweeps.Actors.Planning.TrialSpec> trials) => _inner.AddTrials(trials);

        public IReadOnlyList<Sweeps.Actors.Planning.TrialSpec> LoadTrials() => _inner.LoadTrials();

        public bool Contains(TrialEventKey key) => _inner.Contains(key);

        public IReadOnlyList<TrialEvent> LoadEvents() => _inner.LoadEvents();

        public void RequestCancel() => _inner.RequestCancel();

        public bool IsCancelRequested() => _inner.IsCancelRequested();

        public void ClearCancelRequest() => _inner.ClearCancelRequest();

        public void Dispose() => _inner.Dispose();
    }
}
