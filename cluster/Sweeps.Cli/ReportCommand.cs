using System.CommandLine;
using Sweeps.Reports;

namespace Sweeps.Cli;

/// <summary><c>sweeps report &lt;DIR&gt; [--accuracy last|mean5|best]</c>: writes report.md, report.html and results.csv
/// of a sweep output folder (docs/results-format.md).</summary>
internal static class ReportCommand
{
    /// <summary>Exit code when the folder cannot be reported on (missing or malformed results.json, unwritable output).</summary>
    internal const int Failed = 1;

    /// <summary>Builds the command.</summary>
    internal static Command Create()
    {
        var directory = new Argument<string>("dir") { Description = "The sweep's output folder (holding results.json), e.g. runs/quick." };
        var accuracy = new Option<string>("--accuracy")
        {
            Description = "The accuracy the tables show: last (test top-1 after the last epoch: the final model; the default), "
                + "mean5 (mean of the last 5 epochs; on short runs it averages in undertrained epochs) or best (best epoch; "
                + "flatters every method, since the epoch is picked on the test set).",
            DefaultValueFactory = _ => "last",
        };
        accuracy.AcceptOnlyFromAmong("last", "mean5", "best");
        var command = new Command("report", "Write the comparison report of a sweep folder: report.md, report.html (self-contained) and results.csv.")
        {
            directory, accuracy,
        };
        command.SetAction(r => Run(r.GetValue(directory)!, ParseAccuracy(r.GetValue(accuracy)!), Console.Out, Console.Error));
        return command;
    }

    /// <summary>The accuracy choice from its command-line spelling (last, mean5, best).</summary>
    internal static AccuracyMetric ParseAccuracy(string value) => value switch
    {
        "mean5" => AccuracyMetric.MeanLast5,
        "last" => AccuracyMetric.Last,
        "best" => AccuracyMetric.Best,
        _ => throw new FormatException($"--accuracy: expected last, mean5 or best, found '{value}'"),
    };

    /// <summary>Writes the report; returns the exit code.</summary>
    internal static int Run(string directory, AccuracyMetric accuracy, TextWriter output, TextWriter error)
    {
        try
        {
            var files = ReportGenerator.Write(directory, new ReportOptions { Accuracy = accuracy });
            output.WriteLine($"report: {files.Html}");
            output.WriteLine($"        {files.Markdown}");
            output.WriteLine($"        {files.Csv}");
            return 0;
        }
        catch (ReportException e)
        {
            error.WriteLine($"error: {e.Message}");
            return Failed;
        }
    }
}
