using System.Text.Json;
using System.Text.RegularExpressions;
using YamlDotNet.Serialization;

namespace Sweeps.Monitoring.Tests;

/// <summary>An alert rule of ops/prometheus/alerts.yml.</summary>
internal sealed record AlertRule(string Name, string Expr, string? For);

/// <summary>A PromQL expression of the Grafana dashboard, with Grafana's variables replaced.</summary>
internal sealed record DashboardQuery(string Panel, string Expr);

/// <summary>Reads the ops/ files the way Prometheus and Grafana do; nothing is duplicated by hand.</summary>
internal static partial class OpsFiles
{
    /// <summary>Values for Grafana's variables: every sweep, and windows that hold several 1 s scrapes.</summary>
    private static readonly Dictionary<string, string> GrafanaVariables = new()
    {
        ["$__rate_interval"] = "1m",
        ["$__interval"] = "15s",
        ["$__range"] = "1h",
        ["$sweep"] = ".*",
    };

    public static List<AlertRule> AlertRules()
    {
        var root = (Dictionary<object, object>)Yaml(RepoFiles.AlertRules);
        var rules = new List<AlertRule>();
        foreach (Dictionary<object, object> group in (List<object>)root["groups"])
        {
            foreach (Dictionary<object, object> rule in (List<object>)group["rules"])
            {
                rules.Add(new AlertRule((string)rule["alert"], (string)rule["expr"], rule.TryGetValue("for", out var f) ? (string)f : null));
            }
        }

        return rules;
    }

    public static List<DashboardQuery> DashboardQueries()
    {
        using var json = JsonDocument.Parse(File.ReadAllText(RepoFiles.Dashboard));
        var queries = new List<DashboardQuery>();
        foreach (var panel in json.RootElement.GetProperty("panels").EnumerateArray())
        {
            AddPanel(panel, queries);
        }

        // Template variables: label_values(metric, label) must find the metric.
        foreach (var variable in json.RootElement.GetProperty("templating").GetProperty("list").EnumerateArray())
        {
            var query = variable.GetProperty("query").GetProperty("query").GetString()!;
            var match = LabelValues().Match(query);
            Assert.True(match.Success, $"dashboard variable {variable.GetProperty("name")}: unexpected query {query}");
            queries.Add(new DashboardQuery("variable " + variable.GetProperty("name").GetString(), $"count by ({match.Groups[2].Value}) ({match.Groups[1].Value})"));
        }

        return queries;
    }

    private static void AddPanel(JsonElement panel, List<DashboardQuery> queries)
    {
        if (panel.TryGetProperty("panels", out var nested))
        {
            foreach (var inner in nested.EnumerateArray())
            {
                AddPanel(inner, queries);
            }
        }

        if (!panel.TryGetProperty("targets", out var targets))
        {
            return;
        }

        foreach (var target in targets.EnumerateArray())
        {
            var expr = target.GetProperty("expr").GetString()!;
            foreach (var (name, value) in GrafanaVariables)
            {
                expr = expr.Replace(name, value, StringComparison.Ordinal);
            }

            Assert.DoesNotContain("$", expr, StringComparison.Ordinal);
            queries.Add(new DashboardQuery(panel.GetProperty("title").GetString()!, expr));
        }
    }

    /// <summary>
    /// ops/prometheus/prometheus.yml with the test's targets: the coordinator job scrapes
    /// <paramref name="coordinator"/>, the worker job reads <paramref name="workersGlob"/>, rules come
    /// from ops/prometheus/alerts.yml, and everything runs every second.
    /// </summary>
    public static string TestConfig(string coordinator, string workersGlob)
    {
        var root = (Dictionary<object, object>)Yaml(RepoFiles.PrometheusConfig);
        var global = (Dictionary<object, object>)root["global"];
        global["scrape_interval"] = "1s";
        global["scrape_timeout"] = "1s";
        global["evaluation_interval"] = "1s";
        root["rule_files"] = new List<object> { RepoFiles.AlertRules };
        var jobs = ((List<object>)root["scrape_configs"]).Cast<Dictionary<object, object>>().ToDictionary(j => (string)j["job_name"]);
        Assert.Equal(["sweeps-coordinator", "sweeps-worker"], jobs.Keys.Order());
        var coordinatorTargets = (List<object>)((Dictionary<object, object>)((List<object>)jobs["sweeps-coordinator"]["static_configs"])[0])["targets"];
        coordinatorTargets.Clear();
        coordinatorTargets.Add(coordinator);
        var fileSd = (Dictionary<object, object>)((List<object>)jobs["sweeps-worker"]["file_sd_configs"])[0];
        fileSd["files"] = new List<object> { workersGlob };
        fileSd["refresh_interval"] = "1s";
        return new SerializerBuilder().Build().Serialize(root);
    }

    private static object Yaml(string path) => new DeserializerBuilder().Build().Deserialize<object>(File.ReadAllText(path))
        ?? throw new InvalidOperationException($"{path} is empty");

    [GeneratedRegex(@"^label_values\((\w+),\s*(\w+)\)$")]
    private static partial Regex LabelValues();
}
