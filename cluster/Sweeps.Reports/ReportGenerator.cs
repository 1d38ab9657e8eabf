using System.Text;

namespace Sweeps.Reports;

/// <summary>
/// The comparison report of one sweep output folder (docs/results-format.md): reads results.json, sweep.yaml and every
/// trials/&lt;id&gt;/metrics.jsonl, and writes report.md, report.html (one self-contained file: inline CSS and SVG
/// charts, no scripts, nothing fetched from the network) and results.csv into the same folder.
/// </summary>
/// <remarks>
/// Per model x dataset the report has a table with one row per method and one column per bit-width (mean and sample
/// standard deviation over seeds of the chosen accuracy, the number of seeds, the best cell per column marked), the
/// difference to the FP teacher, a paired t-test of each method against plain QAT when there are two or more seeds, and
/// charts (accuracy vs bit-width, model size vs accuracy, per-trial training curves). Failed, cancelled, running and
/// pending trials are listed with their error or state, never dropped. The reconstructed methods (MEC-Quant, FPQ, CR)
/// are labelled, and a reproducibility block gives versions, git commit, the sweep file, recipes, devices and each
/// trial's run time. Safe to call while a sweep is running: it only reads, and replaces each output file atomically.
/// </remarks>
public static class ReportGenerator
{
    /// <summary>Writes the report of the sweep in <paramref name="sweepDirectory"/>.</summary>
    /// <param name="sweepDirectory">The sweep's output folder (holding results.json).</param>
    /// <param name="options">What the tables show; null for <see cref="ReportOptions.Default"/>.</param>
    /// <returns>The paths of the files written.</returns>
    /// <exception cref="ReportException">The folder or its results.json is missing or malformed (the message names the
    /// file, the field and what was expected), or an output file cannot be written.</exception>
    public static ReportFiles Write(string sweepDirectory, ReportOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(sweepDirectory);
        options ??= ReportOptions.Default;
        var results = ResultsReader.Read(sweepDirectory);
        var context = new ReportContext(results, SweepAnalysis.Analyse(results.Trials, options.Accuracy), options, DateTimeOffset.UtcNow);
        var files = new ReportFiles(
            Path.Combine(results.Directory, "report.md"),
            Path.Combine(results.Directory, "report.html"),
            Path.Combine(results.Directory, "results.csv"));
        WriteAtomic(files.Markdown, MarkdownReport.Render(context));
        WriteAtomic(files.Html, HtmlReport.Render(context));
        WriteAtomic(files.Csv, ResultsCsv.Render(results.Trials));
        return files;
    }

    private static void WriteAtomic(string path, string text)
    {
        var temporary = path + ".tmp";
        try
        {
            File.WriteAllText(temporary, text, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false));
            File.Move(temporary, path, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ReportException($"{path}: cannot be written: {e.Message}", e);
        }
    }
}
