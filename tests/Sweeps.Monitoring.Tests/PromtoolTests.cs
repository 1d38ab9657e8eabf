using System.Text;
using System.Text.Json;
using YamlDotNet.Serialization;

namespace Sweeps.Monitoring.Tests;

public sealed class PromtoolTests
{
    [Fact]
    public async Task CheckConfig_OpsPrometheusYml_Passes()
    {
        var (code, output) = await PrometheusTools.RunAsync(PrometheusTools.Promtool, ["check", "config", RepoFiles.PrometheusConfig]);
        Assert.True(code == 0, $"promtool check config {RepoFiles.PrometheusConfig} failed ({code}):\n{output}");
        Assert.Contains("1 rule files found", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CheckRules_OpsAlertsYml_PassesWithSixRules()
    {
        var (code, output) = await PrometheusTools.RunAsync(PrometheusTools.Promtool, ["check", "rules", RepoFiles.AlertRules]);
        Assert.True(code == 0, $"promtool check rules {RepoFiles.AlertRules} failed ({code}):\n{output}");
        Assert.Contains("SUCCESS: 6 rules found", output, StringComparison.Ordinal);
        Assert.Equal(
            ["SweepsClusterMemberUnreachable", "SweepsNonFiniteLoss", "SweepsStalled", "SweepsTrialFailed", "SweepsTrialNoProgress", "SweepsWorkerDown"],
            OpsFiles.AlertRules().Select(r => r.Name).Order());
    }

    [Fact]
    public async Task CheckRules_BrokenRule_Fails()
    {
        // The check above can fail: a rule with a PromQL syntax error is rejected.
        var path = Path.Combine(Path.GetTempPath(), $"sweeps-broken-{Guid.NewGuid():N}.yml");
        try
        {
            await File.WriteAllTextAsync(path, "groups:\n  - name: x\n    rules:\n      - alert: X\n        expr: sum(by (\n");
            var (code, output) = await PrometheusTools.RunAsync(PrometheusTools.Promtool, ["check", "rules", path]);
            Assert.NotEqual(0, code);
            Assert.Contains("FAILED", output, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public async Task CheckMetrics_ScrapeOfABusySweep_PassesTheLinter()
    {
        await using var served = await ServedMetrics.StartAsync();
        var text = await BusySweepScrapeAsync(served);
        foreach (var name in typeof(MetricNames).GetFields().Select(f => (string)f.GetRawConstantValue()!))
        {
            Assert.Contains("# TYPE " + name + " ", text, StringComparison.Ordinal);
        }

        var (code, output) = await PrometheusTools.RunAsync(PrometheusTools.Promtool, ["check", "metrics"], stdin: text);
        Assert.True(code == 0 && output.Trim().Length == 0, $"promtool check metrics ({code}):\n{output}");
    }

    [Fact]
    public async Task MetricsReference_DocsTable_AgreesWithAScrape()
    {
        // docs/monitoring.md's table lists every family a busy process exports, with its type and labels, and
        // nothing else (the histogram's le aside).
        await using var served = await ServedMetrics.StartAsync();
        var text = await BusySweepScrapeAsync(served);
        var types = text.Split('\n').Where(l => l.StartsWith("# TYPE ", StringComparison.Ordinal))
            .Select(l => l.Split(' ')).ToDictionary(p => p[2], p => p[3]);
        var samples = Exposition.Parse(text);
        var documented = DocsTable.MetricRows();
        Assert.Equal(types.Keys.Order(), documented.Keys.Order());
        foreach (var (name, row) in documented)
        {
            Assert.True(types[name] == row.Type, $"docs/monitoring.md says {name} is a {row.Type}; the scrape says {types[name]}");
            var family = samples.Where(s => s.Name == name || (row.Type == "histogram" && s.Name.StartsWith(name + "_", StringComparison.Ordinal))).ToList();
            var labels = family.SelectMany(s => s.Labels.Keys)
                .Where(l => l != "le").Distinct().Order();
            Assert.True(labels.SequenceEqual(row.Labels.Order()),
                $"docs/monitoring.md gives {name} the labels [{string.Join(", ", row.Labels)}]; the scrape has [{string.Join(", ", labels)}]");
        }
    }

    // A process that reports everything once: trials running and finished, a NaN loss, events, cluster members, GPU memory.
    private static async Task<string> BusySweepScrapeAsync(ServedMetrics served)
    {
        var metrics = served.Metrics;
        var trials = SimulatedSweep.StartRunningTrials(metrics, 50);
        metrics.TrialFinished("big", "qat", 61, "completed");
        metrics.TrialFinished("big", "fp", 3, "failed");
        metrics.NonFiniteLossReported(trials[1]);
        metrics.EventRecorded(deduplicated: false);
        metrics.EventRecorded(deduplicated: true);
        metrics.ClusterMembersReported(["Up", "Up", "Joining"], unreachable: 1);
        metrics.GpuMemoryReported("node-0", "cuda:0", 1 << 30, 16L << 30);
        metrics.SweepFinished("big");
        GC.Collect();
        try
        {
            // dotnet_exceptions_total appears with the process's first exception.
            throw new InvalidOperationException("an exception for the runtime's counter");
        }
        catch (InvalidOperationException)
        {
        }

        return await served.ScrapeTextAsync();
    }

    [Fact]
    public async Task CheckMetrics_BadMetricName_IsReported()
    {
        // The linter does flag problems (so the check above can fail): a counter without _total.
        var (code, output) = await PrometheusTools.RunAsync(
            PrometheusTools.Promtool, ["check", "metrics"], stdin: "# HELP bad Bad.\n# TYPE bad counter\nbad 1\n");
        Assert.NotEqual(0, code);
        Assert.Contains("_total", output, StringComparison.Ordinal);
    }

    [Fact]
    public void GrafanaDashboard_EveryPanel_UsesTheProvisionedDatasource()
    {
        var datasources = (Dictionary<object, object>)new DeserializerBuilder().Build()
            .Deserialize<object>(File.ReadAllText(RepoFiles.GrafanaDatasource))!;
        var uid = (string)((Dictionary<object, object>)((List<object>)datasources["datasources"])[0])["uid"];
        using var dashboard = JsonDocument.Parse(File.ReadAllText(RepoFiles.Dashboard));
        var panels = dashboard.RootElement.GetProperty("panels").EnumerateArray().Where(p => p.GetProperty("type").GetString() != "row").ToList();
        Assert.NotEmpty(panels);
        foreach (var panel in panels)
        {
            Assert.Equal(uid, panel.GetProperty("datasource").GetProperty("uid").GetString());
        }

        var titles = panels.Select(p => p.GetProperty("title").GetString()).ToList();
        Assert.Contains("Trials by state", titles);
        Assert.Contains("Test top-1 per method (mean over running trials)", titles);
        Assert.Contains("Training loss per trial", titles);
        Assert.Contains("Slot utilisation", titles);
        Assert.Contains("Throughput", titles);
        Assert.Contains("Failed and cancelled trials", titles);
    }
}
