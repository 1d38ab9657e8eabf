namespace Sweeps.Monitoring.Tests;

public sealed class SweepMetricsTests
{
    private static readonly TrialLabels Qat = new("quick", "resnet20", "fashion-mnist", "qat", 2, 4, 0);
    private static readonly TrialLabels Fp = new("quick", "resnet20", "fashion-mnist", "fp", 32, 32, 1);

    [Fact]
    public async Task TrialStateChanged_TransitionByTransition_CountsPerState()
    {
        await using var served = await ServedMetrics.StartAsync();
        var metrics = served.Metrics;
        metrics.TrialStateChanged("quick", null, "Pending");
        metrics.TrialStateChanged("quick", null, "pending");
        metrics.TrialStateChanged("quick", null, "pending");
        var s = await served.ScrapeAsync();
        Assert.Equal(3, s.Value(MetricNames.Trials, ("sweep", "quick"), ("state", "pending")));
        foreach (var state in new[] { "running", "completed", "failed", "cancelled" })
        {
            Assert.Equal(0, s.Value(MetricNames.Trials, ("sweep", "quick"), ("state", state)));
        }

        metrics.TrialStateChanged("quick", "pending", "running");
        metrics.TrialStateChanged("quick", "pending", "running");
        s = await served.ScrapeAsync();
        Assert.Equal(1, s.Value(MetricNames.Trials, ("sweep", "quick"), ("state", "pending")));
        Assert.Equal(2, s.Value(MetricNames.Trials, ("sweep", "quick"), ("state", "running")));

        metrics.TrialStateChanged("quick", "running", "completed");
        metrics.TrialStateChanged("quick", "running", "failed");
        metrics.TrialStateChanged("other", null, "pending");
        s = await served.ScrapeAsync();
        Assert.Equal(0, s.Value(MetricNames.Trials, ("sweep", "quick"), ("state", "running")));
        Assert.Equal(1, s.Value(MetricNames.Trials, ("sweep", "quick"), ("state", "completed")));
        Assert.Equal(1, s.Value(MetricNames.Trials, ("sweep", "quick"), ("state", "failed")));
        Assert.Equal(1, s.Value(MetricNames.Trials, ("sweep", "other"), ("state", "pending")));
        Assert.Equal(0, s.Value(MetricNames.SweepFinished, ("sweep", "quick")));

        metrics.SweepFinished("quick");
        s = await served.ScrapeAsync();
        Assert.Equal(1, s.Value(MetricNames.SweepFinished, ("sweep", "quick")));
        Assert.Equal(0, s.Value(MetricNames.SweepFinished, ("sweep", "other")));
    }

    [Fact]
    public async Task TrialStarted_OnAWorker_ExportsNoTrialStateCounts()
    {
        await using var served = await ServedMetrics.StartAsync();
        var metrics = served.Metrics;
        metrics.TrialStarted(Qat);
        metrics.EpochReported(Qat, 1, 1, 0.5, 10);
        metrics.TrialFinished("quick", "qat", 10, "completed");
        var s = await served.ScrapeAsync();
        Assert.Empty(s.Find(MetricNames.Trials));
        Assert.Empty(s.Find(MetricNames.SweepFinished));
        Assert.Single(s.Find(MetricNames.TrialEpoch));
    }

    [Fact]
    public async Task EpochReported_RunningTrial_ExportsItsSeriesWithSevenLabels()
    {
        var clock = new ShiftedTimeProvider { Offset = TimeSpan.FromMinutes(-10) };
        await using var served = await ServedMetrics.StartAsync(clock);
        var metrics = served.Metrics;
        metrics.TrialStarted(Qat);
        var s = await served.ScrapeAsync();
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
        s = await served.ScrapeAsync();
        Assert.Equal(3, s.Value(MetricNames.TrialEpoch));
        Assert.Equal(0.625, s.Value(MetricNames.TrialTrainLoss));
        Assert.Equal(0.875, s.Value(MetricNames.TrialTestTop1));
        Assert.Equal(1234.5, s.Value(MetricNames.TrialSamplesPerSecond));
        Assert.InRange(s.Value(MetricNames.TrialLastProgress), started + 590, started + 700);
        Assert.Equal(0, s.Value(MetricNames.NonFiniteLoss, ("sweep", "quick"), ("method", "qat")));
    }

