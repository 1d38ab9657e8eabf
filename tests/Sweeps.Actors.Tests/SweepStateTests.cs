using Sweeps.Actors.Messages;
using Sweeps.Actors.State;
using static Sweeps.Actors.Tests.Events;

namespace Sweeps.Actors.Tests;

public sealed class SweepStateTests
{
    private static readonly SweepState Initial = SweepState.Create(Plan);

    private static SweepState Run(params TrialEvent[] events) => events.Aggregate(Initial, (s, e) => s.Apply(e));

    [Fact]
    public void Create_EveryTrialPendingWithoutAttempts()
    {
        Assert.All(Initial.Trials.Values, t => Assert.Equal((TrialStatus.Pending, 0), (t.Status, t.Attempts)));
        Assert.Equal([T, S], Initial.Order);
    }

    [Fact]
    public void Apply_Started_PendingToRunningWithAttemptAndDevice()
    {
        var t = Run(Started(T)).Trials[T];
        Assert.Equal((TrialStatus.Running, 1, 1, "cpu", Time), (t.Status, t.Attempts, t.LastSequence, t.Device, t.StartedAt!.Value));
        Assert.Equal(TrialStatus.Pending, Initial.Trials[T].Status);
    }

    [Fact]
    public void Apply_Epoch_RunningStaysRunningAndRecordsTop1()
    {
        var t = Run(Started(T), Epoch(T, 1, 0.5, at: 10)).Trials[T];
        Assert.Equal((TrialStatus.Running, 1, 2), (t.Status, t.EpochsCompleted, t.LastSequence));
        Assert.Equal(0.5, t.Top1ByEpoch[1]);
        Assert.Equal(1.0, t.LastTrainLoss);
    }

    [Fact]
    public void Apply_Completed_RunningToCompletedWithResultAndDuration()
    {
        var t = Run(Started(T), Epoch(T, 1, 0.5, at: 10), Epoch(T, 2, 0.6, at: 20), Completed(T, 4, at: 21)).Trials[T];
        Assert.Equal((TrialStatus.Completed, 0.8, 21.0), (t.Status, t.Result!.BestTop1!.Value, t.Seconds));
        Assert.Equal(Time.AddSeconds(21), t.FinishedAt);
        Assert.True(t.IsFinal);
    }

    [Fact]
    public void Apply_EventsThatBeganAfterTheHandOff_StartAndRunTimeCountFromThen()
    {
        // Handed to its slot at 0 (the slot still finishing its previous trial), began to run at 3: the first event
        // of its experiment actor moves the start; the later ones (same Began) change nothing more.
        var began = Time.AddSeconds(3);
        var t = Run(Started(T), Epoch(T, 1, 0.5, at: 10) with { Began = began }, Completed(T, 4, at: 21) with { Began = began }).Trials[T];
        Assert.Equal((began, began, 18.0), (t.StartedAt!.Value, t.AttemptStartedAt!.Value, t.Seconds));

        // A later attempt moves its own start, not the trial's first one; its run time adds to the first attempt's
        // (10 s up to its last event).
        var requeued = Run(Started(T), Epoch(T, 1, 0.5, at: 10), new TrialRequeued(T, 2, 0, Time.AddSeconds(100)));
        var second = requeued.Apply(Started(T, attempt: 2, at: 200))
            .Apply(Completed(T, 4, attempt: 2, at: 230) with { Began = Time.AddSeconds(205) }).Trials[T];
        Assert.Equal((Time, Time.AddSeconds(205), 10.0 + 25.0), (second.StartedAt!.Value, second.AttemptStartedAt!.Value, second.Seconds));
    }

    [Theory]
    [InlineData(null)] // the coordinator's own events, and stores written before Began existed
    [InlineData(-2.0)] // before the recorded start (another node's clock behind the coordinator's)
    [InlineData(30.0)] // after the event itself: not a time the event can have begun at
    public void Apply_BeganNotBetweenTheRecordedStartAndTheEvent_Ignored(double? beganAt)
    {
        var completed = Completed(T, 4, at: 21) with { Began = beganAt is { } b ? Time.AddSeconds(b) : null };
        var t = Run(Started(T), completed).Trials[T];
        Assert.Equal((Time, Time, 21.0), (t.StartedAt!.Value, t.AttemptStartedAt!.Value, t.Seconds));
    }

