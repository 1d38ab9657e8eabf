namespace Sweeps.Monitoring.Tests;

/// <summary>Files of the repository (the folder holding Sweeps.sln above the test assembly).</summary>
internal static class RepoFiles
{
    public static string Root { get; } = FindRoot();

    public static string PrometheusConfig => Path.Combine(Root, "ops", "prometheus", "prometheus.yml");

    public static string AlertRules => Path.Combine(Root, "ops", "prometheus", "alerts.yml");

    public static string Dashboard => Path.Combine(Root, "ops", "grafana", "dashboards", "sweeps.json");

    public static string MonitoringDocs => Path.Combine(Root, "docs", "monitoring.md");

    public static string GrafanaDatasource => Path.Combine(Root, "ops", "grafana", "provisioning", "datasources", "sweeps-prometheus.yml");

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Sweeps.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"no Sweeps.sln above {AppContext.BaseDirectory}");
    }
}
