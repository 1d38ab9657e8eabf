using System.Diagnostics;
using Sweeps.Actors.Messages;
using Sweeps.Actors.State;
using Sweeps.Cluster;

namespace Sweeps.Cli.Tests;

/// <summary>
/// Cluster mode with real processes (dotnet Sweeps.Cli.dll coordinator / worker) forming an Akka cluster on
/// 127.0.0.1, under injected faults: kill -9 of a worker and of the coordinator, SIGTERM of a worker, a worker joining
/// mid-sweep, <c>sweeps cancel</c> and a resume, and a frozen node on either side of a one-coordinator-one-worker
/// split. Each asserts that every trial is exactly once in results.json and that each epoch of every training trial was
/// trained (logged in its metrics.jsonl) exactly once, also across a resume from a checkpoint.
/// </summary>
public sealed class ClusterProcessTests
{
    private const string Teacher = "resnet20-synthetic-fp-s0";

    // What a worker says each time the cluster removed it.
    private const string Downed = "removed from the cluster (downed)";

    private static readonly TimeSpan Minutes3 = TimeSpan.FromMinutes(3);

    [Fact]
    public async Task Worker_Killed_ItsTrialResumesOnAnotherSlotFromItsCheckpointWithin30Seconds()
    {
        await using var bed = new ClusterTestbed(workers: 2);
        var sweep = bed.Sweep("killworker", teacherEpochs: 8, sleeping: 8, sleepMs: 3000);
        var coordinator = bed.Coordinator(sweep);
        // One slot: the sleeping trials wait for the second worker, which so has work as soon as it joins.
        var doomed = bed.Worker(0, "--devices", "cpu");
        await bed.WaitUntil(() => bed.Events().OfType<TrialEpochCompleted>().Any(e => e.TrialId == Teacher), Minutes3, "the teacher's first epoch", coordinator, doomed);
        var survivor = bed.Worker(1);
        await bed.WaitUntil(() => bed.Events().OfType<TrialStarted>().Any(e => e.Node == ClusterTestbed.Node(survivor)), Minutes3, "a trial on the second worker", coordinator, survivor);

        doomed.Kill(entireProcessTree: true);
        var killedAt = DateTimeOffset.UtcNow;
        await doomed.WaitForExitAsync();
        var interrupted = EmbeddedSweepHost.Read(bed.Output).State.Trials[Teacher];
        Assert.True(interrupted.Status == TrialStatus.Running, $"the teacher was {interrupted.Status} at the kill, not running: nothing to resume\n{bed.Report()}");

        await bed.WaitUntil(() => bed.Events().OfType<TrialStarted>().Any(e => e.TrialId == Teacher && e.Attempt == 2), TimeSpan.FromSeconds(60), "the teacher's resume", coordinator);
        var resumed = bed.Events().OfType<TrialStarted>().Single(e => e.TrialId == Teacher && e.Attempt == 2);
        Assert.Equal(ClusterTestbed.Node(survivor), resumed.Node);
        var failover = resumed.At - killedAt;
        Assert.True(failover <= TimeSpan.FromSeconds(30), $"the teacher resumed {failover.TotalSeconds:F1} s after the kill\n{bed.Report()}");

        await bed.WaitExit(coordinator, Minutes3);
        bed.AssertEachTrialCompletedOnce("killworker", 9);
        var completed = bed.Events().OfType<TrialCompleted>().Single(e => e.TrialId == Teacher);
        Assert.Equal(2, completed.Attempt);
        Assert.True(completed.ResumedAfterEpoch >= 1, "the teacher restarted from epoch 0 instead of its checkpoint");
    }

