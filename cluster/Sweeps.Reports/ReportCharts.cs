using System.Globalization;
using System.Xml.Linq;

namespace Sweeps.Reports;

/// <summary>The report's three kinds of chart, as inline SVG. Accuracies are plotted in percent.</summary>
internal static class ReportCharts
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    /// <summary>Accuracy vs bit-width: one line per method through its cell means, error bars of one sample standard
    /// deviation (cells with two or more seeds), and the FP teacher as a dashed horizontal line.</summary>
    public static XElement AccuracyVsBits(GroupSummary group, AccuracyMetric metric)
    {
        const double width = 760, height = 380, left = 70, top = 20, plotWidth = 500, plotHeight = 300;
        var values = new List<double>();
        foreach (var cell in group.Cells.Values.Where(c => c.N > 0))
        {
            values.Add(cell.Mean * 100);
            if (cell.N >= 2)
            {
                values.Add((cell.Mean - cell.Sd) * 100);
                values.Add((cell.Mean + cell.Sd) * 100);
            }
        }

        if (group.Fp is { N: > 0 } fp)
        {
            values.Add(fp.Mean * 100);
        }

        var x = Axis.Category(group.Columns.Count, left, left + plotWidth);
        var y = Axis.Linear(values, top + plotHeight, top);
        var svg = Svg.Root("accuracy-vs-bits", width, height, $"{group.Model} on {group.Dataset}: test top-1 vs bit-width");
        var plot = Svg.Plot(x, y, "bit-width", $"test top-1 (%, {ReportText.AccuracyOption(metric)})",
            t => group.Columns[(int)Math.Floor(t)].Label, t => t.ToString("0.##", Inv));
        svg.Add(plot);
        if (group.Fp is { N: > 0 } teacher)
        {
            plot.Add(Svg.Reference(x, y, teacher.Mean * 100, $"FP {ReportText.Percent(teacher.Mean)}"));
        }

        var legend = new List<(string, string, bool)>();
        foreach (var method in group.Methods)
        {
            var color = Svg.MethodColor(method);
            var points = new List<(double X, double Y)>();
            for (var i = 0; i < group.Columns.Count; i++)
            {
                if (group.Cell(method, group.Columns[i]) is { N: > 0 } cell)
                {
                    points.Add((i + 0.5, cell.Mean * 100));
                }
            }

            if (points.Count == 0)
            {
                continue;
            }

            legend.Add((SweepAnalysis.DisplayName(method), color, false));
            plot.Add(Svg.Line(x, y, points, method, color));
            for (var i = 0; i < group.Columns.Count; i++)
            {
                if (group.Cell(method, group.Columns[i]) is { N: > 0 } cell)
                {
                    if (cell.N >= 2)
                    {
                        plot.Add(Svg.ErrorBar(x, y, i + 0.5, cell.Mean * 100, cell.Sd * 100, method, color));
                    }

                    plot.Add(Svg.Point(x, y, i + 0.5, cell.Mean * 100, method, color, group.Columns[i].Label));
                }
            }
        }

        if (group.Fp is { N: > 0 })
        {
            legend.Add(("FP teacher", "#000000", true));
        }

        svg.Add(Svg.Legend(left + plotWidth + 30, top + 10, legend));
        return svg;
    }

    /// <summary>Model size (log scale) vs accuracy: one point per method and bit-width (mean over seeds), FP included.</summary>
    public static XElement SizeVsAccuracy(GroupSummary group)
    {
        const double width = 760, height = 380, left = 70, top = 20, plotWidth = 500, plotHeight = 300;
        var cells = group.Methods.SelectMany(m => group.Columns.Select(b => group.Cell(m, b)))
            .Where(c => c is { N: > 0, ModelSizeBits: not null }).Select(c => c!).ToList();
        if (group.Fp is { N: > 0, ModelSizeBits: not null } fp)
        {
            cells.Insert(0, fp);
        }

        var x = Axis.Log(cells.Select(c => c.ModelSizeBits!.Value / 8000), left, left + plotWidth);
        var y = Axis.Linear(cells.Select(c => c.Mean * 100), top + plotHeight, top);
        var svg = Svg.Root("size-vs-accuracy", width, height, $"{group.Model} on {group.Dataset}: model size vs test top-1");
        var plot = Svg.Plot(x, y, "model size (kB, log scale; weights x bit-width)", "test top-1 (%)",
            t => t.ToString("0.###", Inv), t => t.ToString("0.##", Inv));
        svg.Add(plot);
        foreach (var cell in cells)
        {
            var color = Svg.MethodColor(cell.Method);
            var px = cell.ModelSizeBits!.Value / 8000;
            plot.Add(Svg.Point(x, y, px, cell.Mean * 100, cell.Method, color, cell.Bits.Label, 5));
            plot.Add(Svg.E("text", Svg.A("x", x.Map(px) + 7), Svg.A("y", y.Map(cell.Mean * 100) - 6), Svg.A("font-size", 10), Svg.A("fill", color), cell.Bits.Label));
        }

        var methods = SweepAnalysis.OrderMethods(cells.Select(c => c.Method));
        svg.Add(Svg.Legend(left + plotWidth + 30, top + 10, methods.Select(m => (m == "fp" ? "FP teacher" : SweepAnalysis.DisplayName(m), Svg.MethodColor(m), false))));
        return svg;
    }

    /// <summary>A trial's training curves: the loss terms (and the total) per epoch on the left, test (and train) top-1
    /// per epoch on the right.</summary>
    public static XElement Curves(TrialRecord trial, TrialCurves curves)
    {
        const double width = 1000, height = 250, top = 15, plotWidth = 300, plotHeight = 180;
        var points = curves.Points;
        var svg = Svg.Root("curves", width, height, $"{trial.Id}: training curves");
        svg.Add(Svg.A("data-trial", trial.Id));
        var epochs = points.Select(p => (double)p.Epoch).ToList();
        epochs.Add(1);

        // Loss panel.
        var lossSeries = new List<(string Name, List<(double, double)> Points)>();
        var total = points.Where(p => p.TrainLoss is not null).Select(p => ((double)p.Epoch, p.TrainLoss!.Value)).ToList();
        var termNames = points.SelectMany(p => p.LossTerms.Select(t => t.Key)).Distinct(StringComparer.Ordinal).ToList();
        if (total.Count > 0)
        {
            lossSeries.Add(("train_loss", total));
        }

        foreach (var name in termNames)
        {
            var series = points.SelectMany(p => p.LossTerms.Where(t => t.Key == name).Select(t => ((double)p.Epoch, t.Value))).ToList();
            lossSeries.Add(($"loss_terms.{name}", series));
        }

        var x1 = Axis.Linear(epochs, 70, 70 + plotWidth);
        var y1 = Axis.Linear(lossSeries.SelectMany(s => s.Points.Select(p => p.Item2)), top + plotHeight, top, includeZero: true);
        var lossPlot = Svg.Plot(x1, y1, "epoch", "loss", t => t.ToString("0.##", Inv), t => t.ToString("0.###", Inv));
        lossPlot.Add(Svg.A("data-panel", "loss"));
        svg.Add(lossPlot);
        var legend = new List<(string, string, bool)>();
        for (var i = 0; i < lossSeries.Count; i++)
        {
            var (name, series) = lossSeries[i];
            var color = Svg.SeriesColor(i);
            lossPlot.Add(Svg.Line(x1, y1, series, name, color, dashed: i > 0));
            foreach (var (ex, ey) in series)
            {
                lossPlot.Add(Svg.Point(x1, y1, ex, ey, name, color, radius: 2.5));
            }

            legend.Add((name, color, i > 0));
        }

        // Accuracy panel.
        var test = points.Where(p => p.TestTop1 is not null).Select(p => ((double)p.Epoch, p.TestTop1!.Value * 100)).ToList();
        var train = points.Where(p => p.TrainTop1 is not null).Select(p => ((double)p.Epoch, p.TrainTop1!.Value * 100)).ToList();
        var x2 = Axis.Linear(epochs, 470, 470 + plotWidth);
        var y2 = Axis.Linear(test.Concat(train).Select(p => p.Item2), top + plotHeight, top);
        var accPlot = Svg.Plot(x2, y2, "epoch", "top-1 (%)", t => t.ToString("0.##", Inv), t => t.ToString("0.##", Inv));
        accPlot.Add(Svg.A("data-panel", "accuracy"));
        svg.Add(accPlot);
        const string testColor = "#000000";
        if (test.Count > 0)
        {
            accPlot.Add(Svg.Line(x2, y2, test, "test_top1", testColor));
            foreach (var (ex, ey) in test)
            {
                accPlot.Add(Svg.Point(x2, y2, ex, ey, "test_top1", testColor, radius: 2.5));
            }

            legend.Add(("test_top1", testColor, false));
        }

        if (train.Count > 0)
        {
            accPlot.Add(Svg.Line(x2, y2, train, "train_top1", "#7f7f7f", dashed: true));
            legend.Add(("train_top1", "#7f7f7f", true));
        }

        svg.Add(Svg.Legend(790, top + 10, legend.Take(8)));
        return svg;
    }
}
