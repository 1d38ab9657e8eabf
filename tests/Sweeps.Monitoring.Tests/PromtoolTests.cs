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
    public async Task CheckRules_OpsAlertsYml_PassesWithFiveRules()
    {
        var (code, output) = await PrometheusTools.RunAsync(PrometheusTools.Promtool, ["check", "rules", RepoFiles.AlertRules]);
        Assert.True(code == 0, $"promtool check rules {RepoFiles.AlertRules} failed ({code}):\n{output}");
        Assert.Contains("SUCCESS: 5 rules found", output, StringComparison.Ordinal);
        Assert.Equal(
            ["SweepsNonFiniteLoss", "SweepsStalled", "SweepsTrialFailed", "SweepsTrialNoProgress", "SweepsWorkerDown"],
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
    public async Task CheckMetrics_OutputOfABusySweep_PassesTheLinter()
    {
        using var metrics = new SweepMetrics();
        var trials = SimulatedSweep.StartRunningTrials(metrics, 50);
        metrics.TrialFinished("big", "qat", 61, "completed");
        metrics.TrialFinished("big", "fp", 3, "failed");
        metrics.NonFiniteLossReported(trials[1]);
        metrics.EventRecorded(deduplicated: false);
        metrics.EventRecorded(deduplicated: true);
        metrics.BrokerConnectionChanged(connected: true);
        metrics.GpuMemoryReported("node-0", "cuda:0", 1 << 30, 16L << 30);
        metrics.SweepFinished("big");
        var text = Encoding.UTF8.GetString(metrics.Scrape());
        foreach (var name in typeof(MetricNames).GetFields().Select(f => (string)f.GetRawConstantValue()!))
        {
            Assert.Contains("# TYPE " + name + " ", text, StringComparison.Ordinal);
        }

        var (code, output) = await PrometheusTools.RunAsync(PrometheusTools.Promtool, ["check", "metrics"], stdin: text);
        Assert.True(code == 0 && output.Trim().Length == 0, $"promtool check metrics ({code}):\n{output}");
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
