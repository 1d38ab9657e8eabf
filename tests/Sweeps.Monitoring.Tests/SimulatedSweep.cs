namespace Sweeps.Monitoring.Tests;

/// <summary>Drives a <see cref="SweepMetrics"/> the way a sweep's observer would.</summary>
internal static class SimulatedSweep
{
    public static readonly string[] Methods = ["fp", "qat", "sqakd", "mec-quant", "fpq", "cr"];

    /// <summary>Plans and starts <paramref name="count"/> trials of sweep "big" on one node's slots, each with one epoch.</summary>
    public static List<TrialLabels> StartRunningTrials(SweepMetrics metrics, int count)
    {
        var trials = new List<TrialLabels>(count);
        for (var i = 0; i < count; i++)
        {
            var method = Methods[i % Methods.Length];
            var bits = method == "fp" ? 32 : 2 + (i / Methods.Length % 3);
            var trial = new TrialLabels("big", i % 2 == 0 ? "resnet20" : "vgg8", "fashion-mnist", method, bits, bits, Seed: i);
            trials.Add(trial);
            metrics.TrialStateChanged("big", null, "pending");
            metrics.TrialStateChanged("big", "pending", "running");
            metrics.TrialStarted(trial);
            metrics.EpochReported(trial, 1 + (i % 10), 2.0 / (1 + i), 0.5 + (i % 50 / 100.0), 1000 + i);
            metrics.SlotStateChanged("node-" + (i / 8), "cuda:" + (i % 8), busy: true);
        }

        return trials;
    }
}
