using Akka.Actor;
using Akka.TestKit;
using Akka.TestKit.Xunit2;
using Sweeps.Actors.Messages;
using Sweeps.Actors.Planning;
using static Sweeps.Actors.Tests.Events;

namespace Sweeps.Actors.Tests;

/// <summary>The slot and experiment actors with a test probe as the coordinator: requests for work, events sent in
/// order until answered, cancel and hand-back.</summary>
public sealed class SlotActorTests : TestKit
{
    private static readonly SweepActorSettings Fast = new() { StatusInterval = TimeSpan.FromMilliseconds(200), ResendInterval = TimeSpan.FromMilliseconds(200) };

    public SlotActorTests()
        : base("akka.loglevel = WARNING")
    {
    }

    private static RunTrial Run(TrialSpec spec, int ask, int attempt = 1) =>
        new("t", spec, attempt, "/nonexistent/trials/" + spec.Id, null, null, null, null, Time, ask);

    private static TrialSpec Sleeper(int ms) => SweepPlanner.Sleeping(1, "synthetic", ms);

    private static T Expect<T>(TestProbe coordinator, TimeSpan? timeout = null)
        where T : class => coordinator.FishForMessage<T>(_ => true, timeout ?? TimeSpan.FromSeconds(5));

    [Fact]
    public void Slot_AsksWhileIdle_RunsOnlyTheAnswerToItsRequest_ThenAsksAgain()
    {
        var coordinator = CreateTestProbe();
        var worker = new WorkerContext("node/1", settings: Fast);
        var slot = Sys.ActorOf(SlotActor.Props(coordinator.Ref, new DeviceSlot(0, "cpu", 1), worker));
        Assert.Equal(new SlotStatus("node/1", 0, "cpu", 1, null, 0), coordinator.ExpectMsg<SlotStatus>());
        // Repeated while idle.
        Assert.Equal(1, coordinator.ExpectMsg<SlotStatus>().Ask);

        slot.Tell(Run(Sleeper(300), ask: 1), coordinator.Ref);
        slot.Tell(Run(SweepPlanner.Sleeping(2, "synthetic", 300), ask: 1), coordinator.Ref); // a repeat: ignored
        var started = Expect<RecordEvent>(coordinator).Event;
        Assert.Equal(("sleep-0001", 1, 1), (started.TrialId, started.Attempt, started.Sequence));
        Assert.IsType<TrialStarted>(started);
        coordinator.Reply(new TrialEventRecorded(started.TrialId, 1, 1, EventOutcome.Recorded));

        // Busy with that trial (and only that one), then idle with its next request once the trial ended.
        var busy = coordinator.FishForMessage<SlotStatus>(s => !s.IsIdle);
        Assert.Equal(("sleep-0001", 1, 2), (busy.TrialId, busy.Attempt, busy.Ask));
        var completed = Expect<RecordEvent>(coordinator).Event;
        Assert.IsType<TrialCompleted>(completed);
        Assert.Equal(2, completed.Sequence);
        var idle = coordinator.FishForMessage<SlotStatus>(s => s.IsIdle);
        Assert.Equal(2, idle.Ask);
        Assert.Equal(0, worker.Training);
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
        Assert.IsType<TrialStarted>(first);
        // Not answered: the same event comes again (and nothing after it).
        Assert.Equal(first, coordinator.ExpectMsg<RecordEvent>(TimeSpan.FromSeconds(2)).Event);
        coordinator.Reply(new TrialEventRecorded(first.TrialId, first.Attempt, first.Sequence, EventOutcome.Recorded));

        var sequences = new List<int> { first.Sequence };
        while (true)
        {
            var e = coordinator.ExpectMsg<RecordEvent>().Event;
            if (e.Sequence == sequences[^1])
            {
                continue; // a repeat sent before our answer arrived
            }

            sequences.Add(e.Sequence);
            coordinator.Reply(new TrialEventRecorded(e.TrialId, e.Attempt, e.Sequence, EventOutcome.Recorded));
            if (e is TrialCompleted)
            {
                break;
            }
        }

        Assert.Equal([1, 2, 3, 4], sequences);
        ExpectTerminated(experiment);
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

    // A slot whose trial (a minute's sleep) has started, its start answered.
    private (TestProbe Coordinator, WorkerContext Worker, IActorRef Slot) SlotRunningALongTrial()
    {
        var coordinator = CreateTestProbe();
        var worker = new WorkerContext("node/1", settings: Fast);
        var slot = Sys.ActorOf(SlotActor.Props(coordinator.Ref, new DeviceSlot(0, "cpu", 1), worker));
        slot.Tell(Run(Sleeper(60_000), ask: 1));
        var started = Expect<RecordEvent>(coordinator).Event;
        coordinator.Reply(new TrialEventRecorded(started.TrialId, 1, 1, EventOutcome.Recorded));
        return (coordinator, worker, slot);
    }

    /// <summary>Two epochs of 50 ms each, then completed.</summary>
    private sealed class TwoEpochs : TrialRunner
    {
        public override async Task<TrialEvent> RunAsync(
            RunTrial trial, DeviceSlot slot, Action<TrialEpochCompleted>? epoch, Action<Sweeps.Training.Training.StepProgress>? step, CancellationToken cancellationToken)
        {
            for (var e = 1; e <= 2; e++)
            {
                await Task.Delay(50, cancellationToken);
                epoch?.Invoke(new TrialEpochCompleted(trial.Trial.Id, trial.Attempt, EpochSequence(e), Time, e, 2, 1, 0.5, 0.05, 100));
            }

            return new TrialCompleted(trial.Trial.Id, trial.Attempt, FinalSequence(trial.Trial), Time, 0.5, 2, 0.5, 0.5, 1, "none", null, null);
        }
    }
}
