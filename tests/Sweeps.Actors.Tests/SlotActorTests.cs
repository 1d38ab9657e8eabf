using Akka.Actor;
using Akka.TestKit;
using Akka.TestKit.Xunit2;
using Sweeps.Actors.Messages;
using Sweeps.Actors.Planning;
using static Sweeps.Actors.Tests.Events;

namespace Sweeps.Actors.Tests;

/// <summary>The slot and experiment actors with a test probe as the coordinator: requests for work (and asking
/// ahead), events sent in order until answered, what a slot holds, stop, cancel and hand-back.</summary>
public sealed class SlotActorTests : TestKit
{
    private static readonly SweepActorSettings Fast = new()
    {
        StatusInterval = TimeSpan.FromMilliseconds(200), ResendInterval = TimeSpan.FromMilliseconds(200), AskAhead = TimeSpan.FromMilliseconds(300),
    };

    public SlotActorTests()
        : base("akka.loglevel = WARNING")
    {
    }

    private static RunTrial Run(TrialSpec spec, int ask, int attempt = 1) =>
        new("t", spec, attempt, "/nonexistent/trials/" + spec.Id, null, null, null, null, Time, ask);

    private static TrialSpec Sleeper(int ms, int index = 1) => SweepPlanner.Sleeping(index, "synthetic", ms);

    private static T Expect<T>(TestProbe coordinator, TimeSpan? timeout = null)
        where T : class => coordinator.FishForMessage<T>(_ => true, timeout ?? TimeSpan.FromSeconds(5));

    private static void Answer(TestProbe coordinator, TrialEvent e) =>
        coordinator.Reply(new TrialEventRecorded(e.TrialId, e.Attempt, e.Sequence, EventOutcome.Recorded));

    // A slot running a sleeping trial of 3 s that has asked for its next one: the trial is shorter than the ask-ahead
    // time, so the slot asks at once, and long enough that an answer arrives while it runs even on a machine whose
    // cores are busy (with 200 ms it could end before the test had read the slot's request, and nothing was queued).
    private (TestProbe Coordinator, WorkerContext Worker, IActorRef Slot) SlotAskingAheadWhileItRuns()
    {
        var coordinator = CreateTestProbe();
        var worker = new WorkerContext("node/1", settings: Fast with { AskAhead = TimeSpan.FromSeconds(10) });
        var slot = Sys.ActorOf(SlotActor.Props(coordinator.Ref, new DeviceSlot(0, "cpu", 1), worker));
        slot.Tell(Run(Sleeper(3000), ask: 1), coordinator.Ref);
        coordinator.FishForMessage<SlotStatus>(s => s.Wants && s.Running is not null, TimeSpan.FromSeconds(10));
        return (coordinator, worker, slot);
    }

    [Fact]
    public void Slot_AsksWhileIdle_RunsOnlyTheAnswerToItsRequest_HoldsItUntilItsLastEventIsAnswered_ThenAsksAgain()
    {
        var coordinator = CreateTestProbe();
        var worker = new WorkerContext("node/1", settings: Fast);
        var slot = Sys.ActorOf(SlotActor.Props(coordinator.Ref, new DeviceSlot(0, "cpu", 1), worker, slots: 2));
        var first = coordinator.ExpectMsg<SlotStatus>();
        Assert.Equal(("node/1", 0, 2, "cpu", 1, true, true), (first.Node, first.Slot, first.Slots, first.Device, first.Ask, first.Wants, first.IsIdle));
        Assert.Empty(first.Holds);
        // Repeated while idle.
        Assert.Equal(1, coordinator.ExpectMsg<SlotStatus>().Ask);

        // (A sleeping trial longer than the ask-ahead time: it does not ask for the next one at once.)
        slot.Tell(Run(Sleeper(1000), ask: 1), coordinator.Ref);
        slot.Tell(Run(Sleeper(1000, index: 2), ask: 1), coordinator.Ref); // a repeat: ignored
        var busy = coordinator.FishForMessage<SlotStatus>(s => !s.IsIdle);
        Assert.Equal((new TrialAttempt("sleep-0001", 1), (TrialAttempt?)null, 2, false), (busy.Running!.Value, busy.Next, busy.Ask, busy.Wants));

        // Its end is near: it asks for the next trial while still running this one.
        var ahead = coordinator.FishForMessage<SlotStatus>(s => s.Wants, TimeSpan.FromSeconds(5));
        Assert.Equal((new TrialAttempt("sleep-0001", 1), 2), (ahead.Running!.Value, ahead.Ask));

        // The training ended: its completion is on its way; until it is answered, the slot holds the attempt.
        var completed = Expect<RecordEvent>(coordinator).Event;
        var experiment = coordinator.LastSender;
        Assert.IsType<TrialCompleted>(completed);
        Assert.Equal(2, completed.Sequence);
        var finishing = coordinator.FishForMessage<SlotStatus>(s => s.IsIdle);
        Assert.Equal([new TrialAttempt("sleep-0001", 1)], finishing.Finishing);
        experiment.Tell(new TrialEventRecorded(completed.TrialId, completed.Attempt, completed.Sequence, EventOutcome.Recorded), coordinator.Ref);
        var idle = coordinator.FishForMessage<SlotStatus>(s => s.IsIdle && s.Finishing.Count == 0);
        Assert.Equal((2, true), (idle.Ask, idle.Wants));
        Assert.Equal(0, worker.Training);
    }

