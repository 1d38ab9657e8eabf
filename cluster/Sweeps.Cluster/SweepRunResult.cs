using Sweeps.Actors.State;

namespace Sweeps.Cluster;

/// <summary>How a sweep run ended and where its outputs are.</summary>
/// <param name="Status"><c>completed</c>, <c>failed</c> or <c>cancelled</c>.</param>
/// <param name="State">The final state of every trial.</param>
/// <param name="OutputDirectory">The output folder (absolute).</param>
/// <param name="Started">Trials started by this run.</param>
public sealed record SweepRunResult(string Status, SweepState State, string OutputDirectory, int Started)
{
    /// <summary>results.json.</summary>
    public string ResultsJson => Path.Combine(OutputDirectory, ResultsFiles.JsonFileName);

    /// <summary>report.md.</summary>
    public string Report => Path.Combine(OutputDirectory, ResultsFiles.ReportFileName);

    /// <summary>report.html (self-contained: open it in any browser).</summary>
    public string HtmlReport => Path.Combine(OutputDirectory, ResultsFiles.HtmlReportFileName);
}
