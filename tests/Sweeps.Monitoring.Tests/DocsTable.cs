using System.Text.RegularExpressions;

namespace Sweeps.Monitoring.Tests;

/// <summary>A row of docs/monitoring.md's metric table: type and labels as documented.</summary>
internal sealed record DocumentedMetric(string Type, IReadOnlyList<string> Labels);

/// <summary>Reads the metric reference tables of docs/monitoring.md (rows <c>| `name` | type | labels | meaning |</c>).</summary>
internal static partial class DocsTable
{
    /// <summary>"trial labels" in the table stands for these seven.</summary>
    private static readonly string[] TrialLabels = ["sweep", "model", "dataset", "method", "wbits", "abits", "seed"];

    public static Dictionary<string, DocumentedMetric> MetricRows()
    {
        var rows = new Dictionary<string, DocumentedMetric>(StringComparer.Ordinal);
        foreach (var line in File.ReadLines(RepoFiles.MonitoringDocs))
        {
            var match = Row().Match(line);
            if (!match.Success)
            {
                continue;
            }

            var labels = match.Groups["labels"].Value.Trim();
            IReadOnlyList<string> list = labels == "trial labels"
                ? TrialLabels
                : [.. labels.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)];
            Assert.True(rows.TryAdd(match.Groups["name"].Value, new DocumentedMetric(match.Groups["type"].Value, list)),
                $"docs/monitoring.md lists {match.Groups["name"].Value} twice");
        }

        Assert.True(rows.Count > 20, $"docs/monitoring.md: only {rows.Count} metric rows found");
        return rows;
    }

    [GeneratedRegex(@"^\| `(?<name>[a-z_:][a-z0-9_:]*)` \| (?<type>counter|gauge|histogram) \|(?<labels>[^|]*)\|")]
    private static partial Regex Row();
}
