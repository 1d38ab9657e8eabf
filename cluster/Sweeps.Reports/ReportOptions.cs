namespace Sweeps.Reports;

/// <summary>Options of <see cref="ReportGenerator.Write"/>.</summary>
public sealed record ReportOptions
{
    /// <summary>The accuracy the tables and charts show. Default <see cref="AccuracyMetric.Last"/>.</summary>
    public AccuracyMetric Accuracy { get; init; } = AccuracyMetric.Last;

    /// <summary>The options with every default.</summary>
    public static ReportOptions Default { get; } = new();
}