    [Fact]
    public void AnswerToARequestAhead_IsQueued_AndStartsTheMomentTheRunningTrialEnds()
    {
        var (coordinator, worker, slot) = SlotAskingAheadWhileItRuns();
        slot.Tell(Run(Sleeper(60_000, index: 2), ask: 2), coordinator.Ref);
        var queued = coordinator.FishForMessage<SlotStatus>(s => s.Next is not null, TimeSpan.FromSeconds(10));
        Assert.Equal((new TrialAttempt("sleep-0001", 1), new TrialAttempt("sleep-0002", 1), 3, false), (queued.Running!.Value, queued.Next!.Value, queued.Ask, queued.Wants));

        var next = coordinator.FishForMessage<SlotStatus>(s => s.Running is { TrialId: "sleep-0002" }, TimeSpan.FromSeconds(15));
        Assert.Null(next.Next);
        // The slot reports the new attempt as it spawns its experiment actor; the actor counts itself as training when
        // it starts, on its own thread, a moment later (the first trial's count has already gone).
        AwaitAssert(() => Assert.Equal(1, worker.Training), TimeSpan.FromSeconds(5));
    }

    [Fact]
    public void QueuedTrial_EventsSayWhenItBeganToRun_AfterTheTrialBeforeItEnded()
    {
        // The second trial is handed over (and its start would be recorded by the coordinator) while the first still
        // sleeps for about 3 s; its events carry when it actually began: after the first one's end.
        var (coordinator, _, slot) = SlotAskingAheadWhileItRuns();
        var handedOver = DateTimeOffset.UtcNow;
        slot.Tell(Run(Sleeper(300, index: 2), ask: 2), coordinator.Ref);
        coordinator.FishForMessage<SlotStatus>(s => s.Next is not null, TimeSpan.FromSeconds(10));

        var first = coordinator.FishForMessage<RecordEvent>(r => r.Event.TrialId == "sleep-0001", TimeSpan.FromSeconds(15)).Event;
        Answer(coordinator, first);
        var second = coordinator.FishForMessage<RecordEvent>(r => r.Event.TrialId == "sleep-0002", TimeSpan.FromSeconds(15)).Event;
        Answer(coordinator, second);

        Assert.True(first.Began is { } b1 && b1 < handedOver && b1 <= first.At, $"first: began {first.Began:O}, handed the second over {handedOver:O}");
        var began = second.Began!.Value;
        Assert.True(began >= first.At, $"the second began {began:O}, before the first ended {first.At:O}");
        Assert.True(first.At > handedOver, "the first trial had ended before the second was handed over: nothing was queued");
        var ran = second.At - began;
        Assert.True(ran >= TimeSpan.FromMilliseconds(290) && ran < TimeSpan.FromSeconds(3), $"the second ran {ran.TotalSeconds:0.000} s (sleeps 0.3 s)");
    }

    [Fact]
    public void StopTrial_DropsTheQueuedAttempt_StopsTheRunningOneWithoutReportingIt()
    {
        var coordinator = CreateTestProbe();
        var worker = new WorkerContext("node/1", settings: Fast);
        var slot = Sys.ActorOf(SlotActor.Props(coordinator.Ref, new DeviceSlot(0, "cpu", 1), worker));
        slot.Tell(Run(Sleeper(60_000), ask: 1), coordinator.Ref);
        coordinator.FishForMessage<SlotStatus>(s => s.Running is not null);

        slot.Tell(new StopTrial("sleep-0001", 1));
        var stopped = coordinator.FishForMessage<SlotStatus>(s => s.IsIdle && s.Finishing.Count == 0, TimeSpan.FromSeconds(5));
        Assert.True(stopped.Wants);
        Assert.Equal(0, worker.Training);
        coordinator.ReceiveWhile<object>(TimeSpan.FromMilliseconds(300), o => o is RecordEvent ? throw new Xunit.Sdk.XunitException($"a stopped attempt reported {o}") : o);
    }

    [Fact]
    public void Experiment_EventsGoOneAtATimeInOrder_EachSentAgainUntilAnswered_ThenTheActorStops()
    {
        var coordinator = CreateTestProbe();
        var worker = new WorkerContext("node/1", settings: Fast, runner: new TwoEpochs());
        var spec = Plan[0];
        var experiment = Sys.ActorOf(ExperimentActor.Props(Run(spec, 1), new DeviceSlot(0, "cpu", 1), coordinator.Ref, worker));
        Watch(experiment);

        var first = coordinator.ExpectMsg<RecordEvent>().Event;
        Assert.IsType<TrialEpochCompleted>(first);
        // Not answered: the same event comes again (and nothing after it).
        Assert.Equal(first, coordinator.ExpectMsg<RecordEvent>(TimeSpan.FromSeconds(2)).Event);
        Answer(coordinator, first);

        var sequences = new List<int> { first.Sequence };
        while (true)
        {
            var e = coordinator.ExpectMsg<RecordEvent>().Event;
            if (e.Sequence == sequences[^1])
            {
                continue; // a repeat sent before our answer arrived
            }

            sequences.Add(e.Sequence);
            Answer(coordinator, e);
            if (e is TrialCompleted)
            {
                break;
            }
        }

        Assert.Equal([2, 3, 4], sequences);
        ExpectTerminated(experiment);
    }

