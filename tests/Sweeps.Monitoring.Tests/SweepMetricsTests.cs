namespace Sweeps.Monitoring.Tests;

public sealed class SweepMetricsTests
{
    private static readonly TrialLabels Qat = new("quick", "resnet20", "fashion-mnist", "qat", 2, 4, 0);
    private static readonly TrialLabels Fp = new("quick", "resnet20", "fashion-mnist", "fp", 32, 32, 1);

    private static List<Sample> Scrape(SweepMetrics metrics) => Exposition.Parse(metrics.Scrape());

    [Fact]
    public void TrialStateChanged_TransitionByTransition_CountsPerState()
    {
        using var metrics = new SweepMetrics();
        metrics.TrialStateChanged("quick", null, "Pending");
        metrics.TrialStateChanged("quick", null, "pending");
        metrics.TrialStateChanged("quick", null, "pending");
        var s = Scrape(metrics);
        Assert.Equal(3, s.Value(MetricNames.Trials, ("sweep", "quick"), ("state", "pending")));
        foreach (var state in new[] { "running", "completed", "failed", "cancelled" })
        {
            Assert.Equal(0, s.Value(MetricNames.Trials, ("sweep", "quick"), ("state", state)));
        }

        metrics.TrialStateChanged("quick", "pending", "running");
        metrics.TrialStateChanged("quick", "pending", "running");
        s = Scrape(metrics);
        Assert.Equal(1, s.Value(MetricNames.Trials, ("sweep", "quick"), ("state", "pending")));
        Assert.Equal(2, s.Value(MetricNames.Trials, ("sweep", "quick"), ("state", "running")));

        metrics.TrialStateChanged("quick", "running", "completed");
        metrics.TrialStateChanged("quick", "running", "failed");
        metrics.TrialStateChanged("other", null, "pending");
        s = Scrape(metrics);
        Assert.Equal(0, s.Value(MetricNames.Trials, ("sweep", "quick"), ("state", "running")));
        Assert.Equal(1, s.Value(MetricNames.Trials, ("sweep", "quick"), ("state", "completed")));
        Assert.Equal(1, s.Value(MetricNames.Trials, ("sweep", "quick"), ("state", "failed")));
        Assert.Equal(1, s.Value(MetricNames.Trials, ("sweep", "other"), ("state", "pending")));
        Assert.Equal(0, s.Value(MetricNames.SweepFinished, ("sweep", "quick")));

        metrics.SweepFinished("quick");
        s = Scrape(metrics);
        Assert.Equal(1, s.Value(MetricNames.SweepFinished, ("sweep", "quick")));
        Assert.Equal(0, s.Value(MetricNames.SweepFinished, ("sweep", "other")));
    }

    [Fact]
    public void TrialStarted_OnAWorker_ExportsNoTrialStateCounts()
    {
        using var metrics = new SweepMetrics();
        metrics.TrialStarted(Qat);
        metrics.EpochReported(Qat, 1, 1, 0.5, 10);
        metrics.TrialFinished("quick", "qat", 10, "completed");
        var s = Scrape(metrics);
        Assert.Empty(s.Find(MetricNames.Trials));
        Assert.Empty(s.Find(MetricNames.SweepFinished));
        Assert.Single(s.Find(MetricNames.TrialEpoch));
    }

    [Fact]
    public void EpochReported_RunningTrial_ExportsItsSeriesWithSevenLabels()
    {
        var clock = new ShiftedTimeProvider { Offset = TimeSpan.FromMinutes(-10) };
        using var metrics = new SweepMetrics(clock);
        metrics.TrialStarted(Qat);
        var s = Scrape(metrics);
        var epoch = Assert.Single(s.Find(MetricNames.TrialEpoch));
        Assert.Equal(0, epoch.Value);
        Assert.Equal(
            new Dictionary<string, string>
            {
                ["sweep"] = "quick", ["model"] = "resnet20", ["dataset"] = "fashion-mnist", ["method"] = "qat",
                ["wbits"] = "2", ["abits"] = "4", ["seed"] = "0",
            },
            epoch.Labels);
        Assert.Empty(s.Find(MetricNames.TrialTrainLoss));
        var started = s.Value(MetricNames.TrialLastProgress);
        var expected = DateTimeOffset.UtcNow.AddMinutes(-10).ToUnixTimeMilliseconds() / 1000.0;
        Assert.InRange(started, expected - 5, expected + 1);

        clock.Offset = TimeSpan.Zero;
        metrics.EpochReported(Qat, 3, 0.625, 0.875, 1234.5);
        s = Scrape(metrics);
        Assert.Equal(3, s.Value(MetricNames.TrialEpoch));
        Assert.Equal(0.625, s.Value(MetricNames.TrialTrainLoss));
        Assert.Equal(0.875, s.Value(MetricNames.TrialTestTop1));
        Assert.Equal(1234.5, s.Value(MetricNames.TrialSamplesPerSecond));
        Assert.InRange(s.Value(MetricNames.TrialLastProgress), started + 590, started + 700);
        Assert.Equal(0, s.Value(MetricNames.NonFiniteLoss, ("sweep", "quick"), ("method", "qat")));
    }

