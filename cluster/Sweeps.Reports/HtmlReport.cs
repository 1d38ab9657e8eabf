using System.Globalization;
using System.Text;
using System.Xml;
using System.Xml.Linq;

namespace Sweeps.Reports;

/// <summary>report.html: one self-contained XHTML-compatible page (well-formed XML, served as HTML): inline CSS and
/// inline SVG charts, no scripts, no external resources.</summary>
internal static class HtmlReport
{
    public static readonly XNamespace Ns = "http://www.w3.org/1999/xhtml";

    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    /// <summary>HTML elements that have no end tag.</summary>
    private static readonly HashSet<string> VoidElements = new(["meta", "br", "hr", "img", "col", "input", "link"], StringComparer.Ordinal);

    // No '<', '>' or '&' in the style sheet: it is XML text here and raw text to an HTML parser.
    private const string Css = """
        body { font-family: system-ui, -apple-system, 'Segoe UI', Roboto, Arial, sans-serif; margin: 24px; color: #1a1a1a; max-width: 1400px; }
        h1 { font-size: 26px; margin-bottom: 4px; }
        h2 { font-size: 21px; margin-top: 36px; border-bottom: 2px solid #ddd; padding-bottom: 4px; }
        h3 { font-size: 16px; margin-top: 22px; }
        table { border-collapse: collapse; margin: 8px 0 12px 0; font-size: 13px; }
        th, td { border: 1px solid #c8c8c8; padding: 4px 8px; text-align: left; vertical-align: top; }
        th { background: #f1f1f1; }
        td.num { text-align: right; white-space: nowrap; }
        td.best { background: #dff3df; font-weight: bold; }
        tr.fp td { font-style: italic; background: #f7f7f7; }
        tr.failed td, tr.cancelled td { background: #fde2e2; }
        tr.running td, tr.pending td { background: #fff5d6; }
        .seeds { color: #666; font-weight: normal; font-size: 12px; }
        .missing { color: #b00020; font-size: 12px; }
        .note { background: #f5f8ff; border-left: 4px solid #4a6fd1; padding: 8px 12px; }
        .warning { background: #fff1f0; border-left: 4px solid #d62728; padding: 8px 12px; }
        pre { background: #f6f6f6; border: 1px solid #ddd; padding: 8px; overflow-x: auto; font-size: 12px; }
        svg.chart { display: block; margin: 8px 0 16px 0; font-family: system-ui, Arial, sans-serif; }
        .error { color: #b00020; }
        #trial-table td:first-child, #unfinished-trials td:first-child { white-space: nowrap; }
        """;