    [Fact]
    public void TrainingTrial_AsksAheadAtItsLastStep()
    {
        var coordinator = CreateTestProbe();
        var worker = new WorkerContext("node/1", settings: Fast, runner: new TwoEpochs());
        var slot = Sys.ActorOf(SlotActor.Props(coordinator.Ref, new DeviceSlot(0, "cpu", 1), worker));
        slot.Tell(Run(Plan[0], ask: 1), coordinator.Ref);
        var epochs = new List<int>();
        var ahead = (SlotStatus)coordinator.FishForMessage<object>(
            m =>
            {
                if (m is RecordEvent { Event: TrialEpochCompleted p })
                {
                    epochs.Add(p.Epoch);
                    Answer(coordinator, p);
                }

                return m is SlotStatus { Wants: true, Running: not null };
            },
            TimeSpan.FromSeconds(5));
        Assert.Equal(new TrialAttempt(Plan[0].Id, 1), ahead.Running!.Value);
        Assert.Equal([1], epochs.Distinct()); // the second epoch's step was the last: the ask came before its evaluation
    }

    [Fact]
    public void Cancel_RunningTrialStopsAndReportsCancelled()
    {
        var (coordinator, _, slot) = SlotRunningALongTrial();

        slot.Tell(new CancelSweep("t", Time));
        var last = Expect<RecordEvent>(coordinator, TimeSpan.FromSeconds(5)).Event;
        Assert.IsType<TrialCancelled>(last);
        Assert.Equal(2, last.Sequence);
    }

    [Fact]
    public async Task HandBack_RunningTrialStopsWithoutReporting_AndTheSlotAsksNoMore()
    {
        var (coordinator, worker, slot) = SlotRunningALongTrial();
        Assert.Equal(1, worker.Training);

        slot.Tell(HandBack.Instance);
        await worker.WhenIdleAsync().WaitAsync(TimeSpan.FromSeconds(5));
        coordinator.ReceiveWhile<object>(TimeSpan.FromMilliseconds(300), o => o); // drain what was sent before
        coordinator.ExpectNoMsg(TimeSpan.FromMilliseconds(600));
        slot.Tell(Run(Sleeper(10), ask: 2));
        coordinator.ExpectNoMsg(TimeSpan.FromMilliseconds(400));
    }

    // A slot whose trial (a minute's sleep) has started.
    private (TestProbe Coordinator, WorkerContext Worker, IActorRef Slot) SlotRunningALongTrial()
    {
        var coordinator = CreateTestProbe();
        var worker = new WorkerContext("node/1", settings: Fast);
        var slot = Sys.ActorOf(SlotActor.Props(coordinator.Ref, new DeviceSlot(0, "cpu", 1), worker));
        slot.Tell(Run(Sleeper(60_000), ask: 1));
        coordinator.FishForMessage<SlotStatus>(s => s.Running is not null);
        // The slot reports the attempt as it spawns the experiment actor, which counts itself as training a moment later.
        AwaitAssert(() => Assert.Equal(1, worker.Training), TimeSpan.FromSeconds(5));
        return (coordinator, worker, slot);
    }

    /// <summary>Two epochs of two 50 ms steps each, then completed.</summary>
    private sealed class TwoEpochs : TrialRunner
    {
        public override async Task<TrialEvent> RunAsync(
            RunTrial trial, DeviceSlot slot, Action<TrialEpochCompleted>? epoch, Action<Sweeps.Training.Training.StepProgress>? step, CancellationToken cancellationToken)
        {
            for (var e = 1; e <= 2; e++)
            {
                for (var s = 1; s <= 2; s++)
                {
                    await Task.Delay(50, cancellationToken);
                    step?.Invoke(new Sweeps.Training.Training.StepProgress(e, 2, s, 2, 1.0));
                }

                // The evaluation after the last epoch takes a while: the slot's ask comes before this epoch's event.
                await Task.Delay(e == 2 ? 500 : 0, cancellationToken);
                epoch?.Invoke(new TrialEpochCompleted(trial.Trial.Id, trial.Attempt, EpochSequence(e), Time, e, 2, 1, 0.5, 0.05, 100));
            }

            return new TrialCompleted(trial.Trial.Id, trial.Attempt, FinalSequence(trial.Trial), Time, 0.5, 2, 0.5, 0.5, 1, "none", null, null);
        }
    }
}