    [Fact]
    public void Apply_Failed_RunningToFailedWithError()
    {
        var t = Run(Started(T), new TrialFailed(T, 1, 2, Time, "loss is NaN at epoch 1 step 3")).Trials[T];
        Assert.Equal((TrialStatus.Failed, "loss is NaN at epoch 1 step 3"), (t.Status, t.Error));
    }

    [Fact]
    public void Apply_Cancelled_RunningToCancelled()
    {
        Assert.Equal(TrialStatus.Cancelled, Run(Started(T), new TrialCancelled(T, 1, 2, Time)).Trials[T].Status);
    }

    [Fact]
    public void Apply_RequeueInterruptedRunning_PendingResumableThenAttemptTwo()
    {
        var s = Run(Started(T), Epoch(T, 1, 0.5, at: 10), new TrialRequeued(T, 2, 0, Time.AddSeconds(100)));
        var t = s.Trials[T];
        Assert.Equal((TrialStatus.Pending, true, 1, 1, 10.0), (t.Status, t.Resumable, t.Attempts, t.EpochsCompleted, t.Seconds));
        var resumed = s.Apply(Started(T, attempt: 2, at: 200)).Apply(Epoch(T, 2, 0.7, attempt: 2, sequence: 2, at: 210)).Trials[T];
        Assert.Equal((TrialStatus.Running, 2, 2), (resumed.Status, resumed.Attempts, resumed.EpochsCompleted));
        Assert.Equal(Time, resumed.StartedAt);
    }

    [Fact]
    public void Apply_RequeueCancelled_PendingResumable()
    {
        var t = Run(Started(T), new TrialCancelled(T, 1, 2, Time), new TrialRequeued(T, 2, 0, Time)).Trials[T];
        Assert.Equal((TrialStatus.Pending, true), (t.Status, t.Resumable));
    }

    [Fact]
    public void Apply_Started_RecordsTheNodeItWasGivenTo()
    {
        Assert.Equal("node", Run(Started(T)).Trials[T].Node);
    }

    [Fact]
    public void Apply_LateCompletionOfTheRequeuedAttempt_PendingToCompletedWithThatAttemptsResult()
    {
        // Attempt 1 started at 0, last heard of at 10 (requeued at 100: 10 s counted); its completion at 50 arrives late.
        var requeued = Run(Started(T), Epoch(T, 1, 0.5, at: 10), new TrialRequeued(T, 2, 0, Time.AddSeconds(100)));
        var t = requeued.Apply(Completed(T, 4, attempt: 1, at: 50)).Trials[T];
        Assert.Equal((TrialStatus.Completed, 1, false, 1, 50.0), (t.Status, t.Result!.Attempt, t.Resumable, t.Attempts, t.Seconds));
        Assert.Equal(Time.AddSeconds(50), t.FinishedAt);
    }

    [Fact]
    public void Apply_LateCompletionOfAnEarlierAttempt_WhileANewerOneRuns_RunningToCompleted()
    {
        // 10 s of attempt 1 counted at its requeue; attempt 2 started at 60; attempt 1's completion at 70 ends it (+10 s).
        var running = Run(Started(T), Epoch(T, 1, 0.5, at: 10), new TrialRequeued(T, 2, 0, Time), Started(T, attempt: 2, at: 60));
        var t = running.Apply(Completed(T, 4, attempt: 1, at: 70)).Trials[T];
        Assert.Equal((TrialStatus.Completed, 1, 2, 20.0), (t.Status, t.Result!.Attempt, t.Attempts, t.Seconds));
    }

    [Fact]
    public void Apply_LateCompletionOfAnEarlierAttempt_AfterTheNewerOneWasCancelled_CancelledToCompleted()
    {
        var cancelled = Run(Started(T), new TrialRequeued(T, 2, 0, Time), Started(T, attempt: 2), new TrialCancelled(T, 2, 2, Time));
        var t = cancelled.Apply(Completed(T, 4, attempt: 1)).Trials[T];
        Assert.Equal((TrialStatus.Completed, 1, false), (t.Status, t.Result!.Attempt, t.Resumable));
    }

