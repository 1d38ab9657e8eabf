using System.Globalization;
using System.Text;

namespace Sweeps.Reports;

/// <summary>report.md: the same tables as report.html (charts only in the HTML).</summary>
internal static class MarkdownReport
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public static string Render(ReportContext context)
    {
        var sweep = context.Results.Sweep;
        var md = new StringBuilder();
        void Line(string text = "") => md.Append(text).Append('\n');

        Line($"# Sweep report: {sweep.Name}");
        Line();
        Line($"Sweep file `{sweep.File ?? "sweep.yaml"}`, status **{sweep.Status ?? "unknown"}**, started {sweep.StartedAt ?? ReportText.Dash}, "
            + $"finished {sweep.FinishedAt ?? ReportText.Dash}. {context.Summary}. Report generated {context.GeneratedAt.ToString("yyyy-MM-dd HH:mm:ss", Inv)}Z.");
        Line();
        if (sweep.Status is "running" or null)
        {
            Line("> **This sweep has not finished**: the tables count the trials completed so far.");
            Line();
        }

        Line($"**Accuracy shown: {ReportText.AccuracyName(context.Metric)}.** {ReportText.AccuracyExplanation(context.Metric)}");
        Line();
        Line("The charts (accuracy vs bit-width, model size vs accuracy, training curves) are in report.html.");
        Line();

        Line("## Failed and unfinished trials");
        Line();
        if (context.Unfinished.Count == 0)
        {
            Line("None: every trial completed.");
        }
        else
        {
            Line("| trial | status | epochs | error / state |");
            Line("|---|---|---|---|");
            foreach (var t in context.Unfinished)
            {
                Line($"| {Cell(t.Id)} | {t.Status} | {ReportText.Epochs(t)} | {Cell(ReportText.Problem(t))} |");
            }
        }

        Line();
        foreach (var group in context.Groups)
        {
            RenderGroup(md, group, context);
        }

        Line("## Reconstructions");
        Line();
        var reconstructed = context.ReconstructedMethods;
        Line(reconstructed.Count == 0
            ? "This sweep ran no reconstructed method."
            : $"{ReportText.Dagger} Reconstructed methods in this sweep: {string.Join(", ", reconstructed.Select(SweepAnalysis.DisplayName))}. "
              + "These are our reconstruction from the papers' abstracts and their parent methods.");
        Line();
        Line(ReportText.ReconstructionNote);
        Line();

        Line("## Trials");
        Line();
        Line("| trial | method | bits | quantizer | seed | status | epochs | best | last | mean5 | size | device | run time | error |");
        Line("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|");
        foreach (var t in context.Results.Trials)
        {
            Line($"| {Cell(t.Id)} | {t.Method} | {ReportText.Bits(t)} | {ReportText.Quantizer(t)} | {t.Seed.ToString(Inv)} | {t.Status} | {ReportText.Epochs(t)} | "
                + $"{ReportText.OptionalPercent(t.BestTop1)} | {ReportText.OptionalPercent(t.LastTop1)} | {ReportText.OptionalPercent(t.MeanLast5Top1)} | "
                + $"{(t.ModelSizeBits is { } s ? ReportText.ModelSize(s) : ReportText.Dash)} | {t.Device ?? ReportText.Dash} | "
                + $"{ReportText.Duration(t.DurationS)} | {Cell(t.Status == "completed" ? t.Error ?? "" : ReportText.Problem(t))} |");
        }

        Line();
        Line("## Training curves (test top-1 per epoch, %)");
        Line();
        foreach (var t in context.Results.Trials)
        {
            var curves = context.Results.Curves[t.Id];
            var text = !curves.Exists ? "no metrics.jsonl yet"
                : string.Join(", ", curves.Points.Select(p => $"{p.Epoch.ToString(Inv)}: {ReportText.OptionalPercent(p.TestTop1)}"));
            if (curves.SkippedLines > 0)
            {
                text += $" ({curves.SkippedLines.ToString(Inv)} unreadable line(s) skipped)";
            }

            Line($"- `{t.Id}`: {(text.Length == 0 ? "no epoch recorded yet" : text)}");
        }

        Line();
        RenderReproducibility(md, context);
        return md.ToString();
    }

    private static void RenderGroup(StringBuilder md, GroupSummary group, ReportContext context)
    {
        void Line(string text = "") => md.Append(text).Append('\n');
        var header = "| method | " + string.Join(" | ", group.Columns.Select(c => c.Label)) + " |";
        var rule = "|---|" + string.Concat(group.Columns.Select(_ => "---|"));

        Line($"## {group.Model} on {group.Dataset}");
        Line();
        Line(group.Fp is { N: > 0 } fp
            ? $"FP teacher (32-bit): {ReportText.CellValue(fp)} ({ReportText.CellSeeds(fp)})."
            : "FP teacher: no completed FP trial" + (group.Fp is null ? " in this sweep." : $" ({ReportText.CellMissing(group.Fp)})."));
        foreach (var source in ReportText.TeacherSources(group.Fp))
        {
            Line();
            Line(source);
        }

        Line();
        Line($"### Test top-1 (%, {ReportText.AccuracyOption(context.Metric)})");
        Line();
        Line(header);
        Line(rule);
        if (group.Fp is { } teacher)
        {
            var value = teacher.N > 0 ? $"*{ReportText.CellValue(teacher)} ({ReportText.CellSeeds(teacher)})*" : ReportText.Dash;
            Line("| FP teacher (32-bit) | " + string.Join(" | ", group.Columns.Select(_ => value)) + " |");
        }

        foreach (var method in group.Methods)
        {
            var cells = group.Columns.Select(bits =>
            {
                if (group.Cell(method, bits) is not { } cell)
                {
                    return "not in sweep";
                }

                var value = ReportText.CellValue(cell);
                if (group.IsBest(method, bits))
                {
                    value = $"**{value}**";
                }

                var missing = ReportText.CellMissing(cell);
                return $"{value} ({ReportText.CellSeeds(cell)}{(missing.Length > 0 ? "; " + missing : "")})";
            });
            Line($"| {ContextRow(method)} | {string.Join(" | ", cells)} |");
        }

        Line();
        Line($"Bold: best quantized method in the column (highest mean). {ReportText.Dagger}: our reconstruction (see Reconstructions).");
        Line();
        Line("### Difference to the FP teacher (percentage points)");
        Line();
        Line(header);
        Line(rule);
        foreach (var method in group.Methods)
        {
            var cells = group.Columns.Select(bits => group.DifferenceToFp(method, bits) is { } d ? ReportText.Points(d) : ReportText.Dash);
            Line($"| {ContextRow(method)} | {string.Join(" | ", cells)} |");
        }

        Line();
        if (group.VsQat.Count > 0)
        {
            Line("### Against plain QAT (paired over seeds)");
            Line();
            Line("Mean difference (method - QAT) over the seeds both completed, its 95 % confidence interval, and a two-sided "
                + "paired t-test at 95 % (Student t with n - 1 degrees of freedom). \"within noise\": |t| is below t(0.975; n - 1).");
            Line();
            Line(header);
            Line(rule);
            foreach (var method in group.Methods.Where(m => m != "qat"))
            {
                var cells = group.Columns.Select(bits => group.VsQat.TryGetValue((method, bits), out var c) ? ReportText.VsQat(c) : ReportText.Dash);
                Line($"| {ContextRow(method)} | {string.Join(" | ", cells)} |");
            }

            Line();
        }
    }

    private static string ContextRow(string method) => ReportContext.RowLabel(method);

    private static void RenderReproducibility(StringBuilder md, ReportContext context)
    {
        void Line(string text = "") => md.Append(text).Append('\n');
        var sweep = context.Results.Sweep;
        Line("## Reproducibility");
        Line();
        Line($"- git commit: {sweep.GitCommit ?? "unknown (not run from a git checkout)"}");
        foreach (var (name, version) in sweep.Versions)
        {
            Line($"- {name}: {version}");
        }

        Line($"- host: {sweep.Host ?? ReportText.Dash}");
        Line($"- devices: {(sweep.Devices.Count == 0 ? ReportText.Dash : string.Join(", ", sweep.Devices))}");
        var total = context.Results.Trials.Sum(t => t.DurationS ?? 0);
        Line($"- trial run time, summed over trials: {ReportText.Duration(total)} (each trial's in the Trials table)");
        Line();
        Line("### Sweep file (sweep.yaml, verbatim)");
        Line();
        if (context.Results.SweepFile is { } file)
        {
            var fence = file.Contains("```", StringComparison.Ordinal) ? "~~~~" : "```";
            Line(fence + "yaml");
            md.Append(file);
            if (!file.EndsWith('\n'))
            {
                Line();
            }

            Line(fence);
        }
        else
        {
            Line("sweep.yaml is missing from the sweep folder.");
        }

        Line();
        Line("### Recipes");
        Line();
        foreach (var (method, recipe, trials) in context.Recipes)
        {
            Line($"{SweepAnalysis.DisplayName(method)} ({trials.Count.ToString(Inv)} trial(s)):");
            Line();
            Line("```json");
            Line(recipe);
            Line("```");
            Line();
        }

        if (context.Recipes.Count == 0)
        {
            Line("No trial has finished yet, so no recipe is recorded.");
        }
    }

    /// <summary>Text for a Markdown table cell: pipes escaped, line breaks flattened.</summary>
    private static string Cell(string text) =>
        text.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("|", "\\|", StringComparison.Ordinal)
            .Replace("\r", "", StringComparison.Ordinal).Replace("\n", " ", StringComparison.Ordinal);
}