    public static string Render(ReportContext context)
    {
        var sweep = context.Results.Sweep;
        var body = E("body",
            E("h1", $"Sweep report: {sweep.Name}"),
            E("p",
                "Sweep file ", E("code", sweep.File ?? "sweep.yaml"), ", status ", E("strong", sweep.Status ?? "unknown"),
                $", started {sweep.StartedAt ?? ReportText.Dash}, finished {sweep.FinishedAt ?? ReportText.Dash}. {context.Summary}. "
                + $"Report generated {context.GeneratedAt.ToString("yyyy-MM-dd HH:mm:ss", Inv)}Z."));
        if (sweep.Status is "running" or null)
        {
            body.Add(E("p", A("class", "warning"), E("strong", "This sweep has not finished"), ": the tables count the trials completed so far."));
        }

        body.Add(E("p", A("class", "note"), A("id", "accuracy-choice"), A("data-accuracy", ReportText.AccuracyOption(context.Metric)),
            E("strong", $"Accuracy shown: {ReportText.AccuracyName(context.Metric)}."), " " + ReportText.AccuracyExplanation(context.Metric)));

        body.Add(E("h2", A("id", "unfinished"), "Failed and unfinished trials"));
        if (context.Unfinished.Count == 0)
        {
            body.Add(E("p", "None: every trial completed."));
        }
        else
        {
            var table = E("table", A("id", "unfinished-trials"), E("tr", E("th", "trial"), E("th", "status"), E("th", "epochs"), E("th", "error / state")));
            foreach (var t in context.Unfinished)
            {
                table.Add(E("tr", A("class", t.Status), A("data-trial", t.Id),
                    E("td", t.Id), E("td", t.Status), E("td", ReportText.Epochs(t)), E("td", A("class", "error"), ReportText.Problem(t))));
            }

            body.Add(table);
        }

        foreach (var group in context.Groups)
        {
            RenderGroup(body, group, context);
        }

        body.Add(E("h2", A("id", "reconstructions"), "Reconstructions"));
        var reconstructed = context.ReconstructedMethods;
        body.Add(E("p", reconstructed.Count == 0
            ? "This sweep ran no reconstructed method."
            : $"{ReportText.Dagger} Reconstructed methods in this sweep: {string.Join(", ", reconstructed.Select(SweepAnalysis.DisplayName))}. "
              + "These are our reconstruction from the papers' abstracts and their parent methods."));
        body.Add(E("p", ReportText.ReconstructionNote));

        RenderTrials(body, context);
        RenderCurves(body, context);
        RenderReproducibility(body, context);

        var html = E("html", A("lang", "en"),
            E("head",
                E("meta", A("charset", "utf-8")),
                E("meta", A("name", "viewport"), A("content", "width=device-width, initial-scale=1")),
                E("title", $"Sweep report: {sweep.Name}"),
                E("style", Css)),
            body);
        return Serialize(html);
    }

    private static void RenderGroup(XElement body, GroupSummary group, ReportContext context)
    {
        body.Add(E("h2", A("id", $"group-{group.Key}"), $"{group.Model} on {group.Dataset}"));
        body.Add(E("p", group.Fp is { N: > 0 } fp
            ? $"FP teacher (32-bit): {ReportText.CellValue(fp)} ({ReportText.CellSeeds(fp)})."
            : "FP teacher: no completed FP trial" + (group.Fp is null ? " in this sweep." : $" ({ReportText.CellMissing(group.Fp)}).")));
        foreach (var source in ReportText.TeacherSources(group.Fp))
        {
            body.Add(E("p", A("class", "teacher-source"), source));
        }

        body.Add(E("h3", $"Test top-1 (%, {ReportText.AccuracyOption(context.Metric)})"));
        var table = E("table", A("class", "accuracy"), A("id", $"accuracy-{group.Key}"), HeaderRow(group));
        if (group.Fp is { } teacher)
        {
            table.Add(E("tr", A("class", "fp"), A("data-method", "fp"),
                E("th", "FP teacher (32-bit)"),
                E("td", A("class", "num"), A("colspan", Math.Max(1, group.Columns.Count)), A("data-bits", "FP32"),
                    teacher.N > 0 ? ReportText.CellValue(teacher) : ReportText.Dash, " ",
                    E("span", A("class", "seeds"), ReportText.CellSeeds(teacher)))));
        }

        foreach (var method in group.Methods)
        {
            var row = E("tr", A("data-method", method), E("th", ReportContext.RowLabel(method)));
            foreach (var bits in group.Columns)
            {
                if (group.Cell(method, bits) is not { } cell)
                {
                    row.Add(E("td", A("data-bits", bits.Label), "not in sweep"));
                    continue;
                }

                var best = group.IsBest(method, bits);
                var td = E("td", A("class", best ? "num best" : "num"), A("data-bits", bits.Label), A("data-n", cell.N),
                    E("span", A("class", "value"), ReportText.CellValue(cell)), " ", E("span", A("class", "seeds"), ReportText.CellSeeds(cell)));
                if (best)
                {
                    td.Add(A("title", "best quantized method in this column"));
                }

                var missing = ReportText.CellMissing(cell);
                if (missing.Length > 0)
                {
                    td.Add(E("br"), E("span", A("class", "missing"), missing));
                }

                row.Add(td);
            }

            table.Add(row);
        }

        body.Add(table);
        body.Add(E("p", "Green, bold: best quantized method in the column (highest mean). ", ReportText.Dagger + ": our reconstruction (see Reconstructions)."));
        body.Add(ReportCharts.AccuracyVsBits(group, context.Metric));

        body.Add(E("h3", "Difference to the FP teacher (percentage points)"));
        var diff = E("table", A("class", "diff-fp"), A("id", $"diff-fp-{group.Key}"), HeaderRow(group));
        foreach (var method in group.Methods)
        {
            var row = E("tr", A("data-method", method), E("th", ReportContext.RowLabel(method)));
            foreach (var bits in group.Columns)
            {
                row.Add(E("td", A("class", "num"), A("data-bits", bits.Label),
                    group.DifferenceToFp(method, bits) is { } d ? ReportText.Points(d) : ReportText.Dash));
            }

            diff.Add(row);
        }

        body.Add(diff);

        if (group.VsQat.Count > 0)
        {
            body.Add(E("h3", "Against plain QAT (paired over seeds)"));
            body.Add(E("p", "Mean difference (method - QAT) over the seeds both completed, its 95 % confidence interval, and a two-sided "
                + "paired t-test at 95 % (Student t with n - 1 degrees of freedom). \"within noise\": |t| is below t(0.975; n - 1)."));
            var vs = E("table", A("class", "vs-qat"), A("id", $"vs-qat-{group.Key}"), HeaderRow(group));
            foreach (var method in group.Methods.Where(m => m != "qat"))
            {
                var row = E("tr", A("data-method", method), E("th", ReportContext.RowLabel(method)));
                foreach (var bits in group.Columns)
                {
                    if (group.VsQat.TryGetValue((method, bits), out var c))
                    {
                        row.Add(E("td", A("data-bits", bits.Label), A("data-verdict", ReportText.Verdict(c)), ReportText.VsQat(c)));
                    }
                    else
                    {
                        row.Add(E("td", A("data-bits", bits.Label), ReportText.Dash));
                    }
                }

                vs.Add(row);
            }

            body.Add(vs);
        }

        body.Add(E("h3", "Model size vs accuracy"));
        body.Add(ReportCharts.SizeVsAccuracy(group));
    }

