using System.Globalization;
using System.Net;
using System.Text.Json;
using Sweeps.Monitoring;
using Sweeps.Monitoring.Tests;

namespace Sweeps.Cluster.Tests;

/// <summary>A real Prometheus (started on 127.0.0.1 by the test) scrapes the /metrics endpoint of a running embedded
/// sweep: it sees the trials running and busy slots during the sweep, and the final counts after it; promtool's linter
/// accepts a scrape taken while the sweep runs.</summary>
public sealed class PrometheusSweepTests : IDisposable
{
    private const int Trials = 12;
    private readonly string _dir = Directory.CreateTempSubdirectory("sweeps-prom-sweep-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task EmbeddedSweep_ScrapedByPrometheus_ShowsRunningTrialsThenFinalCounts()
    {
        using var metrics = new SweepMetrics();
        await using var endpoint = await MetricsEndpoint.StartAsync(metrics, new MetricsEndpointOptions(IPAddress.Loopback, 0));
        var promDir = Directory.CreateDirectory(Path.Combine(_dir, "prometheus")).FullName;
        await using var prometheus = await PrometheusServer.StartAsync(promDir, $"""
            global:
              scrape_interval: 1s
              evaluation_interval: 1s
            scrape_configs:
              - job_name: sweeps-coordinator
                static_configs:
                  - targets: ['127.0.0.1:{endpoint.Port}']
            """);

        // 12 sleeping trials of 1.5 s on 2 slots: about 9 s of sweep, several scrapes while trials run.
        var options = SleepingSweep.Options("scraped", Path.Combine(_dir, "out"), Trials, 1500, slots: 2) with { Metrics = metrics };
        var run = EmbeddedSweepHost.RunAsync(options, null, CancellationToken.None);

        var running = await prometheus.QueryUntilDataAsync("sweeps_trials{sweep=\"scraped\",state=\"running\"} > 0", TimeSpan.FromSeconds(30));
        Assert.True(running.Count == 1, "Prometheus never saw a running trial of the sweep:\n" + prometheus.Log);
        // At most two per slot: a slot asking ahead (its trial's last second) holds its next trial, given out and so
        // recorded as started (docs/cluster.md).
        Assert.InRange(Value(running[0]), 1, 4);
        var busy = await prometheus.QueryUntilDataAsync("sweeps_slot_busy{device=\"cpu\"} == 1", TimeSpan.FromSeconds(10));
        Assert.Single(busy);
        using var http = new HttpClient();
        var live = await http.GetStringAsync(endpoint.MetricsUri);
        Assert.False(run.IsCompleted, "the sweep ended before Prometheus scraped it running: the test proves nothing");

        // promtool's linter accepts what the endpoint serves while the sweep runs (the text format, as curl gets it).
        Assert.Contains("sweeps_trials{", live, StringComparison.Ordinal);
        Assert.Contains("process_cpu_time_seconds_total{", live, StringComparison.Ordinal);
        var (lintCode, lint) = await PrometheusTools.RunAsync(PrometheusTools.Promtool, ["check", "metrics"], stdin: live);
        Assert.True(lintCode == 0 && lint.Trim().Length == 0, $"promtool check metrics on a live scrape ({lintCode}):\n{lint}");

        var result = await run;
        Assert.Equal("completed", result.Status);

        // After the sweep: every trial completed and none pending or running, as the store recorded.
        var completed = await prometheus.QueryUntilDataAsync($"sweeps_trials{{sweep=\"scraped\",state=\"completed\"}} == {Trials}", TimeSpan.FromSeconds(15));
        Assert.True(completed.Count == 1, "completed count never reached " + Trials);
        var notDone = await prometheus.QueryAsync("sum(sweeps_trials{sweep=\"scraped\",state=~\"pending|running\"})");
        Assert.Equal(0, Value(notDone[0]));
        var finished = await prometheus.QueryAsync("sum(sweeps_trials_finished_total{sweep=\"scraped\",status=\"completed\"})");
        Assert.Equal(Trials, Value(finished[0]));
        var durations = await prometheus.QueryAsync("sum(sweeps_trial_duration_seconds_count{method=\"sleep\"})");
        Assert.Equal(Trials, Value(durations[0]));
        // Each sleeping trial records a started and a completed event.
        var events = await prometheus.QueryUntilDataAsync($"sweeps_events_recorded_total == {2 * Trials}", TimeSpan.FromSeconds(10));
        Assert.Single(events);
        var sweepFinished = await prometheus.QueryUntilDataAsync("sweeps_sweep_finished{sweep=\"scraped\"} == 1", TimeSpan.FromSeconds(10));
        Assert.Single(sweepFinished);
    }

    private static double Value(JsonElement sample) =>
        double.Parse(sample.GetProperty("value")[1].GetString()!, CultureInfo.InvariantCulture);
}
