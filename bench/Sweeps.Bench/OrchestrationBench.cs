using System.Diagnostics;
using System.Globalization;
using Sweeps.Actors;
using Sweeps.Actors.Planning;
using Sweeps.Cluster;

namespace Sweeps.Bench;

/// <summary>
/// Orchestration overhead of the embedded host: N sleeping trials of M ms on S slots (in-memory transport, the real
/// SQLite store and results files in a temporary folder). Every trial is ready at once, so trials wait for slots
/// until the last one starts. Measured from the experiment actors' slot reports (busy when a trial's work starts,
/// idle when it ends):
/// <list type="bullet">
/// <item>slot idle %: slot-time not running a trial while trials were waiting (from the first start to the last
/// start), over slots x that window;</item>
/// <item>dispatch: per trial start, the time its slot had been idle (since its previous trial's work ended, or since
/// the first start of the run for a slot's first trial).</item>
/// </list>
/// </summary>
internal static class OrchestrationBench
{
    public static async Task<int> RunAsync(int trials, int ms, int slots, int warmup)
    {
        if (warmup > 0)
        {
            await MeasureAsync(warmup, ms, slots).ConfigureAwait(false);
        }

        var (idle, dispatch, makespan) = await MeasureAsync(trials, ms, slots).ConfigureAwait(false);
        Array.Sort(dispatch);
        var ideal = (double)trials * ms / slots;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"trials {trials} x {ms} ms on {slots} slots: makespan {makespan:F0} ms (ideal {ideal:F0} ms), {dispatch.Length} starts measured, dispatch max {dispatch[^1]:F2} ms"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"orchestration: slot idle {idle:F2} % , dispatch p50 {Percentile(dispatch, 0.50):F2} ms, p99 {Percentile(dispatch, 0.99):F2} ms"));
        return 0;
    }

    private static async Task<(double IdlePercent, double[] DispatchMs, double MakespanMs)> MeasureAsync(int trials, int ms, int slots)
    {
        var dir = Directory.CreateTempSubdirectory("sweeps-orchestration-").FullName;
        try
        {
            var definition = new SweepDefinition
            {
                Name = "orchestration", Dataset = "synthetic", Models = [], Methods = [], Bits = [], Seeds = [0], TeacherEpochs = 1, StudentEpochs = 1,
                Devices = ["cpu"], TrialsPerDevice = slots, SleepTrials = trials, SleepMilliseconds = ms,
            };
            var options = new SweepRunOptions
            {
                Definition = definition, SweepFile = "(bench)", SweepText = "(bench)\n", OutputDirectory = dir, Devices = ["cpu"],
            };
            var recorder = new SlotRecorder();
            var result = await EmbeddedSweepHost.RunAsync(options, SweepPlanner.Plan(definition), recorder, CancellationToken.None).ConfigureAwait(false);
            if (result.Status != "completed")
            {
                throw new InvalidOperationException($"the benchmark sweep ended {result.Status}");
            }

            return recorder.Analyse(slots);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private static double Percentile(double[] sorted, double p) => sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Length) - 1, 0, sorted.Length - 1)];

    private sealed class SlotRecorder : ISweepObserver
    {
        private readonly List<SlotReport> _reports = [];

        public void SlotChanged(SlotReport slot)
        {
            lock (_reports)
            {
                _reports.Add(slot);
            }
        }

        public (double IdlePercent, double[] DispatchMs, double MakespanMs) Analyse(int slots)
        {
            var reports = _reports.OrderBy(r => r.Timestamp).ToList();
            var first = reports.First(r => r.Busy).Timestamp;
            var lastStart = reports.Last(r => r.Busy).Timestamp;
            var end = reports.Last().Timestamp;
            var dispatch = new List<double>();
            double idleTicks = 0;
            foreach (var slot in reports.GroupBy(r => r.Slot))
            {
                var freeSince = first;
                foreach (var r in slot)
                {
                    if (r.Busy)
                    {
                        var gap = r.Timestamp - freeSince;
                        dispatch.Add(gap * 1000.0 / Stopwatch.Frequency);
                        idleTicks += gap;
                    }
                    else if (r.Timestamp < lastStart)
                    {
                        freeSince = r.Timestamp;
                    }
                }
            }

            // A slot that never ran anything was idle for the whole window.
            idleTicks += (slots - reports.Select(r => r.Slot).Distinct().Count()) * (double)(lastStart - first);
            var window = (double)(lastStart - first) * slots;
            return (window > 0 ? 100 * idleTicks / window : 0, [.. dispatch], (end - first) * 1000.0 / Stopwatch.Frequency);
        }
    }
}