    private static XElement HeaderRow(GroupSummary group)
    {
        var header = E("tr", E("th", "method"));
        foreach (var bits in group.Columns)
        {
            header.Add(E("th", bits.Label));
        }

        return header;
    }

    private static void RenderTrials(XElement body, ReportContext context)
    {
        body.Add(E("h2", A("id", "trials"), "Trials"));
        var table = E("table", A("id", "trial-table"), E("tr",
            new[] { "trial", "method", "bits", "quantizer", "seed", "status", "epochs", "best", "last", "mean5", "size", "device", "run time", "error" }
                .Select(h => E("th", h))));
        foreach (var t in context.Results.Trials)
        {
            table.Add(E("tr", A("class", t.Status), A("data-trial", t.Id),
                E("td", t.Id), E("td", t.Method), E("td", ReportText.Bits(t)), E("td", ReportText.Quantizer(t)), E("td", A("class", "num"), t.Seed.ToString(Inv)),
                E("td", t.Status), E("td", A("class", "num"), ReportText.Epochs(t)),
                E("td", A("class", "num"), ReportText.OptionalPercent(t.BestTop1)),
                E("td", A("class", "num"), ReportText.OptionalPercent(t.LastTop1)),
                E("td", A("class", "num"), ReportText.OptionalPercent(t.MeanLast5Top1)),
                E("td", A("class", "num"), t.ModelSizeBits is { } s ? ReportText.ModelSize(s) : ReportText.Dash),
                E("td", t.Device ?? ReportText.Dash),
                E("td", A("class", "num"), ReportText.Duration(t.DurationS)),
                E("td", A("class", "error"), t.Status == "completed" ? t.Error ?? "" : ReportText.Problem(t))));
        }

        body.Add(table);
    }