    [Fact]
    public void TrialEnded_SeriesOfThatTrialOnly_Disappear()
    {
        using var metrics = new SweepMetrics();
        metrics.EpochReported(Qat, 1, 1.5, 0.5, 100);
        metrics.EpochReported(Fp, 1, 0.5, 0.9, 200);
        Assert.Equal(2, Scrape(metrics).Find(MetricNames.TrialTrainLoss).Count);

        metrics.TrialEnded(Qat);
        var s = Scrape(metrics);
        foreach (var name in new[]
        {
            MetricNames.TrialEpoch, MetricNames.TrialTrainLoss, MetricNames.TrialTestTop1, MetricNames.TrialSamplesPerSecond,
            MetricNames.TrialLastProgress,
        })
        {
            var left = Assert.Single(s.Find(name));
            Assert.Equal("fp", left.Label("method"));
        }

        // The same grid point started again (a retried trial) gets its series back.
        metrics.EpochReported(Qat, 2, 1.25, 0.6, 110);
        Assert.Equal(1.25, Scrape(metrics).Value(MetricNames.TrialTrainLoss, ("method", "qat")));

        metrics.TrialEnded(Qat);
        metrics.TrialEnded(Fp);
        Assert.Empty(Scrape(metrics).Find(MetricNames.TrialEpoch));
    }

    [Fact]
    public void TrialFinished_CountersStartAtZeroAndHistogramPerMethod()
    {
        using var metrics = new SweepMetrics();
        metrics.TrialStarted(Qat);
        var s = Scrape(metrics);
        foreach (var status in SweepMetrics.FinalStatuses)
        {
            Assert.Equal(0, s.Value(MetricNames.TrialsFinished, ("sweep", "quick"), ("method", "qat"), ("status", status)));
        }

        metrics.TrialFinished("quick", "qat", 45, "Completed");
        metrics.TrialFinished("quick", "qat", 700, "completed");
        metrics.TrialFinished("quick", "qat", 5, "failed");
        s = Scrape(metrics);
        Assert.Equal(2, s.Value(MetricNames.TrialsFinished, ("method", "qat"), ("status", "completed")));
        Assert.Equal(1, s.Value(MetricNames.TrialsFinished, ("method", "qat"), ("status", "failed")));
        Assert.Equal(0, s.Value(MetricNames.TrialsFinished, ("method", "qat"), ("status", "cancelled")));

        // Buckets 1, 10, 30, 60, 120, 300, 600, 900, ...: 45 s falls in le=60, 700 s in le=900.
        const string bucket = MetricNames.TrialDuration + "_bucket";
        Assert.Equal(0, s.Value(bucket, ("method", "qat"), ("status", "completed"), ("le", "30")));
        Assert.Equal(1, s.Value(bucket, ("method", "qat"), ("status", "completed"), ("le", "60")));
        Assert.Equal(1, s.Value(bucket, ("method", "qat"), ("status", "completed"), ("le", "600")));
        Assert.Equal(2, s.Value(bucket, ("method", "qat"), ("status", "completed"), ("le", "900")));
        Assert.Equal(2, s.Value(bucket, ("method", "qat"), ("status", "completed"), ("le", "+Inf")));
        Assert.Equal(745, s.Value(MetricNames.TrialDuration + "_sum", ("method", "qat"), ("status", "completed")));
        Assert.Equal(2, s.Value(MetricNames.TrialDuration + "_count", ("method", "qat"), ("status", "completed")));
        Assert.Equal(1, s.Value(MetricNames.TrialDuration + "_count", ("method", "qat"), ("status", "failed")));
        Assert.Equal(SweepMetrics.TrialDurationBuckets.Count + 1, s.Find(bucket, ("status", "failed")).Count);
    }