    [Fact]
    public async Task Coordinator_KilledAndRestarted_RecoversFromTheStore_NoEventLost()
    {
        await using var bed = new ClusterTestbed(workers: 2);
        var sweep = bed.Sweep("killcoord", teacherEpochs: 2, sleeping: 16, sleepMs: 1500);
        var coordinator = bed.Coordinator(sweep);
        bed.Worker(0);
        bed.Worker(1);
        await bed.WaitUntil(() => bed.Events().OfType<TrialCompleted>().Count() >= 4, Minutes3, "4 completed trials", coordinator);
        coordinator.Kill(entireProcessTree: true);
        await coordinator.WaitForExitAsync();
        var before = bed.Events();
        Assert.True(before.OfType<TrialCompleted>().Count() < 17, "the sweep finished before the kill: nothing was tested");
        await Task.Delay(TimeSpan.FromSeconds(4));

        var second = bed.Coordinator(sweep);
        await bed.WaitExit(second, Minutes3);

        bed.AssertEachTrialCompletedOnce("killcoord", 17);
        var after = bed.Events();
        Assert.Equal(before.Select(e => e.Key), after.Take(before.Count).Select(e => e.Key));
        // Every trial a worker saw complete, also while no coordinator was up (the workers may even have downed
        // themselves meanwhile, losing the coordinator's side of the split), is recorded as completed under that attempt:
        // its event was sent again until the restarted coordinator answered it.
        var ended = System.Text.RegularExpressions.Regex.Matches(bed.Logs(), @"worker \S+: (\S+) attempt (\d+) ended: TrialCompleted")
            .Select(m => (m.Groups[1].Value, int.Parse(m.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture))).ToList();
        Assert.True(ended.Count == 17, $"{ended.Count} completions logged: {string.Join(", ", ended)}\n{bed.Report()}");
        var recorded = after.OfType<TrialCompleted>().Select(c => (c.TrialId, c.Attempt)).ToHashSet();
        Assert.All(ended, e => Assert.True(recorded.Contains(e), $"{e} completed on a worker but is not recorded\n{bed.Report()}"));
    }