    public static TheoryData<string, TrialEvent[]> IllegalSequences => new()
    {
        { "completion of an attempt after the trial completed by another", [Started(T), new TrialRequeued(T, 2, 0, Time), Started(T, attempt: 2), Completed(T, 4, attempt: 2), Completed(T, 4, attempt: 1)] },
        { "a late completion applied twice", [Started(T), new TrialRequeued(T, 2, 0, Time), Completed(T, 4, attempt: 1), Completed(T, 5, attempt: 1)] },
        { "completion of an attempt not started yet", [Started(T), new TrialRequeued(T, 2, 0, Time), Completed(T, 4, attempt: 2)] },
        { "completion of attempt 0", [Started(T), new TrialRequeued(T, 2, 0, Time), Completed(T, 4, attempt: 0)] },
        { "completion of the cancelled attempt itself", [Started(T), new TrialCancelled(T, 1, 2, Time), Completed(T, 3)] },
        { "late failure of an earlier attempt", [Started(T), new TrialRequeued(T, 2, 0, Time), Started(T, attempt: 2), new TrialFailed(T, 1, 4, Time, "x")] },
        { "late cancel of an earlier attempt", [Started(T), new TrialRequeued(T, 2, 0, Time), new TrialCancelled(T, 1, 4, Time)] },
        { "completion after failed", [Started(T), new TrialFailed(T, 1, 2, Time, "x"), Completed(T, 3)] },
        { "epoch before start", [Epoch(T, 1, 0.5)] },
        { "completed before start", [Completed(T, 2)] },
        { "started twice", [Started(T), Started(T)] },
        { "started with attempt 2 first", [Started(T, attempt: 2)] },
        { "completed twice", [Started(T), Completed(T, 2), Completed(T, 3)] },
        { "epoch after completed", [Started(T), Completed(T, 2), Epoch(T, 1, 0.5, sequence: 3)] },
        { "stale sequence", [Started(T), Epoch(T, 1, 0.5, sequence: 3), Epoch(T, 2, 0.5, sequence: 2)] },
        { "event of an older attempt", [Started(T), new TrialRequeued(T, 2, 0, Time), Started(T, attempt: 2), Epoch(T, 1, 0.5, attempt: 1, sequence: 5)] },
        { "requeue of a completed trial", [Started(T), Completed(T, 2), new TrialRequeued(T, 2, 0, Time)] },
        { "requeue of a pending trial", [new TrialRequeued(T, 1, 0, Time)] },
        { "requeue with a wrong attempt", [Started(T), new TrialRequeued(T, 3, 0, Time)] },
        { "failed after cancelled", [Started(T), new TrialCancelled(T, 1, 2, Time), new TrialFailed(T, 1, 3, Time, "x")] },
        { "unknown trial", [Started("nope")] },
    };

    [Theory]
    [MemberData(nameof(IllegalSequences))]
    public void Apply_IllegalEvent_ThrowsAndLeavesStateUnchanged(string name, TrialEvent[] events)
    {
        var before = events[..^1].Aggregate(Initial, (s, e) => s.Apply(e));
        var ex = Assert.Throws<InvalidTransitionException>(() => before.Apply(events[^1]));
        Assert.False(string.IsNullOrEmpty(ex.Message), name);
        Assert.False(before.CanApply(events[^1]));
        var again = events[..^1].Aggregate(Initial, (s, e) => s.Apply(e)).Trials[T];
        var t = before.Trials[T];
        Assert.Equal((again.Status, again.Attempts, again.LastSequence, again.EpochsCompleted), (t.Status, t.Attempts, t.LastSequence, t.EpochsCompleted));
    }

    [Fact]
    public void Ready_StudentOnlyAfterTeacherCompleted()
    {
        Assert.Equal([T], Initial.Ready().Select(t => t.Spec.Id));
        Assert.Empty(Run(Started(T)).Ready());
        Assert.Equal([S], Run(Started(T), Completed(T, 2)).Ready().Select(t => t.Spec.Id));
    }

    [Fact]
    public void Blocked_StudentOfFailedTeacher()
    {
        var s = Run(Started(T), new TrialFailed(T, 1, 2, Time, "boom"));
        Assert.Empty(s.Ready());
        Assert.Equal([S], s.Blocked().Select(t => t.Spec.Id));
    }

    [Fact]
    public void RequeueInterrupted_OnlyRunningAndCancelled()
    {
        var s = Run(Started(T), Completed(T, 2), Started(S));
        var requeue = Assert.Single(s.RequeueInterrupted(Time));
        Assert.Equal(new TrialRequeued(S, 2, 0, Time), requeue);
    }
}