    [Fact]
    public void EpochReported_NaNLoss_CountsNonFiniteLossOnce()
    {
        using var metrics = new SweepMetrics();
        metrics.EpochReported(Qat, 1, 2.0, 0.1, 50);
        metrics.EpochReported(Qat, 2, double.NaN, 0.1, 50);
        metrics.EpochReported(Fp, 1, double.PositiveInfinity, 0.1, 50);
        var s = Scrape(metrics);
        Assert.Equal(1, s.Value(MetricNames.NonFiniteLoss, ("method", "qat")));
        Assert.Equal(1, s.Value(MetricNames.NonFiniteLoss, ("method", "fp")));
        Assert.True(double.IsNaN(s.Value(MetricNames.TrialTrainLoss, ("method", "qat"))));
        Assert.Equal(double.PositiveInfinity, s.Value(MetricNames.TrialTrainLoss, ("method", "fp")));

        metrics.NonFiniteLossReported(Qat);
        Assert.Equal(2, Scrape(metrics).Value(MetricNames.NonFiniteLoss, ("method", "qat")));
    }

    [Fact]
    public void SlotsEventsBrokerGpu_ReportedValues_AreExported()
    {
        using var metrics = new SweepMetrics();
        var s = Scrape(metrics);
        Assert.Empty(s.Find(MetricNames.BrokerConnected));
        Assert.Empty(s.Find(MetricNames.GpuMemoryUsed));
        Assert.Empty(s.Find(MetricNames.SlotBusy));

        metrics.SlotStateChanged("node-a", "cpu", busy: true);
        metrics.SlotStateChanged("node-a", "cuda:0", busy: true);
        metrics.SlotStateChanged("node-a", "cuda:0", busy: false);
        metrics.EventRecorded(deduplicated: false);
        metrics.EventRecorded(deduplicated: false);
        metrics.EventRecorded(deduplicated: true);
        metrics.BrokerConnectionChanged(connected: true);
        metrics.BrokerConnectionChanged(connected: false);
        metrics.GpuMemoryReported("node-a", "cuda:0", 3L << 30, 16L << 30);
        s = Scrape(metrics);
        Assert.Equal(1, s.Value(MetricNames.SlotBusy, ("node", "node-a"), ("device", "cpu")));
        Assert.Equal(0, s.Value(MetricNames.SlotBusy, ("node", "node-a"), ("device", "cuda:0")));
        Assert.Equal(2, s.Value(MetricNames.EventsRecorded));
        Assert.Equal(1, s.Value(MetricNames.EventsDeduplicated));
        Assert.Equal(0, s.Value(MetricNames.BrokerConnected));
        Assert.Equal(3L << 30, s.Value(MetricNames.GpuMemoryUsed, ("device", "cuda:0")));
        Assert.Equal(16L << 30, s.Value(MetricNames.GpuMemoryTotal, ("device", "cuda:0")));
    }

    [Fact]
    public void Scrape_ProcessMetrics_ArePlausible()
    {
        using var metrics = new SweepMetrics();
        GC.Collect();
        var s = Scrape(metrics);
        Assert.InRange(s.Value(MetricNames.ProcessCpu), 0.01, 1e6);
        Assert.InRange(s.Value(MetricNames.ProcessResidentMemory), 10e6, 100e9);
        var start = s.Value(MetricNames.ProcessStartTime);
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        Assert.InRange(start, now - 24 * 3600, now + 1);
        Assert.True(s.Value(MetricNames.GcCollections, ("generation", "gen2")) >= 1);
        Assert.True(s.Value(MetricNames.GcAllocated) > 0);
        Assert.True(s.Value(MetricNames.GcHeapSize) > 0);
        Assert.Single(s.Find(MetricNames.GcPause));
    }

    [Fact]
    public void Scrape_TwoInstancesInOneProcess_DoNotSeeEachOther()
    {
        using var a = new SweepMetrics();
        using var b = new SweepMetrics();
        a.TrialStateChanged("only-a", null, "pending");
        Assert.Empty(Scrape(b).Find(MetricNames.Trials));
        Assert.Equal(1, Scrape(a).Value(MetricNames.Trials, ("sweep", "only-a"), ("state", "pending")));
    }

    [Fact]
    public async Task Scrape_ConcurrentReportsAndScrapes_StayConsistent()
    {
        using var metrics = new SweepMetrics();
        var writers = Enumerable.Range(0, 4).Select(w => Task.Run(() =>
        {
            for (var i = 0; i < 500; i++)
            {
                var t = Qat with { Seed = (w * 1000) + i };
                metrics.TrialStateChanged("quick", null, "pending");
                metrics.EpochReported(t, 1, 1, 0.5, 10);
                metrics.TrialEnded(t);
            }
        })).ToArray();
        var scrapes = Task.Run(() =>
        {
            for (var i = 0; i < 20; i++)
            {
                Exposition.Parse(metrics.Scrape());
            }
        });
        await Task.WhenAll([.. writers, scrapes]);
        var s = Scrape(metrics);
        Assert.Equal(2000, s.Value(MetricNames.Trials, ("state", "pending")));
        Assert.Empty(s.Find(MetricNames.TrialEpoch));
    }
}
