namespace Sweeps.Reports;

/// <summary>Everything the writers render: the folder's contents, the analysis and the options.</summary>
internal sealed record ReportContext(SweepResults Results, IReadOnlyList<GroupSummary> Groups, ReportOptions Options, DateTimeOffset GeneratedAt)
{
    public AccuracyMetric Metric => Options.Accuracy;

    /// <summary>Trials that did not complete (failed, cancelled, running, pending), in results.json's order.</summary>
    public IReadOnlyList<TrialRecord> Unfinished => Results.Trials.Where(t => !t.IsCompleted).ToList();

    /// <summary>The reconstructed methods that this sweep ran.</summary>
    public IReadOnlyList<string> ReconstructedMethods =>
        SweepAnalysis.OrderMethods(Results.Trials.Select(t => t.Method).Where(SweepAnalysis.Reconstructions.Contains));

    /// <summary>The method's row label: display name, with a dagger for reconstructions.</summary>
    public static string RowLabel(string method) =>
        SweepAnalysis.DisplayName(method) + (SweepAnalysis.Reconstructions.Contains(method) ? " " + ReportText.Dagger : "");

    /// <summary>The distinct recipes per method, with the trials that ran each.</summary>
    public IReadOnlyList<(string Method, string Recipe, IReadOnlyList<string> Trials)> Recipes =>
        SweepAnalysis.OrderMethods(Results.Trials.Select(t => t.Method))
            .SelectMany(m => Results.Trials.Where(t => t.Method == m && t.Recipe is not null)
                .GroupBy(t => ReportText.PrettyJson(t.Recipe!.Value), StringComparer.Ordinal)
                .Select(g => (m, g.Key, (IReadOnlyList<string>)g.Select(t => t.Id).ToList())))
            .ToList();

    public string Summary
    {
        get
        {
            var trials = Results.Trials;
            var counts = trials.GroupBy(t => t.Status).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => $"{g.Count()} {g.Key}");
            return $"{trials.Count} trials: {string.Join(", ", counts)}";
        }
    }
}
