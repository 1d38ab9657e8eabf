namespace Sweeps.Reports;

/// <summary>The files <see cref="ReportGenerator.Write"/> wrote (absolute paths).</summary>
/// <param name="Markdown">report.md.</param>
/// <param name="Html">report.html: one self-contained file.</param>
/// <param name="Csv">results.csv: one row per trial, the trial objects' scalar columns.</param>
public sealed record ReportFiles(string Markdown, string Html, string Csv);
