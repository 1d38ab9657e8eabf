using System.Globalization;
using System.Net;
using System.Text.Json;
using Xunit.Abstractions;

namespace Sweeps.Monitoring.Tests;

/// <summary>
/// A real Prometheus scrapes a simulated sweep (a coordinator and a worker endpoint, plus a worker
/// that is down, found through file-based discovery) with ops/prometheus's configuration and alert
/// rules; every PromQL expression of the alert rules and of the Grafana dashboard must return data.
/// </summary>
public sealed class PrometheusScrapeTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(45);

    [Fact]
    public async Task Prometheus_SimulatedSweep_EveryDashboardAndAlertExpressionReturnsData()
    {
        var directory = Directory.CreateTempSubdirectory("sweeps-prometheus-").FullName;
        try
        {
            await RunAsync(directory);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private async Task RunAsync(string directory)
    {
        var clock = new ShiftedTimeProvider();
        using var coordinator = new SweepMetrics();
        using var worker = new SweepMetrics(clock);
        await using var coordinatorEndpoint = await MetricsEndpoint.StartAsync(coordinator, new MetricsEndpointOptions(IPAddress.Loopback, 0));
        await using var workerEndpoint = await MetricsEndpoint.StartAsync(worker, new MetricsEndpointOptions(IPAddress.Loopback, 0));
        var deadWorker = $"127.0.0.1:{PrometheusTools.FreePort()}";

        // The sweep: 8 trials planned, 4 running on the worker's 4 GPU slots; one of them has been
        // stuck for 40 minutes (it started then and never reported an epoch).
        string[] methods = ["fp", "qat", "sqakd", "mec-quant"];
        var trials = methods.Select((m, i) => new TrialLabels("quick", "resnet20", "fashion-mnist", m, m == "fp" ? 32 : 2, m == "fp" ? 32 : 4, 0)).ToArray();
        for (var i = 0; i < 8; i++)
        {
            coordinator.TrialStateChanged("quick", null, "pending");
        }

        // The cluster: the coordinator, the worker and the dead worker's node, which both live nodes see unreachable.
        coordinator.ClusterMembersReported(["Up", "Up", "Up"], unreachable: 1);
        worker.ClusterMembersReported(["Up", "Up", "Up"], unreachable: 1);
        for (var i = 0; i < trials.Length; i++)
        {
            coordinator.TrialStateChanged("quick", "pending", "running");
            clock.Offset = trials[i].Method == "sqakd" ? TimeSpan.FromMinutes(-40) : TimeSpan.Zero;
            worker.TrialStarted(trials[i]);
            clock.Offset = TimeSpan.Zero;
            worker.SlotStateChanged("worker-1", $"cuda:{i}", busy: true);
            worker.GpuMemoryReported("worker-1", $"cuda:{i}", (2L + i) << 30, 16L << 30);
            coordinator.EventRecorded(deduplicated: false);
        }

        var workersDir = Directory.CreateDirectory(Path.Combine(directory, "workers")).FullName;
        await File.WriteAllTextAsync(
            Path.Combine(workersDir, "test.json"),
            JsonSerializer.Serialize(new[] { new { targets = new[] { $"127.0.0.1:{workerEndpoint.Port}", deadWorker } } }));
        var config = OpsFiles.TestConfig($"127.0.0.1:{coordinatorEndpoint.Port}", Path.Combine(workersDir, "*.json"));
        await using var prometheus = await PrometheusServer.StartAsync(directory, config);
        output.WriteLine($"Prometheus at {prometheus.Address}, coordinator {coordinatorEndpoint.MetricsUri}, worker {workerEndpoint.MetricsUri}, dead worker {deadWorker}");

        // Every target discovered and scraped (the dead one as down), with the counters at 0 recorded
        // before anything fails, so that the failures below are increases.
        await ExpectDataAsync(prometheus, "count(up{job=\"sweeps-worker\"}) == 2 and count(up{job=\"sweeps-coordinator\"}) == 1");
        await ExpectDataAsync(prometheus, $"count(sweeps_trials_finished_total{{status=\"failed\"}} == 0) == {methods.Length}");
        await ExpectDataAsync(prometheus, "count_over_time(sweeps_trial_nonfinite_loss_total{method=\"qat\"}[1m]) >= 2");

        // Progress: three epochs of the healthy trials, a second apart.
        for (var epoch = 1; epoch <= 3; epoch++)
        {
            foreach (var trial in trials.Where(t => t.Method != "sqakd"))
            {
                worker.EpochReported(trial, epoch, 2.0 / epoch, 0.5 + (0.1 * epoch), 900 + epoch);
                coordinator.EventRecorded(deduplicated: false);
            }

            coordinator.EventRecorded(deduplicated: true);
            await Task.Delay(1100);
        }

        // qat's loss turns NaN and the trial fails; fp completes.
        var qat = trials[1];
        worker.EpochReported(qat, 4, double.NaN, 0.1, 900);
        worker.TrialFinished("quick", "qat", 12.5, "failed");
        worker.TrialEnded(qat);
        worker.SlotStateChanged("worker-1", "cuda:1", busy: false);
        coordinator.TrialStateChanged("quick", "running", "failed");
        var fp = trials[0];
        worker.TrialFinished("quick", "fp", 30, "completed");
        worker.TrialEnded(fp);
        worker.SlotStateChanged("worker-1", "cuda:0", busy: false);
        coordinator.TrialStateChanged("quick", "running", "completed");
        await Task.Delay(2500);

        var rules = OpsFiles.AlertRules();
        var stalled = Assert.Single(rules, r => r.Name == "SweepsStalled");
        var missing = new List<string>();
        foreach (var query in OpsFiles.DashboardQueries())
        {
            if ((await prometheus.QueryUntilDataAsync(query.Expr, Wait)).Count == 0)
            {
                missing.Add($"dashboard panel '{query.Panel}': {query.Expr}");
            }
        }

        foreach (var rule in rules.Where(r => r != stalled))
        {
            if ((await prometheus.QueryUntilDataAsync(rule.Expr, Wait)).Count == 0)
            {
                missing.Add($"alert {rule.Name}: {rule.Expr}");
            }
        }

        // Nothing is stalled while slots are busy ...
        Assert.Empty(await prometheus.QueryAsync(stalled.Expr));

        // ... until every slot is idle with trials pending.
        for (var i = 0; i < trials.Length; i++)
        {
            worker.SlotStateChanged("worker-1", $"cuda:{i}", busy: false);
        }

        if ((await prometheus.QueryUntilDataAsync(stalled.Expr, Wait)).Count == 0)
        {
            missing.Add($"alert {stalled.Name}: {stalled.Expr}");
        }

        Assert.True(missing.Count == 0, "no data for:\n" + string.Join("\n", missing) + "\nPrometheus log:\n" + prometheus.Log);

        // The rule manager loaded the file and evaluates every rule; each alert is pending (its 'for'
        // has not elapsed) or firing.
        await ExpectDataAsync(prometheus, "count(count by (alertname) (ALERTS)) == 6");
        var alerts = await prometheus.QueryAsync("ALERTS");
        var states = alerts.GroupBy(a => a.GetProperty("metric").GetProperty("alertname").GetString()!)
            .ToDictionary(g => g.Key, g => g.Select(a => a.GetProperty("metric").GetProperty("alertstate").GetString()).ToHashSet());
        Assert.Contains("firing", states["SweepsTrialFailed"]);
        Assert.Contains("firing", states["SweepsNonFiniteLoss"]);
        Assert.Contains("pending", states["SweepsWorkerDown"]);
        Assert.Contains("pending", states["SweepsTrialNoProgress"]);
        Assert.Contains("pending", states["SweepsStalled"]);
        Assert.Contains("pending", states["SweepsClusterMemberUnreachable"]);
        var failed = Assert.Single(alerts, a => a.GetProperty("metric").GetProperty("alertname").GetString() == "SweepsTrialFailed");
        Assert.Equal("qat", failed.GetProperty("metric").GetProperty("method").GetString());
        var down = Assert.Single(alerts, a => a.GetProperty("metric").GetProperty("alertname").GetString() == "SweepsWorkerDown");
        Assert.Equal(deadWorker, down.GetProperty("metric").GetProperty("instance").GetString());
        var stuck = Assert.Single(alerts, a => a.GetProperty("metric").GetProperty("alertname").GetString() == "SweepsTrialNoProgress");
        Assert.Equal("sqakd", stuck.GetProperty("metric").GetProperty("method").GetString());

        var groups = (await prometheus.ApiAsync("rules")).GetProperty("groups");
        var loaded = groups.EnumerateArray().SelectMany(g => g.GetProperty("rules").EnumerateArray()).ToList();
        Assert.Equal(6, loaded.Count);
        Assert.All(loaded, r => Assert.Equal("ok", r.GetProperty("health").GetString()));

        // Values went through intact: the failed trial's series are gone, the others have their last epoch.
        var top1 = await prometheus.QueryAsync("sweeps_trial_test_top1_ratio");
        Assert.Equal(["mec-quant"], top1.Select(r => r.GetProperty("metric").GetProperty("method").GetString()));
        Assert.Equal(0.8, double.Parse(top1[0].GetProperty("value")[1].GetString()!, CultureInfo.InvariantCulture), 6);
        var pending = await prometheus.QueryAsync("sweeps_trials{state=\"pending\"}");
        Assert.Equal("4", Assert.Single(pending).GetProperty("value")[1].GetString());
    }

    private static async Task ExpectDataAsync(PrometheusServer prometheus, string promql)
    {
        var result = await prometheus.QueryUntilDataAsync(promql, Wait);
        Assert.True(result.Count > 0, $"no data within {Wait.TotalSeconds} s for {promql}\nPrometheus log:\n{prometheus.Log}");
    }
}