    [Fact]
    public async Task TrialEnded_SeriesOfThatTrialOnly_Disappear()
    {
        await using var served = await ServedMetrics.StartAsync();
        var metrics = served.Metrics;
        metrics.EpochReported(Qat, 1, 1.5, 0.5, 100);
        metrics.EpochReported(Fp, 1, 0.5, 0.9, 200);
        Assert.Equal(2, (await served.ScrapeAsync()).Find(MetricNames.TrialTrainLoss).Count);

        metrics.TrialEnded(Qat);
        var s = await served.ScrapeAsync();
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
        Assert.Equal(1.25, (await served.ScrapeAsync()).Value(MetricNames.TrialTrainLoss, ("method", "qat")));

        metrics.TrialEnded(Qat);
        metrics.TrialEnded(Fp);
        Assert.Empty((await served.ScrapeAsync()).Find(MetricNames.TrialEpoch));
    }

    [Fact]
    public async Task TrialFinished_CountersStartAtZeroAndHistogramPerMethod()
    {
        await using var served = await ServedMetrics.StartAsync();
        var metrics = served.Metrics;
        metrics.TrialStarted(Qat);
        var s = await served.ScrapeAsync();
        foreach (var status in SweepMetrics.FinalStatuses)
        {
            Assert.Equal(0, s.Value(MetricNames.TrialsFinished, ("sweep", "quick"), ("method", "qat"), ("status", status)));
        }

        metrics.TrialFinished("quick", "qat", 45, "Completed");
        metrics.TrialFinished("quick", "qat", 700, "completed");
        metrics.TrialFinished("quick", "qat", 5, "failed");
        s = await served.ScrapeAsync();
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
    public async Task EpochReported_NaNLoss_CountsNonFiniteLossOnce()
    {
        await using var served = await ServedMetrics.StartAsync();
        var metrics = served.Metrics;
        metrics.EpochReported(Qat, 1, 2.0, 0.1, 50);
        metrics.EpochReported(Qat, 2, double.NaN, 0.1, 50);
        metrics.EpochReported(Fp, 1, double.PositiveInfinity, 0.1, 50);
        var s = await served.ScrapeAsync();
        Assert.Equal(1, s.Value(MetricNames.NonFiniteLoss, ("method", "qat")));
        Assert.Equal(1, s.Value(MetricNames.NonFiniteLoss, ("method", "fp")));
        Assert.True(double.IsNaN(s.Value(MetricNames.TrialTrainLoss, ("method", "qat"))));
        Assert.Equal(double.PositiveInfinity, s.Value(MetricNames.TrialTrainLoss, ("method", "fp")));

        metrics.NonFiniteLossReported(Qat);
        Assert.Equal(2, (await served.ScrapeAsync()).Value(MetricNames.NonFiniteLoss, ("method", "qat")));
    }

    [Fact]
    public async Task SlotsEventsGpu_ReportedValues_AreExported()
    {
        await using var served = await ServedMetrics.StartAsync();
        var metrics = served.Metrics;
        var s = await served.ScrapeAsync();
        Assert.Empty(s.Find(MetricNames.GpuMemoryUsed));
        Assert.Empty(s.Find(MetricNames.SlotBusy));
        Assert.Empty(s.Find("sweeps_broker_connected"));

        metrics.SlotStateChanged("node-a", "cpu", busy: true);
        metrics.SlotStateChanged("node-a", "cuda:0", busy: true);
        metrics.SlotStateChanged("node-a", "cuda:0", busy: false);
        metrics.EventRecorded(deduplicated: false);
        metrics.EventRecorded(deduplicated: false);
        metrics.EventRecorded(deduplicated: true);
        metrics.GpuMemoryReported("node-a", "cuda:0", 3L << 30, 16L << 30);
        s = await served.ScrapeAsync();
        Assert.Equal(1, s.Value(MetricNames.SlotBusy, ("node", "node-a"), ("device", "cpu")));
        Assert.Equal(0, s.Value(MetricNames.SlotBusy, ("node", "node-a"), ("device", "cuda:0")));
        Assert.Equal(2, s.Value(MetricNames.EventsRecorded));
        Assert.Equal(1, s.Value(MetricNames.EventsDeduplicated));
        Assert.Equal(3L << 30, s.Value(MetricNames.GpuMemoryUsed, ("device", "cuda:0")));
        Assert.Equal(16L << 30, s.Value(MetricNames.GpuMemoryTotal, ("device", "cuda:0")));
        Assert.Empty(s.Find("sweeps_broker_connected"));
    }

    [Fact]
    public async Task ClusterMembersReported_ReportByReport_GaugesShowTheLastOne()
    {
        await using var served = await ServedMetrics.StartAsync();
        var metrics = served.Metrics;

        // Embedded mode: no cluster, no series.
        var s = await served.ScrapeAsync();
        Assert.Empty(s.Find(MetricNames.ClusterMembers));
        Assert.Empty(s.Find(MetricNames.ClusterUnreachableMembers));

        // A coordinator and a worker up, a second worker joining: every known status has a series.
        metrics.ClusterMembersReported(["Up", "Up", "Joining"], unreachable: 0);
        s = await served.ScrapeAsync();
        Assert.Equal(SweepMetrics.MemberStatuses.Order(), s.Find(MetricNames.ClusterMembers).Select(m => m.Label("status")).Order());
        Assert.Equal(2, s.Value(MetricNames.ClusterMembers, ("status", "up")));
        Assert.Equal(1, s.Value(MetricNames.ClusterMembers, ("status", "joining")));
        Assert.Equal(0, s.Value(MetricNames.ClusterMembers, ("status", "down")));
        Assert.Equal(0, s.Value(MetricNames.ClusterUnreachableMembers));

        // The joining worker is up (weakly up first), and another one is unreachable.
        metrics.ClusterMembersReported(["Up", "WeaklyUp", "Up", "Up"], unreachable: 1);
        s = await served.ScrapeAsync();
        Assert.Equal(3, s.Value(MetricNames.ClusterMembers, ("status", "up")));
        Assert.Equal(1, s.Value(MetricNames.ClusterMembers, ("status", "weakly_up")));
        Assert.Equal(0, s.Value(MetricNames.ClusterMembers, ("status", "joining")));
        Assert.Equal(1, s.Value(MetricNames.ClusterUnreachableMembers));

        // The split brain resolver downs it; a status outside the list gets a series of its own, kept at 0 after.
        metrics.ClusterMembersReported(["Up", "Up", "Up", "Down", "PreparingForShutdown"], unreachable: 0);
        s = await served.ScrapeAsync();
        Assert.Equal(1, s.Value(MetricNames.ClusterMembers, ("status", "down")));
        Assert.Equal(1, s.Value(MetricNames.ClusterMembers, ("status", "preparing_for_shutdown")));
        Assert.Equal(0, s.Value(MetricNames.ClusterUnreachableMembers));
        metrics.ClusterMembersReported(["up"], unreachable: -3);
        s = await served.ScrapeAsync();
        Assert.Equal(1, s.Value(MetricNames.ClusterMembers, ("status", "up")));
        Assert.Equal(0, s.Value(MetricNames.ClusterMembers, ("status", "preparing_for_shutdown")));
        Assert.Equal(0, s.Sum(m => m.Name == MetricNames.ClusterMembers && m.Label("status") != "up" ? m.Value : 0));
        Assert.Equal(0, s.Value(MetricNames.ClusterUnreachableMembers));
    }

    [Theory]
    [InlineData(2147483648L)]
    [InlineData(long.MaxValue)]
    [InlineData(-1L)]
    public async Task TrialStarted_SeedBeyondInt_ExportsItsSeriesWithTheWholeSeed(long seed)
    {
        await using var served = await ServedMetrics.StartAsync();
        var trial = Qat with { Seed = seed };
        served.Metrics.TrialStarted(trial);
        served.Metrics.EpochReported(trial, 2, 0.5, 0.75, 10);
        var s = await served.ScrapeAsync();
        var seedLabel = seed.ToString(System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(2, s.Value(MetricNames.TrialEpoch, ("seed", seedLabel)));
        Assert.Equal(0.75, s.Value(MetricNames.TrialTestTop1, ("seed", seedLabel)));
    }

    [Fact]
    public async Task Scrape_ProcessAndRuntimeMetrics_MatchWhatTheRuntimeSays()
    {
        await using var served = await ServedMetrics.StartAsync();
        GC.Collect();
        var cpu0 = Environment.CpuUsage.TotalTime.TotalSeconds;
        var allocated0 = GC.GetTotalAllocatedBytes();
        var gen2Before = GC.CollectionCount(2);
        var pause0 = GC.GetTotalPauseDuration().TotalSeconds;
        var rss0 = Environment.WorkingSet;
        var s = await served.ScrapeAsync();
        var cpu1 = Environment.CpuUsage.TotalTime.TotalSeconds;
        var allocated1 = GC.GetTotalAllocatedBytes();
        var gen2After = GC.CollectionCount(2);
        var pause1 = GC.GetTotalPauseDuration().TotalSeconds;
        var rss1 = Environment.WorkingSet;

        // OpenTelemetry.Instrumentation.Process: CPU by mode (user + system), resident memory, uptime.
        var cpu = s.Find("process_cpu_time_seconds_total").Sum(m => m.Value);
        Assert.Equal(["system", "user"], s.Find("process_cpu_time_seconds_total").Select(m => m.Label("cpu_mode")).Order());
        Assert.InRange(cpu, cpu0 - 0.02, cpu1 + 0.02);
        Assert.InRange(s.Value("process_memory_usage_bytes"), Math.Min(rss0, rss1) * 0.8, Math.Max(rss0, rss1) * 1.25);
        using var process = System.Diagnostics.Process.GetCurrentProcess();
        var uptime = (DateTime.Now - process.StartTime).TotalSeconds;
        Assert.InRange(s.Value("process_uptime_seconds"), uptime - 5, uptime + 1);
        Assert.True(s.Value("process_threads") >= 1);

        // OpenTelemetry.Instrumentation.Runtime (.NET's built-in System.Runtime meter): GC and CPU.
        Assert.InRange(s.Value("dotnet_gc_collections_total", ("gc_heap_generation", "gen2")), Math.Max(1, gen2Before), gen2After);
        Assert.InRange(s.Value("dotnet_gc_heap_total_allocated_bytes_total"), allocated0, allocated1);
        Assert.InRange(s.Value("dotnet_gc_pause_time_seconds_total"), pause0, pause1);
        Assert.True(s.Find("dotnet_gc_last_collection_heap_size_bytes").Sum(m => m.Value) > 0);
        Assert.InRange(s.Find("dotnet_process_cpu_time_seconds_total").Sum(m => m.Value), cpu0 - 0.02, cpu1 + 0.02);
        Assert.Equal(Environment.ProcessorCount, s.Value("dotnet_process_cpus"));

        // Renamed so that promtool accepts them (Prometheus keeps _count for histograms and summaries).
        Assert.DoesNotContain(s, m => m.Name.EndsWith("_count", StringComparison.Ordinal) && !m.Name.StartsWith(MetricNames.TrialDuration, StringComparison.Ordinal));
        foreach (var name in MetricsEndpoint.CountGaugeNames.Values)
        {
            Assert.Single(s.Find(name.Replace('.', '_')));
        }

        // Left out: counting open file descriptors stats every entry of /proc/self/fd on each scrape.
        Assert.DoesNotContain(s, m => m.Name.Contains("file_descriptor", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Scrape_TwoInstancesInOneProcess_DoNotSeeEachOther()
    {
        await using var a = await ServedMetrics.StartAsync();
        await using var b = await ServedMetrics.StartAsync();
        a.Metrics.TrialStateChanged("only-a", null, "pending");
        b.Metrics.EventRecorded(deduplicated: false);
        var fromB = await b.ScrapeAsync();
        Assert.Empty(fromB.Find(MetricNames.Trials));
        Assert.Equal(1, fromB.Value(MetricNames.EventsRecorded));
        var fromA = await a.ScrapeAsync();
        Assert.Equal(1, fromA.Value(MetricNames.Trials, ("sweep", "only-a"), ("state", "pending")));
        Assert.Empty(fromA.Find(MetricNames.EventsRecorded));

        // A third instance created while both are served joins neither.
        using var c = new SweepMetrics();
        c.EventRecorded(deduplicated: false);
        c.TrialStateChanged("only-c", null, "pending");
        Assert.Equal(1, (await b.ScrapeAsync()).Value(MetricNames.EventsRecorded));
        Assert.Empty((await a.ScrapeAsync()).Find(MetricNames.Trials, ("sweep", "only-c")));
    }

    [Fact]
    public async Task Scrape_ConcurrentReportsAndScrapes_StayConsistent()
    {
        await using var served = await ServedMetrics.StartAsync();
        var metrics = served.Metrics;
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
        var scrapes = Task.Run(async () =>
        {
            for (var i = 0; i < 20; i++)
            {
                await served.ScrapeAsync();
            }
        });
        await Task.WhenAll([.. writers, scrapes]);
        var s = await served.ScrapeAsync();
        Assert.Equal(2000, s.Value(MetricNames.Trials, ("state", "pending")));
        Assert.Empty(s.Find(MetricNames.TrialEpoch));
    }
}