    private static void RenderCurves(XElement body, ReportContext context)
    {
        body.Add(E("h2", A("id", "curves"), "Training curves"));
        body.Add(E("p", "Per trial, from its metrics.jsonl: the training loss and each loss term per epoch (left), test top-1 "
            + "(and train top-1, dashed) per epoch (right)."));
        foreach (var t in context.Results.Trials)
        {
            var curves = context.Results.Curves[t.Id];
            body.Add(E("h3", A("id", $"curves-{t.Id}"), $"{t.Id} ({t.Status})"));
            if (curves.SkippedLines > 0)
            {
                body.Add(E("p", A("class", "missing"), $"{curves.SkippedLines.ToString(Inv)} unreadable line(s) of {curves.Path} skipped."));
            }

            if (!curves.Exists || curves.Points.Count == 0)
            {
                body.Add(E("p", curves.Exists ? "No epoch recorded yet." : $"No metrics.jsonl yet ({curves.Path})."));
                continue;
            }

            body.Add(ReportCharts.Curves(t, curves));
        }
    }

    private static void RenderReproducibility(XElement body, ReportContext context)
    {
        var sweep = context.Results.Sweep;
        body.Add(E("h2", A("id", "reproducibility"), "Reproducibility"));
        var table = E("table", A("id", "environment"),
            E("tr", E("th", "git commit"), E("td", sweep.GitCommit ?? "unknown (not run from a git checkout)")));
        foreach (var (name, version) in sweep.Versions)
        {
            table.Add(E("tr", E("th", name), E("td", version)));
        }

        table.Add(E("tr", E("th", "host"), E("td", sweep.Host ?? ReportText.Dash)));
        table.Add(E("tr", E("th", "devices"), E("td", sweep.Devices.Count == 0 ? ReportText.Dash : string.Join(", ", sweep.Devices))));
        table.Add(E("tr", E("th", "trial run time (sum)"), E("td", ReportText.Duration(context.Results.Trials.Sum(t => t.DurationS ?? 0)) + " (each trial's in the Trials table)")));
        body.Add(table);

        body.Add(E("h3", "Sweep file (sweep.yaml, verbatim)"));
        body.Add(context.Results.SweepFile is { } file
            ? E("pre", A("id", "sweep-file"), file)
            : E("p", "sweep.yaml is missing from the sweep folder."));

        body.Add(E("h3", "Recipes"));
        if (context.Recipes.Count == 0)
        {
            body.Add(E("p", "No trial has finished yet, so no recipe is recorded."));
        }

        foreach (var (method, recipe, trials) in context.Recipes)
        {
            body.Add(E("p", E("strong", SweepAnalysis.DisplayName(method)), $" ({trials.Count.ToString(Inv)} trial(s))"));
            body.Add(E("pre", A("class", "recipe"), A("data-method", method), recipe));
        }
    }

    private static XElement E(string name, params object?[] content) => new(Ns + name, content);

    private static XAttribute A(string name, object value) => new(name, Convert.ToString(value, Inv) ?? "");

    /// <summary>Writes the document so that both an XML parser and an HTML parser read it the same way: an HTML5
    /// doctype, no XML declaration, explicit end tags on every non-void HTML element.</summary>
    private static string Serialize(XElement html)
    {
        foreach (var element in html.DescendantsAndSelf().Where(e => e.Name.Namespace == Ns && e.IsEmpty && !VoidElements.Contains(e.Name.LocalName)).ToList())
        {
            element.Value = string.Empty;
        }

        var text = new StringBuilder("<!DOCTYPE html>\n");
        var settings = new XmlWriterSettings { OmitXmlDeclaration = true, Indent = false, NewLineHandling = NewLineHandling.None };
        using (var writer = XmlWriter.Create(text, settings))
        {
            html.WriteTo(writer);
        }

        text.Append('\n');
        return text.ToString();
    }
}
