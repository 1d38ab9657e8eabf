using System.Collections.Concurrent;
using System.Text.Json;
using Sweeps.Actors;
using Sweeps.Actors.Messages;
using Sweeps.Actors.Planning;
using Sweeps.Actors.State;

namespace Sweeps.Cluster.Tests;

/// <summary>The embedded host end to end (in-memory transport, SQLite store, results files) with sleeping trials.</summary>
public sealed class EmbeddedSweepHostTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("sweeps-host-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private SweepRunOptions Options(int trials, int ms, int slots) =>
        SleepingSweep.Options("sleepy", _dir, trials, ms, slots) with { CancelPollInterval = TimeSpan.FromMilliseconds(20) };

    [Fact]
    public async Task RunAsync_SleepTrials_EachCompletesOnceUsingEverySlotNeverMore()
    {
        var slots = new SlotCounter();
        var result = await EmbeddedSweepHost.RunAsync(Options(24, 30, 4), slots, CancellationToken.None);

        Assert.Equal("completed", result.Status);
        Assert.Equal(24, result.Started);
        Assert.Equal(4, slots.MaxBusy);
        using var store = SqliteSweepStore.InDirectory(_dir);
        var events = store.LoadEvents();
        Assert.Equal(48, events.Count);
        Assert.Equal(24, events.OfType<TrialCompleted>().Select(e => e.TrialId).Distinct().Count());
        Assert.Equal("completed", store.LoadSweep()!.Status);
        Assert.Equal("name: sleepy\n", File.ReadAllText(Path.Combine(_dir, "sweep.yaml")));
    }

    [Fact]
    public async Task RunAsync_ResultsFiles_FollowTheFormat()
    {
        await EmbeddedSweepHost.RunAsync(Options(3, 10, 1), null, CancellationToken.None);

        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(_dir, "results.json")));
        var sweep = doc.RootElement.GetProperty("sweep");
        Assert.Equal(
            ["name", "file", "dataset", "started_at", "finished_at", "status", "git_commit", "versions", "devices", "host"],
            sweep.EnumerateObject().Select(p => p.Name));
        Assert.Equal(("sleepy", "sleepy.yaml", "completed"), (sweep.GetProperty("name").GetString(), sweep.GetProperty("file").GetString(), sweep.GetProperty("status").GetString()));
        Assert.NotEqual(JsonValueKind.Null, sweep.GetProperty("finished_at").ValueKind);
        var trials = doc.RootElement.GetProperty("trials").EnumerateArray().ToList();
        Assert.Equal(["sleep-0001", "sleep-0002", "sleep-0003"], trials.Select(t => t.GetProperty("id").GetString()));
        string[] fields =
        [
            "id", "method", "model", "dataset", "wbits", "abits", "seed", "quantizer", "ewgs_delta", "teacher", "status", "attempts", "epochs",
            "epochs_planned", "best_top1", "best_epoch", "last_top1", "mean_last5_top1", "model_size_bits", "device", "started_at", "finished_at",
            "duration_s", "error", "source", "dir", "recipe",
        ];
        Assert.Equal(fields, trials[0].EnumerateObject().Select(p => p.Name));
        Assert.Equal(("completed", 1, "trials/sleep-0001", "cpu"), (trials[0].GetProperty("status").GetString(), trials[0].GetProperty("attempts").GetInt32(), trials[0].GetProperty("dir").GetString(), trials[0].GetProperty("device").GetString()));
        Assert.True(trials[0].GetProperty("duration_s").GetDouble() >= 0.009);

        var csv = File.ReadAllLines(Path.Combine(_dir, "results.csv"));
        Assert.Equal(string.Join(',', fields[..^1]), csv[0]);
        Assert.Equal(4, csv.Length);
        Assert.StartsWith("sleep-0001,sleep,none,synthetic,32,32,0,,n/a,,completed,1,0,0,", csv[1], StringComparison.Ordinal);
        // The report is generated from results.json at the end of the sweep (and while it runs).
        Assert.Contains("| sleep-0003 | sleep | FP32 | — | 0 | completed |", File.ReadAllText(Path.Combine(_dir, "report.md")), StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(_dir, "report.html")));
    }

    [Fact]
    public async Task RunAsync_CancelRequestedInStore_StopsResumableAndRerunFinishesEachTrialOnce()
    {
        var options = Options(12, 150, 1);
        var seen = new SlotCounter();
        var run = EmbeddedSweepHost.RunAsync(options, seen, CancellationToken.None);
        while (seen.Started < 3)
        {
            await Task.Delay(10);
        }

        using (var other = SqliteSweepStore.InDirectory(_dir))
        {
            other.RequestCancel();
        }

        var first = await run;
        Assert.Equal("cancelled", first.Status);
        var counts = first.State.Counts();
        Assert.InRange(counts[TrialStatus.Completed], 2, 11);
        Assert.Equal(0, counts[TrialStatus.Running]);
        var cancelled = Assert.Single(first.State.InOrder, t => t.Status == TrialStatus.Cancelled);

        var second = await EmbeddedSweepHost.RunAsync(options, null, CancellationToken.None);
        Assert.Equal("completed", second.Status);
        Assert.Equal(12 - counts[TrialStatus.Completed], second.Started);
        Assert.Equal(2, second.State.Trials[cancelled.Spec.Id].Attempts);
        using var store = SqliteSweepStore.InDirectory(_dir);
        var completed = store.LoadEvents().OfType<TrialCompleted>().GroupBy(e => e.TrialId).ToList();
        Assert.Equal(12, completed.Count);
        Assert.All(completed, g => Assert.Single(g));
    }

    [Fact]
    public async Task RunAsync_TokenCancelled_FinishesCancelled()
    {
        using var cts = new CancellationTokenSource();
        var seen = new SlotCounter();
        var run = EmbeddedSweepHost.RunAsync(Options(5, 5000, 1), seen, cts.Token);
        while (seen.Started < 1)
        {
            await Task.Delay(10);
        }

        await cts.CancelAsync();
        var result = await run.WaitAsync(TimeSpan.FromSeconds(20));
        Assert.Equal("cancelled", result.Status);
        Assert.Equal(1, result.State.Counts()[TrialStatus.Cancelled]);
    }

    [Fact]
    public async Task RunAsync_TeacherFailsLoadingItsData_SweepFailedWithReasonAndStudentsNotRun()
    {
        // Planned directly (the sweep file check would refuse the missing folder): the real actor and trainer fail
        // the teacher at its dataset; the sweep goes on and ends failed, the students never start.
        var definition = new SweepDefinition
        {
            Name = "broken", Dataset = "mnist", DataDirectory = Path.Combine(_dir, "no-such-folder"), Models = ["resnet20"], Methods = ["fp", "qat"],
            Bits = ["W4A4"], Seeds = [0], TeacherEpochs = 1, StudentEpochs = 1, Devices = ["cpu"], SleepTrials = 2, SleepMilliseconds = 1,
        };
        var options = Options(0, 0, 1) with { Definition = definition };
        var result = await EmbeddedSweepHost.RunAsync(options, null, CancellationToken.None);

        Assert.Equal("failed", result.Status);
        var teacher = result.State.Trials["resnet20-mnist-fp-s0"];
        Assert.Equal(TrialStatus.Failed, teacher.Status);
        Assert.Contains("no-such-folder", teacher.Error, StringComparison.Ordinal);
        Assert.Equal((TrialStatus.Pending, 0), (result.State.Trials["resnet20-mnist-qat-W4A4-s0"].Status, result.State.Trials["resnet20-mnist-qat-W4A4-s0"].Attempts));
        Assert.Equal(2, result.State.InOrder.Count(t => t.Spec.Kind == TrialKind.Sleep && t.Status == TrialStatus.Completed));
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(_dir, "results.json")));
        var row = doc.RootElement.GetProperty("trials")[0];
        Assert.Equal(("failed", teacher.Error), (row.GetProperty("status").GetString(), row.GetProperty("error").GetString()));
    }

    [Fact]
    public async Task RunAsync_OutputOfAnotherSweep_Refused()
    {
        await EmbeddedSweepHost.RunAsync(Options(1, 1, 1), null, CancellationToken.None);
        var other = Options(1, 1, 1) with { Definition = Options(1, 1, 1).Definition with { Name = "other" } };
        var ex = await Assert.ThrowsAsync<InvalidOperationException>(() => EmbeddedSweepHost.RunAsync(other, null, CancellationToken.None));
        Assert.Contains("sleepy", ex.Message, StringComparison.Ordinal);
    }

    private sealed class SlotCounter : ISweepObserver
    {
        private readonly ConcurrentDictionary<int, bool> _busy = new();
        private int _maxBusy;
        private int _started;

        public int MaxBusy => _maxBusy;

        public int Started => _started;

        public void SlotChanged(SlotReport slot)
        {
            _busy[slot.Slot] = slot.Busy;
            var busy = _busy.Values.Count(b => b);
            int max;
            do
            {
                max = _maxBusy;
            }
            while (busy > max && Interlocked.CompareExchange(ref _maxBusy, busy, max) != max);

            if (slot.Busy)
            {
                Interlocked.Increment(ref _started);
            }
        }
    }
}