    [Fact]
    public async Task Worker_SigTerm_HandsItsTrialBackAtOnce_ItResumesElsewhere()
    {
        await using var bed = new ClusterTestbed(workers: 2);
        var sweep = bed.Sweep("handback", teacherEpochs: 8, sleeping: 8, sleepMs: 3000);
        var coordinator = bed.Coordinator(sweep);
        var leaving = bed.Worker(0, "--devices", "cpu");
        await bed.WaitUntil(() => bed.Events().OfType<TrialEpochCompleted>().Any(e => e.TrialId == Teacher), Minutes3, "the teacher's first epoch", coordinator, leaving);
        var staying = bed.Worker(1);
        await bed.WaitUntil(() => bed.Events().OfType<TrialStarted>().Any(e => e.Node == ClusterTestbed.Node(staying)), Minutes3, "a trial on the second worker", coordinator, staying);

        var clock = Stopwatch.StartNew();
        ClusterTestbed.Signal(leaving, "TERM");
        await bed.WaitExit(leaving, TimeSpan.FromSeconds(60));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), $"the worker took {clock.Elapsed.TotalSeconds:F1} s to stop\n{bed.Report()}");
        await bed.WaitUntil(() => bed.Events().OfType<TrialStarted>().Any(e => e.TrialId == Teacher && e.Attempt == 2), TimeSpan.FromSeconds(60), "the teacher's resume", coordinator);
        Assert.Equal(ClusterTestbed.Node(staying), bed.Events().OfType<TrialStarted>().Single(e => e.TrialId == Teacher && e.Attempt == 2).Node);

        await bed.WaitExit(coordinator, Minutes3);
        bed.AssertEachTrialCompletedOnce("handback", 9);
        var completed = bed.Events().OfType<TrialCompleted>().Single(e => e.TrialId == Teacher);
        Assert.Equal(2, completed.Attempt);
        Assert.True(completed.ResumedAfterEpoch >= 1, "the handed-back teacher restarted from epoch 0");
        // Handed back, not cancelled: the trials were requeued when the node left.
        Assert.DoesNotContain(bed.Events(), e => e is TrialCancelled);
    }

    [Fact]
    public async Task Worker_JoiningMidSweep_GetsWorkWithinSeconds()
    {
        await using var bed = new ClusterTestbed(workers: 2);
        // One slot and a minute of sleeping trials: work waits for the late worker however slowly it starts.
        var sweep = bed.Sweep("join", teacherEpochs: 1, sleeping: 24, sleepMs: 2500);
        var coordinator = bed.Coordinator(sweep);
        bed.Worker(0, "--devices", "cpu");
        await bed.WaitUntil(() => bed.Events().OfType<TrialCompleted>().Count() >= 2, Minutes3, "2 completed trials", coordinator);
        var late = bed.Worker(1);
        var node = ClusterTestbed.Node(late);
        await bed.WaitUntil(() => bed.Logs().Contains($"worker {node}: 2 slots", StringComparison.Ordinal), Minutes3, "the late worker's start", coordinator, late);
        var clock = Stopwatch.StartNew();
        await bed.WaitUntil(() => bed.Events().OfType<TrialStarted>().Any(e => e.Node == node), TimeSpan.FromSeconds(60), "a trial on the late worker", coordinator, late);
        // From the started process's first line (its node is up and joining) to its first trial: the join and the
        // slots' first requests for work.
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(20), $"the late worker got its first trial {clock.Elapsed.TotalSeconds:F1} s after it started its node\n{bed.Report()}");

        await bed.WaitExit(coordinator, Minutes3);
        bed.AssertEachTrialCompletedOnce("join", 25);
    }

    [Fact]
    public async Task Cancel_StopsRunningTrialsCheckpointed_ANewCoordinatorRunResumesEveryOne()
    {
        await using var bed = new ClusterTestbed(workers: 1);
        var sweep = bed.Sweep("cancel", teacherEpochs: 6, sleeping: 4, sleepMs: 8000);
        var coordinator = bed.Coordinator(sweep);
        var worker = bed.Worker(0);
        await bed.WaitUntil(() => bed.Events().OfType<TrialEpochCompleted>().Any(e => e.TrialId == Teacher), Minutes3, "the teacher's first epoch", coordinator, worker);
        Assert.Equal(0, CancelCommand.Request(bed.Output, TextWriter.Null, TextWriter.Null));

        await bed.WaitExit(coordinator, TimeSpan.FromMinutes(2), RunCommand.Cancelled);
        var state = EmbeddedSweepHost.Read(bed.Output).State;
        Assert.Equal(TrialStatus.Cancelled, state.Trials[Teacher].Status);
        Assert.True(state.Trials[Teacher].EpochsCompleted >= 1);
        Assert.DoesNotContain(state.Trials.Values, t => t.Status == TrialStatus.Running);
        var cancelled = state.InOrder.Where(t => t.Status == TrialStatus.Cancelled).Select(t => t.Spec.Id).ToList();
        Assert.False(worker.HasExited, "the worker stopped with the cancelled sweep");

        var again = bed.Coordinator(sweep);
        await bed.WaitExit(again, Minutes3);
        bed.AssertEachTrialCompletedOnce("cancel", 5);
        var completed = bed.Events().OfType<TrialCompleted>().ToDictionary(e => e.TrialId);
        Assert.All(cancelled, id => Assert.Equal(2, completed[id].Attempt));
        Assert.True(completed[Teacher].ResumedAfterEpoch >= 1, "the cancelled teacher restarted from epoch 0");
    }

    [Fact]
    public async Task Split_OneCoordinatorOneWorker_TheCoordinatorsSideWins_TheWorkerRejoins()
    {
        await using var bed = new ClusterTestbed(workers: 1);
        var sweep = bed.Sweep("split", teacherEpochs: 1, sleeping: 10, sleepMs: 2500);
        var coordinator = bed.Coordinator(sweep);
        var worker = bed.Worker(0);
        await bed.WaitUntil(() => bed.Events().OfType<TrialCompleted>().Count() >= 2, Minutes3, "2 completed trials", coordinator, worker);

        // The worker stops answering (frozen): the coordinator's side downs it and requeues its running trials. Each
        // step waits for one more of what it expects, not for the first: on a loaded machine a worker starved while it
        // started may have been downed (and joined again) before this.
        var requeues = bed.Events().OfType<TrialRequeued>().Count();
        var downs = CountOf(bed.Logs(), Downed);
        ClusterTestbed.Signal(worker, "STOP");
        await bed.WaitUntil(() => bed.Events().OfType<TrialRequeued>().Count() > requeues, TimeSpan.FromSeconds(90), "the frozen worker's trials requeued", coordinator);
        ClusterTestbed.Signal(worker, "CONT");
        await bed.WaitUntil(() => CountOf(bed.Logs(), Downed) > downs, TimeSpan.FromSeconds(60), "the worker noticing it was downed", coordinator, worker);
        var rejoined = bed.Events().Count;
        await bed.WaitUntil(() => bed.Events().Skip(rejoined).OfType<TrialStarted>().Any(), TimeSpan.FromSeconds(60), "a trial on the rejoined worker", coordinator, worker);

        // The coordinator stops answering: the lone worker is on the minority side this time (keep-oldest with role
        // coordinator) and downs itself; the coordinator goes on once it is back, and the worker joins it again.
        ClusterTestbed.Signal(coordinator, "STOP");
        downs = CountOf(bed.Logs(), Downed);
        await bed.WaitUntil(() => CountOf(bed.Logs(), Downed) > downs, TimeSpan.FromSeconds(90), "the worker downing itself", worker);
        ClusterTestbed.Signal(coordinator, "CONT");

        await bed.WaitExit(coordinator, Minutes3);
        bed.AssertEachTrialCompletedOnce("split", 11);
    }

    private static int CountOf(string text, string part) => (text.Length - text.Replace(part, string.Empty, StringComparison.Ordinal).Length) / part.Length;
}
