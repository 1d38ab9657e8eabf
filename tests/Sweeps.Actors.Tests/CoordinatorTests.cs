using Sweeps.Actors.Messages;
using Sweeps.Actors.State;
using Sweeps.Actors.Storage;
using static Sweeps.Actors.Tests.Events;

namespace Sweeps.Actors.Tests;

/// <summary>The coordinator without a transport: events in through HandleAsync, commands out through a list.</summary>
public sealed class CoordinatorTests : IDisposable
{
    private readonly InMemorySweepStore _store = new();
    private readonly List<RunTrial> _sent = [];
    private readonly RecordingObserver _observer = new();

    public void Dispose() => _store.Dispose();

    private SweepCoordinator Coordinator() => new(
        new CoordinatorOptions { Sweep = "t", OutputDirectory = "/out", TrainLimit = 64, TestLimit = 32 },
        Plan,
        _store,
        m =>
        {
            lock (_sent)
            {
                _sent.Add(m);
            }

            return Task.CompletedTask;
        },
        _observer);

    [Fact]
    public async Task Start_SendsOnlyTheTeacher_ThenTheStudentWhenTheTeacherCompleted()
    {
        using var c = Coordinator();
        await c.StartAsync();
        var teacher = Assert.Single(_sent);
        Assert.Equal((T, 1, "/out/trials/" + T, null, 64, 32), (teacher.Trial.Id, teacher.Attempt, teacher.Directory, teacher.TeacherCheckpoint, teacher.TrainLimit, teacher.TestLimit));

        await c.HandleAsync(Started(T));
        await c.HandleAsync(Epoch(T, 1, 0.5));
        Assert.Single(_sent);
        await c.HandleAsync(Completed(T, 3));
        Assert.Equal(2, _sent.Count);
        Assert.Equal((S, "/out/trials/" + T + "/model.pt"), (_sent[1].Trial.Id, _sent[1].TeacherCheckpoint));
        Assert.False(c.Completion.IsCompleted);

        await c.HandleAsync(Started(S));
        await c.HandleAsync(Completed(S, 2));
        Assert.Equal("completed", await c.Completion);
        Assert.Equal(5, _store.LoadEvents().Count);
        Assert.Equal(["t:completed"], _observer.Finished);
    }

    [Fact]
    public async Task Handle_SameEventTwice_SecondIsDuplicateAndChangesNothing()
    {
        using var c = Coordinator();
        await c.StartAsync();
        Assert.Equal(EventOutcome.Recorded, await c.HandleAsync(Started(T)));
        Assert.Equal(EventOutcome.Recorded, await c.HandleAsync(Epoch(T, 1, 0.5)));
        var state = c.State;
        var events = _store.LoadEvents();

        Assert.Equal(EventOutcome.Duplicate, await c.HandleAsync(Epoch(T, 1, 0.5)));
        Assert.Equal(EventOutcome.Duplicate, await c.HandleAsync(Started(T)));
        Assert.Same(state, c.State);
        Assert.Equal(events, _store.LoadEvents());
        Assert.Equal(2, _observer.Outcomes.Count(o => o == EventOutcome.Duplicate));
    }

    [Fact]
    public async Task Handle_IllegalEvent_RejectedNotRecorded()
    {
        using var c = Coordinator();
        await c.StartAsync();
        Assert.Equal(EventOutcome.Rejected, await c.HandleAsync(Completed(S, 2)));
        Assert.Empty(_store.LoadEvents());
        Assert.Equal(TrialStatus.Pending, c.State.Trials[S].Status);
    }

    [Fact]
    public async Task Start_AfterCrash_CompletedNotResentInterruptedRequeuedAsAttemptTwo()
    {
        using (var first = Coordinator())
        {
            await first.StartAsync();
            await first.HandleAsync(Started(T));
            await first.HandleAsync(Completed(T, 2));
            await first.HandleAsync(Started(S));
            await first.HandleAsync(Epoch(S, 1, 0.4));
        }

        _sent.Clear();
        using var second = Coordinator();
        await second.StartAsync();
        var resent = Assert.Single(_sent);
        Assert.Equal((S, 2), (resent.Trial.Id, resent.Attempt));
        Assert.Equal((TrialStatus.Completed, 1), (second.State.Trials[T].Status, second.State.Trials[T].Attempts));
        Assert.Equal((TrialStatus.Pending, true, 1), (second.State.Trials[S].Status, second.State.Trials[S].Resumable, second.State.Trials[S].EpochsCompleted));
        Assert.IsType<TrialRequeued>(_store.LoadEvents()[^1]);

        // A third start replays the requeue too and sends attempt 2 again (nothing started it yet).
        _sent.Clear();
        using var third = Coordinator();
        await third.StartAsync();
        Assert.Equal(2, Assert.Single(_sent).Attempt);
    }

    [Fact]
    public async Task Cancel_NothingMoreSent_FinishesCancelledWhenRunningTrialReportsCancelled()
    {
        using var c = Coordinator();
        await c.StartAsync();
        await c.HandleAsync(Started(T));
        await c.CancelAsync();
        Assert.False(c.Completion.IsCompleted);
        await c.HandleAsync(new TrialCancelled(T, 1, 2, Time));
        Assert.Equal("cancelled", await c.Completion);
        Assert.Single(_sent);
    }

    [Fact]
    public async Task Handle_TeacherFailed_SweepFinishesFailedWithStudentBlocked()
    {
        using var c = Coordinator();
        await c.StartAsync();
        await c.HandleAsync(Started(T));
        await c.HandleAsync(new TrialFailed(T, 1, 2, Time, "loss is NaN"));
        Assert.Equal("failed", await c.Completion);
        Assert.Equal([S], c.State.Blocked().Select(t => t.Spec.Id));
        Assert.Single(_sent);
    }

    [Fact]
    public async Task Handle_StateChanges_ReportedToObserverInOrder()
    {
        using var c = Coordinator();
        await c.StartAsync();
        await c.HandleAsync(Started(T));
        await c.HandleAsync(Epoch(T, 1, 0.5));
        await c.HandleAsync(Completed(T, 3));
        Assert.Equal([$"{T}:Pending->Running", $"{T}:Running->Completed"], _observer.Changes);
        Assert.Equal([(T, 1, 0.5)], _observer.Epochs);
    }

    private sealed class RecordingObserver : ISweepObserver
    {
        public List<string> Changes { get; } = [];

        public List<(string, int, double)> Epochs { get; } = [];

        public List<EventOutcome> Outcomes { get; } = [];

        public List<string> Finished { get; } = [];

        public void TrialStateChanged(TrialLabels trial, TrialStatus from, TrialStatus to) => Changes.Add($"{trial.TrialId}:{from}->{to}");

        public void EpochReported(TrialLabels trial, EpochReport epoch) => Epochs.Add((trial.TrialId, epoch.Epoch, epoch.TestTop1));

        public void EventRecorded(TrialEvent e, EventOutcome outcome) => Outcomes.Add(outcome);

        public void SweepFinished(string sweep, string status) => Finished.Add($"{sweep}:{status}");
    }
}
