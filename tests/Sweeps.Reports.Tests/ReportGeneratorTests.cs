using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using static Sweeps.Reports.Tests.ReportDocuments;

namespace Sweeps.Reports.Tests;

/// <summary>The report's numbers against those recomputed from results.json, its structure, and bad input.</summary>
public sealed partial class ReportGeneratorTests : IDisposable
{
    private static readonly string[] ResnetMethods = ["qat", "sqakd", "mec-quant", "fpq", "cr"];
    private readonly FixtureSweep _sweep = new FixtureSweep().WriteDefault();

    public void Dispose() => _sweep.Dispose();

    [GeneratedRegex(@"^(?<bold>\*\*)?(?<value>\d+\.\d\d(?: \u00b1 \d+\.\d\d)?)(?:\*\*)? \((?<seeds>n=\d+(?: of \d+)?)(?:; (?<missing>[^)]*))?\)$")]
    private static partial Regex MarkdownCell();

    [Theory]
    [InlineData("mean5")]
    [InlineData("last")]
    [InlineData("best")]
    public void Write_Fixture_MarkdownAccuracyTableEqualsRecomputedValues(string metric)
    {
        var files = ReportGenerator.Write(_sweep.Directory, new ReportOptions { Accuracy = Metric(metric) });
        var markdown = File.ReadAllText(files.Markdown);
        var expected = new Expected(_sweep.ResultsJson);
        var checkedCells = 0;
        foreach (var (model, methods, bits) in Groups())
        {
            var table = MarkdownTable(markdown, $"## {model} on fashion-mnist", "### Test top-1");
            foreach (var method in methods)
            {
                foreach (var w in bits)
                {
                    var text = table[RowLabels[method]][$"W{w}A{w}"];
                    var match = MarkdownCell().Match(text);
                    if (expected.Values(model, method, w, metric).Count == 0)
                    {
                        Assert.StartsWith("\u2014", text, StringComparison.Ordinal);
                        continue;
                    }

                    Assert.True(match.Success, $"{model} {method} W{w}: cell '{text}' has not the form 'mean \u00b1 sd (n=...)'");
                    Assert.Equal(expected.Cell(model, method, w, metric), match.Groups["value"].Value);
                    Assert.Equal(expected.Seeds(model, method, w, metric), match.Groups["seeds"].Value);
                    Assert.Equal(expected.Best(model, methods, w, metric).Contains(method), match.Groups["bold"].Success);
                    checkedCells++;
                }
            }

            var fp = table[RowLabels["fp"]].Values.First();
            Assert.Equal($"*{expected.Cell(model, "fp", 32, metric)} ({expected.Seeds(model, "fp", 32, metric)})*", fp);
            var diff = MarkdownTable(markdown, $"## {model} on fashion-mnist", "### Difference to the FP teacher");
            foreach (var method in methods)
            {
                foreach (var w in bits)
                {
                    Assert.Equal(expected.DiffToFp(model, method, w, metric), diff[RowLabels[method]][$"W{w}A{w}"]);
                }
            }
        }

        Assert.Equal(12, checkedCells);
        Assert.Contains($"Accuracy shown: {AccuracyWords(metric)}", markdown, StringComparison.Ordinal);
    }

    [Fact]
    public void Write_DefaultOptions_ShowsTheLastEpochForEveryRowAndSaysWhy()
    {
        var files = ReportGenerator.Write(_sweep.Directory);
        var markdown = File.ReadAllText(files.Markdown);
        var expected = new Expected(_sweep.ResultsJson);
        var table = MarkdownTable(markdown, "## resnet20 on fashion-mnist", "### Test top-1");
        Assert.Equal($"*{expected.Cell("resnet20", "fp", 32, "last")} ({expected.Seeds("resnet20", "fp", 32, "last")})*", table[RowLabels["fp"]].Values.First());
        Assert.NotEqual(expected.Cell("resnet20", "fp", 32, "last"), expected.Cell("resnet20", "fp", 32, "mean5"));
        foreach (var method in ResnetMethods)
        {
            Assert.StartsWith(expected.Cell("resnet20", method, 4, "last"), table[RowLabels[method]]["W4A4"].TrimStart('*'), StringComparison.Ordinal);
        }

        Assert.Contains("### Test top-1 (%, last)", markdown, StringComparison.Ordinal);
        Assert.Contains("**Accuracy shown: the test top-1 after the last epoch (last_top1), that is of the final model.** ", markdown, StringComparison.Ordinal);
        Assert.Contains("The same definition for every row, the FP teacher's included", markdown, StringComparison.Ordinal);
        Assert.Contains("It replaces the mean of the last 5 epochs as the default", markdown, StringComparison.Ordinal);
        Assert.Contains("It replaces the mean of the last 5 epochs as the default", File.ReadAllText(files.Html), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("mean5")]
    [InlineData("best")]
    public void Write_Fixture_HtmlAccuracyTableEqualsRecomputedValues(string metric)
    {
        var files = ReportGenerator.Write(_sweep.Directory, new ReportOptions { Accuracy = Metric(metric) });
        var html = Html(files.Html);
        var expected = new Expected(_sweep.ResultsJson);
        foreach (var (model, methods, bits) in Groups())
        {
            var table = ById(html, $"accuracy-{model}-fashion-mnist");
            var diff = ById(html, $"diff-fp-{model}-fashion-mnist");
            foreach (var method in methods)
            {
                foreach (var w in bits)
                {
                    var cell = HtmlCell(table, method, $"W{w}A{w}");
                    var value = cell.Descendants(H + "span").SingleOrDefault(s => (string?)s.Attribute("class") == "value");
                    Assert.NotNull(value);
                    Assert.Equal(expected.Cell(model, method, w, metric), Text(value));
                    Assert.Equal(expected.Seeds(model, method, w, metric), Text(cell.Descendants(H + "span").Single(s => (string?)s.Attribute("class") == "seeds")));
                    var isBest = ((string?)cell.Attribute("class") ?? "").Split(' ').Contains("best");
                    Assert.Equal(expected.Values(model, method, w, metric).Count > 0 && expected.Best(model, methods, w, metric).Contains(method), isBest);
                    Assert.Equal(expected.DiffToFp(model, method, w, metric), Text(HtmlCell(diff, method, $"W{w}A{w}")));
                }
            }

            var fpRow = table.Elements(H + "tr").Single(r => (string?)r.Attribute("data-method") == "fp");
            Assert.StartsWith(expected.Cell(model, "fp", 32, metric) + " ", Text(fpRow.Elements(H + "td").Single()), StringComparison.Ordinal);
        }

        Assert.Equal(ReportTextOption(metric), (string?)ById(html, "accuracy-choice").Attribute("data-accuracy"));
        Assert.Contains($"Accuracy shown: {AccuracyWords(metric)}", Text(ById(html, "accuracy-choice")), StringComparison.Ordinal);
    }

    [Fact]
    public void Write_Fixture_PairedTestAgainstQatMatchesHandCalculation()
    {
        // The fixture's differences are constructed on the mean of the last 5 epochs.
        var files = ReportGenerator.Write(_sweep.Directory, new ReportOptions { Accuracy = AccuracyMetric.MeanLast5 });
        var html = Html(files.Html);
        var markdown = File.ReadAllText(files.Markdown);
        var expected = new Expected(_sweep.ResultsJson);
        var vs = ById(html, "vs-qat-resnet20-fashion-mnist");
        var vsMd = MarkdownTable(markdown, "## resnet20 on fashion-mnist", "### Against plain QAT");

        // SQAKD at W2A2: differences 2.0, 2.1, 1.9 pp by construction: mean 2.0, sd 0.1, t = 2.0 / (0.1 / sqrt 3) = 34.64,
        // far beyond t(0.975; 2) = 4.303 (published t table).
        var d = expected.PairedDifferences("resnet20", "sqakd", 2, "mean5");
        Assert.Equal(3, d.Count);
        var t = Expected.Mean(d) / (Expected.Sd(d) / Math.Sqrt(3));
        Assert.Equal(34.64, t, 0.01);
        var sqakd = Text(HtmlCell(vs, "sqakd", "W2A2"));
        var half = 4.303 * Expected.Sd(d) / Math.Sqrt(3);
        Assert.StartsWith($"+{Expected.Pct(Expected.Mean(d))} pp [+{Expected.Pct(Expected.Mean(d) - half)}, +{Expected.Pct(Expected.Mean(d) + half)}], t=34.64, df=2, p<0.001: better, beyond noise", sqakd, StringComparison.Ordinal);
        Assert.Equal(sqakd, vsMd["SQAKD"]["W2A2"]);

        // FPQ at W2A2: differences 1.0, -1.2, 0.3 pp: t = 0.033 / (1.124 / sqrt 3) = 0.05, within noise.
        var f = expected.PairedDifferences("resnet20", "fpq", 2, "mean5");
        var tf = Expected.Mean(f) / (Expected.Sd(f) / Math.Sqrt(3));
        Assert.True(Math.Abs(tf) < 4.303);
        var fpq = Text(HtmlCell(vs, "fpq", "W2A2"));
        Assert.Contains($"t={tf.ToString("F2", CultureInfo.InvariantCulture)}, df=2", fpq, StringComparison.Ordinal);
        Assert.EndsWith("within noise", fpq, StringComparison.Ordinal);
        Assert.Equal("within noise", (string?)HtmlCell(vs, "fpq", "W2A2").Attribute("data-verdict"));

        // CR at W4A4 lost seed 2 (failed): paired over the two seeds both completed, df = 1, t(0.975; 1) = 12.706.
        Assert.Contains("df=1", Text(HtmlCell(vs, "cr", "W4A4")), StringComparison.Ordinal);

        // One seed (vgg8): no test, said so.
        var vgg = Text(HtmlCell(ById(html, "vs-qat-vgg8-fashion-mnist"), "sqakd", "W4A4"));
        Assert.EndsWith("(1 seed: no test)", vgg, StringComparison.Ordinal);
    }

    [Fact]
    public void Write_Fixture_FailedAndUnfinishedTrialsListedWithTheirErrors()
    {
        var files = ReportGenerator.Write(_sweep.Directory, ReportOptions.Default);
        var markdown = File.ReadAllText(files.Markdown);
        var html = Html(files.Html);
        var unfinished = ById(html, "unfinished-trials").Elements(H + "tr").Skip(1)
            .ToDictionary(r => (string)r.Attribute("data-trial")!, r => r.Elements(H + "td").Select(Text).ToList());
        Assert.Equal(4, unfinished.Count);
        Assert.Equal(["failed", FixtureSweep.FailedError], [unfinished["resnet20-fashion-mnist-cr-W4A4-s2"][1], unfinished["resnet20-fashion-mnist-cr-W4A4-s2"][3]]);
        Assert.Equal("still running: epoch 1 of 6 done", unfinished["resnet20-fashion-mnist-mec-quant-W4A4-s1"][3]);
        Assert.Equal("not started yet", unfinished["vgg8-fashion-mnist-qat-W2A2-s0"][3]);
        Assert.Equal(FixtureSweep.CancelledError, unfinished["vgg8-fashion-mnist-sqakd-W2A2-s0"][3]);
        foreach (var id in unfinished.Keys)
        {
            Assert.Contains($"| {id} |", markdown, StringComparison.Ordinal);
        }

        Assert.Contains($"| resnet20-fashion-mnist-cr-W4A4-s2 | failed | 0/6 | {FixtureSweep.FailedError} |", markdown, StringComparison.Ordinal);

        // Every trial is in the trial table, whatever its status.
        Assert.Equal(38, ById(html, "trial-table").Elements(H + "tr").Count() - 1);

        // The cells that lost a seed say so.
        var table = ById(html, "accuracy-resnet20-fashion-mnist");
        Assert.Contains("1 failed", Text(HtmlCell(table, "cr", "W4A4")), StringComparison.Ordinal);
        Assert.Contains("1 running", Text(HtmlCell(table, "mec-quant", "W4A4")), StringComparison.Ordinal);
        var md = MarkdownTable(markdown, "## resnet20 on fashion-mnist", "### Test top-1");
        Assert.EndsWith("(n=2 of 3; 1 failed)", md["CR \u2020"]["W4A4"], StringComparison.Ordinal);
        var vgg = MarkdownTable(markdown, "## vgg8 on fashion-mnist", "### Test top-1");
        Assert.Equal("\u2014 (n=0 of 1; 1 pending)", vgg["QAT"]["W2A2"]);
        Assert.Equal("\u2014 (n=0 of 1; 1 cancelled)", vgg["SQAKD"]["W2A2"]);
    }

    [Fact]
    public void Write_Fixture_HtmlIsWellFormedAndSelfContained()
    {
        var files = ReportGenerator.Write(_sweep.Directory, ReportOptions.Default);
        var text = File.ReadAllText(files.Html);
        Assert.StartsWith("<!DOCTYPE html>\n<html ", text, StringComparison.Ordinal);
        Assert.Contains("xmlns=\"http://www.w3.org/1999/xhtml\"", text[..200], StringComparison.Ordinal);
        var html = Html(files.Html);
        var all = html.Descendants().ToList();
        Assert.DoesNotContain(all, e => e.Name.LocalName is "script" or "link" or "iframe" or "img" or "object" or "embed");
        Assert.DoesNotContain(all.SelectMany(e => e.Attributes()), a => a.Name.LocalName is "src" or "href" || a.Name.LocalName.StartsWith("on", StringComparison.Ordinal));
        Assert.DoesNotContain("url(", text, StringComparison.Ordinal);
        Assert.DoesNotContain("@import", text, StringComparison.Ordinal);

        // An HTML parser reads <div/> as an open tag: every non-void HTML element has an explicit end tag.
        string[] voids = ["meta", "br", "hr", "img", "col", "input", "link"];
        var selfClosed = Regex.Matches(text, @"<([a-z]+)\b[^<>]*/>").Select(m => m.Groups[1].Value)
            .Where(n => !voids.Contains(n) && n is not ("line" or "circle" or "rect" or "polyline" or "path"));
        Assert.Empty(selfClosed);

        // The style sheet has no characters an HTML parser would read differently from an XML one.
        var css = html.Descendants(H + "style").Single().Value;
        Assert.DoesNotContain('<', css);
        Assert.DoesNotContain('>', css);
        Assert.DoesNotContain('&', css);

        // One accuracy chart and one size chart per group, one curves chart per trial with metrics.
        var charts = html.Descendants(S + "svg").Select(s => (string?)s.Attribute("data-chart")).ToList();
        Assert.Equal(2, charts.Count(c => c == "accuracy-vs-bits"));
        Assert.Equal(2, charts.Count(c => c == "size-vs-accuracy"));
        Assert.Equal(35, charts.Count(c => c == "curves"));
    }

    [Fact]
    public void Write_Fixture_AccuracyChartPointsSitAtTheirDataCoordinates()
    {
        var files = ReportGenerator.Write(_sweep.Directory, ReportOptions.Default);
        var html = Html(files.Html);
        var expected = new Expected(_sweep.ResultsJson);
        var chart = html.Descendants(S + "svg").First(s => (string?)s.Attribute("data-chart") == "accuracy-vs-bits");
        var plot = chart.Descendants(S + "g").Single(g => (string?)g.Attribute("class") == "plot");
        var points = plot.Elements(S + "circle").ToList();
        Assert.Equal(10, points.Count);
        string[] columns = ["W2A2", "W4A4"];
        foreach (var method in ResnetMethods)
        {
            for (var i = 0; i < 2; i++)
            {
                var values = expected.Values("resnet20", method, i == 0 ? 2 : 4, "last").Select(v => v.Value * 100).ToList();
                var point = points.Single(p => (string?)p.Attribute("data-series") == method && (string?)p.Attribute("data-label") == columns[i]);
                var (cx, cy) = Position(plot, i + 0.5, Expected.Mean(values));
                Assert.Equal(cx, D(point, "cx"), 0.006);
                Assert.Equal(cy, D(point, "cy"), 0.006);
                Assert.InRange(D(point, "cy"), D(plot, "data-top"), D(plot, "data-top") + D(plot, "data-height"));

                var bar = plot.Elements(S + "g").Single(g => (string?)g.Attribute("class") == "errorbar"
                    && (string?)g.Attribute("data-series") == method && Math.Abs(D(g, "data-x") - (i + 0.5)) < 1e-9);
                var (_, top) = Position(plot, i + 0.5, Expected.Mean(values) + Expected.Sd(values));
                var (_, bottom) = Position(plot, i + 0.5, Expected.Mean(values) - Expected.Sd(values));
                var ys = bar.Elements(S + "line").First().Attributes().Where(a => a.Name.LocalName is "y1" or "y2").Select(a => double.Parse(a.Value, CultureInfo.InvariantCulture)).Order().ToList();
                Assert.Equal(Math.Min(top, bottom), ys[0], 0.006);
                Assert.Equal(Math.Max(top, bottom), ys[1], 0.006);
            }
        }

        var fp = expected.Values("resnet20", "fp", 32, "last").Select(v => v.Value * 100).ToList();
        var reference = plot.Elements(S + "g").Single(g => (string?)g.Attribute("class") == "reference").Element(S + "line")!;
        Assert.Equal(Position(plot, 0, Expected.Mean(fp)).Y, D(reference, "y1"), 0.006);
    }

    [Fact]
    public void Write_Fixture_SizeChartPointsSitAtTheirDataCoordinates()
    {
        var files = ReportGenerator.Write(_sweep.Directory, ReportOptions.Default);
        var html = Html(files.Html);
        var expected = new Expected(_sweep.ResultsJson);
        var chart = html.Descendants(S + "svg").First(s => (string?)s.Attribute("data-chart") == "size-vs-accuracy");
        var plot = chart.Descendants(S + "g").Single(g => (string?)g.Attribute("class") == "plot");
        Assert.Equal("log", (string?)plot.Attribute("data-x-scale"));
        var sqakd = plot.Elements(S + "circle").Single(p => (string?)p.Attribute("data-series") == "sqakd" && (string?)p.Attribute("data-label") == "W2A2");
        var kilobytes = (270000.0 * 2 + 3000 * 8) / 8000;
        var accuracy = Expected.Mean(expected.Values("resnet20", "sqakd", 2, "last").Select(v => v.Value * 100));
        var (cx, cy) = Position(plot, kilobytes, accuracy);
        Assert.Equal(cx, D(sqakd, "cx"), 0.006);
        Assert.Equal(cy, D(sqakd, "cy"), 0.006);
        var fp = plot.Elements(S + "circle").Single(p => (string?)p.Attribute("data-series") == "fp");
        Assert.Equal(Position(plot, 270000.0 * 32 / 8000, 0).X, D(fp, "cx"), 0.006);
        Assert.Equal(11, plot.Elements(S + "circle").Count());
    }

    [Fact]
    public void Write_Fixture_CurvesFollowMetricsJsonl()
    {
        var files = ReportGenerator.Write(_sweep.Directory, ReportOptions.Default);
        var html = Html(files.Html);
        const string id = "resnet20-fashion-mnist-cr-W2A2-s1";
        var chart = html.Descendants(S + "svg").Single(s => (string?)s.Attribute("data-trial") == id);
        var lines = File.ReadAllLines(Path.Combine(_sweep.Directory, "trials", id, "metrics.jsonl")).Select(l => JsonNode.Parse(l)!).ToList();
        Assert.Equal(FixtureSweep.Epochs, lines.Count);

        var accuracy = chart.Elements(S + "g").Single(g => (string?)g.Attribute("data-panel") == "accuracy");
        var test = accuracy.Elements(S + "polyline").Single(p => (string?)p.Attribute("data-series") == "test_top1");
        AssertPolyline(accuracy, test, lines.Select(l => ((double)l["epoch"]!.GetValue<int>(), l["test_top1"]!.GetValue<double>() * 100)).ToList());

        var loss = chart.Elements(S + "g").Single(g => (string?)g.Attribute("data-panel") == "loss");
        foreach (var term in new[] { "ce", "consistency" })
        {
            var line = loss.Elements(S + "polyline").Single(p => (string?)p.Attribute("data-series") == $"loss_terms.{term}");
            AssertPolyline(loss, line, lines.Select(l => ((double)l["epoch"]!.GetValue<int>(), l["loss_terms"]![term]!.GetValue<double>())).ToList());
        }

        var total = loss.Elements(S + "polyline").Single(p => (string?)p.Attribute("data-series") == "train_loss");
        AssertPolyline(loss, total, lines.Select(l => ((double)l["epoch"]!.GetValue<int>(), l["train_loss"]!.GetValue<double>())).ToList());

        // The running trial's curve has its one recorded epoch; trials without metrics.jsonl say so.
        var running = html.Descendants(S + "svg").Single(s => (string?)s.Attribute("data-trial") == "resnet20-fashion-mnist-mec-quant-W4A4-s1");
        Assert.Single(running.Descendants(S + "circle"), c => (string?)c.Attribute("data-series") == "test_top1");
        Assert.Contains("No metrics.jsonl yet", Text(ById(html, "curves-vgg8-fashion-mnist-qat-W2A2-s0").ElementsAfterSelf().First()), StringComparison.Ordinal);
    }

    [Fact]
    public void Write_Fixture_ReproducibilityAndReconstructionSections()
    {
        var files = ReportGenerator.Write(_sweep.Directory, ReportOptions.Default);
        var markdown = File.ReadAllText(files.Markdown);
        var html = Html(files.Html);
        Assert.Equal(FixtureSweep.SweepYaml, ById(html, "sweep-file").Value);
        Assert.Contains("```yaml\n" + FixtureSweep.SweepYaml + "```", markdown, StringComparison.Ordinal);
        var environment = Text(ById(html, "environment"));
        foreach (var expected in new[] { "0123456789abcdef0123456789abcdef01234567", "libtorch1.13.1", "sweeps0.1.0", "dotnet10.0.1", "cpu, cuda:0", "node-1" })
        {
            Assert.Contains(expected, environment, StringComparison.Ordinal);
        }

        Assert.Contains("- git commit: 0123456789abcdef0123456789abcdef01234567", markdown, StringComparison.Ordinal);
        Assert.Contains("- devices: cpu, cuda:0", markdown, StringComparison.Ordinal);
        var recipes = html.Descendants(H + "pre").Where(p => (string?)p.Attribute("class") == "recipe").ToList();
        Assert.Equal(["fp", "qat", "sqakd", "mec-quant", "fpq", "cr"], recipes.Select(r => (string)r.Attribute("data-method")!));
        Assert.Contains("\"optimizer\": \"adam\"", recipes[1].Value, StringComparison.Ordinal);
        Assert.Contains("\"nesterov\": true", recipes[0].Value, StringComparison.Ordinal);

        // Each trial's run time is in the trial table: 30.5 s + seed.
        var row = ById(html, "trial-table").Elements(H + "tr").Single(r => (string?)r.Attribute("data-trial") == "resnet20-fashion-mnist-qat-W2A2-s2");
        Assert.Contains(row.Elements(H + "td"), td => Text(td) == "32.5 s");

        var reconstruction = Text(ById(html, "reconstructions").ElementsAfterSelf().First());
        Assert.Contains("MEC-Quant, FPQ, CR", reconstruction, StringComparison.Ordinal);
        Assert.Contains("our reconstruction from the papers' abstracts and their parent methods", reconstruction, StringComparison.Ordinal);
        Assert.Contains("our reconstruction from the papers' abstracts and their parent methods", markdown, StringComparison.Ordinal);
    }

    [Fact]
    public void Write_Fixture_CsvHasTheContractColumnsAndOneRowPerTrial()
    {
        var files = ReportGenerator.Write(_sweep.Directory, ReportOptions.Default);
        var rows = File.ReadAllText(files.Csv).Split("\r\n", StringSplitOptions.RemoveEmptyEntries).Select(r => r.Split(',')).ToList();
        Assert.Equal(
            "id,method,model,dataset,wbits,abits,seed,quantizer,ewgs_delta,teacher,status,attempts,epochs,epochs_planned,best_top1,best_epoch,last_top1,mean_last5_top1,model_size_bits,device,started_at,finished_at,duration_s,error,source,dir",
            string.Join(",", rows[0]));
        Assert.Equal(39, rows.Count);
        var results = JsonNode.Parse(File.ReadAllText(_sweep.ResultsJson))!["trials"]!.AsArray();
        for (var i = 0; i < results.Count; i++)
        {
            var trial = results[i]!;
            var row = rows[i + 1];
            Assert.Equal((string)trial["id"]!, row[0]);
            Assert.Equal(trial["mean_last5_top1"] is { } m ? m.ToJsonString() : "", row[17]);
            Assert.Equal(trial["error"] is { } e ? (string)e! : "", row[23]);
        }
    }

    [Fact]
    public void Write_RunningSweepWithoutSweepFile_SaysSoAndStillWrites()
    {
        File.Delete(Path.Combine(_sweep.Directory, "sweep.yaml"));
        var json = JsonNode.Parse(File.ReadAllText(_sweep.ResultsJson))!;
        json["sweep"]!["status"] = "running";
        json["sweep"]!["finished_at"] = null;
        File.WriteAllText(_sweep.ResultsJson, json.ToJsonString());
        var files = ReportGenerator.Write(_sweep.Directory, ReportOptions.Default);
        var markdown = File.ReadAllText(files.Markdown);
        Assert.Contains("**This sweep has not finished**", markdown, StringComparison.Ordinal);
        Assert.Contains("sweep.yaml is missing from the sweep folder.", markdown, StringComparison.Ordinal);
        Html(files.Html);
    }

    [Fact]
    public void Write_MissingResultsJson_ErrorNamesTheFileAndWhatWasExpected()
    {
        File.Delete(_sweep.ResultsJson);
        var e = Assert.Throws<ReportException>(() => ReportGenerator.Write(_sweep.Directory, ReportOptions.Default));
        Assert.Contains(_sweep.ResultsJson, e.Message, StringComparison.Ordinal);
        Assert.Contains("not found (expected the sweep's results.json", e.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(_sweep.Directory, "report.html")));
    }

    [Fact]
    public void Write_MissingFolder_ErrorNamesTheFolder()
    {
        var missing = Path.Combine(_sweep.Directory, "nope");
        var e = Assert.Throws<ReportException>(() => ReportGenerator.Write(missing, ReportOptions.Default));
        Assert.Contains($"sweep folder '{missing}' does not exist", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Write_CorruptResultsJson_ErrorNamesTheFileAndTheLine()
    {
        File.WriteAllText(_sweep.ResultsJson, "{\n  \"sweep\": {\"name\": \"x\"},\n  \"trials\": [ {\"id\": \n");
        var e = Assert.Throws<ReportException>(() => ReportGenerator.Write(_sweep.Directory, ReportOptions.Default));
        Assert.StartsWith($"{_sweep.ResultsJson}: not valid JSON at line ", e.Message, StringComparison.Ordinal);
        Assert.Contains("expected an object {\"sweep\": {...}, \"trials\": [...]}", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("wbits", "\"4\"", "trials[1].wbits: expected a number, found string \"4\"")]
    [InlineData("wbits", "40", "trials[1].wbits: expected an integer 1..32, found number 40")]
    [InlineData("best_top1", "81.5", "trials[1].best_top1: expected a fraction 0..1 or null, found 81.5")]
    [InlineData("status", "\"done\"", "trials[1].status: expected one of pending, running, completed, failed, cancelled, found \"done\"")]
    [InlineData("method", null, "trials[1].method: missing (expected a string")]
    public void Write_BadTrialField_ErrorNamesFileFieldAndExpectation(string field, string? value, string message)
    {
        var json = JsonNode.Parse(File.ReadAllText(_sweep.ResultsJson))!;
        var trial = json["trials"]![1]!.AsObject();
        if (value is null)
        {
            trial.Remove(field);
        }
        else
        {
            trial[field] = JsonNode.Parse(value);
        }

        File.WriteAllText(_sweep.ResultsJson, json.ToJsonString());
        var e = Assert.Throws<ReportException>(() => ReportGenerator.Write(_sweep.Directory, ReportOptions.Default));
        Assert.StartsWith($"{_sweep.ResultsJson}: {message}", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Write_TornMetricsLine_IsSkippedAndCounted()
    {
        var path = Path.Combine(_sweep.Directory, "trials", "resnet20-fashion-mnist-mec-quant-W4A4-s1", "metrics.jsonl");
        File.AppendAllText(path, "{\"epoch\": 2, \"test_to");
        var files = ReportGenerator.Write(_sweep.Directory, ReportOptions.Default);
        Assert.Contains("1 unreadable line(s) skipped", File.ReadAllText(files.Markdown), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("empty")]
    [InlineData("fp-only-running")]
    [InlineData("all-pending")]
    [InlineData("no-fp")]
    public void Write_SparseSweep_WritesAParseableReportThatSaysWhatIsMissing(string shape)
    {
        var trials = new JsonArray();
        switch (shape)
        {
            case "fp-only-running":
                trials.Add(_sweep.Trial("resnet20", "fp", 32, 0, "running"));
                break;
            case "all-pending":
                trials.Add(_sweep.Trial("resnet20", "fp", 32, 0, "pending"));
                trials.Add(_sweep.Trial("resnet20", "qat", 2, 0, "pending"));
                break;
            case "no-fp":
                trials.Add(_sweep.Trial("resnet20", "qat", 4, 0, "completed"));
                trials.Add(_sweep.Trial("resnet20", "sqakd", 4, 0, "completed"));
                break;
        }

        var sweep = FixtureSweep.Sweep();
        sweep["status"] = "running";
        _sweep.WriteResults(sweep, trials);
        var files = ReportGenerator.Write(_sweep.Directory, ReportOptions.Default);
        var html = Html(files.Html);
        var markdown = File.ReadAllText(files.Markdown);
        Assert.Contains($"{trials.Count} trials", markdown, StringComparison.Ordinal);
        switch (shape)
        {
            case "empty":
                Assert.Contains("None: every trial completed.", markdown, StringComparison.Ordinal);
                Assert.Contains("No trial has finished yet, so no recipe is recorded.", markdown, StringComparison.Ordinal);
                break;
            case "fp-only-running":
                Assert.Contains("FP teacher: no completed FP trial (1 running).", markdown, StringComparison.Ordinal);
                Assert.Single(html.Descendants(S + "svg"), s => (string?)s.Attribute("data-chart") == "curves");
                break;
            case "all-pending":
                Assert.Equal(2, ById(html, "unfinished-trials").Elements(H + "tr").Count() - 1);
                Assert.Contains("\u2014 (n=0 of 1; 1 pending)", markdown, StringComparison.Ordinal);
                break;
            case "no-fp":
                Assert.Contains("FP teacher: no completed FP trial in this sweep.", markdown, StringComparison.Ordinal);
                Assert.Equal("\u2014", MarkdownTable(markdown, "## resnet20 on fashion-mnist", "### Difference to the FP teacher")["SQAKD"]["W4A4"]);
                break;
        }
    }

    private static (double X, double Y) Position(XElement plot, double x, double y)
    {
        double left = D(plot, "data-left"), top = D(plot, "data-top"), width = D(plot, "data-width"), height = D(plot, "data-height");
        double xMin = D(plot, "data-x-min"), xMax = D(plot, "data-x-max"), yMin = D(plot, "data-y-min"), yMax = D(plot, "data-y-max");
        var f = (string?)plot.Attribute("data-x-scale") == "log" ? (Func<double, double>)Math.Log10 : v => v;
        return (left + width * (f(x) - f(xMin)) / (f(xMax) - f(xMin)), top + height * (yMax - y) / (yMax - yMin));
    }

    private static void AssertPolyline(XElement plot, XElement line, IReadOnlyList<(double X, double Y)> data)
    {
        var points = ((string)line.Attribute("points")!).Split(' ')
            .Select(p => p.Split(',').Select(v => double.Parse(v, CultureInfo.InvariantCulture)).ToArray()).ToList();
        Assert.Equal(data.Count, points.Count);
        for (var i = 0; i < data.Count; i++)
        {
            var (x, y) = Position(plot, data[i].X, data[i].Y);
            Assert.Equal(x, points[i][0], 0.006);
            Assert.Equal(y, points[i][1], 0.006);
        }
    }

    private static double D(XElement element, string attribute) =>
        double.Parse((string)element.Attribute(attribute)!, CultureInfo.InvariantCulture);

    private static AccuracyMetric Metric(string metric) =>
        metric switch { "best" => AccuracyMetric.Best, "last" => AccuracyMetric.Last, _ => AccuracyMetric.MeanLast5 };

    private static string ReportTextOption(string metric) => metric;

    private static string AccuracyWords(string metric) => metric switch
    {
        "best" => "the best test top-1 over the epochs (best_top1)",
        "last" => "the test top-1 after the last epoch (last_top1)",
        _ => "the mean test top-1 of the last 5 epochs",
    };

    private static IEnumerable<(string Model, string[] Methods, int[] Bits)> Groups() =>
    [
        ("resnet20", ResnetMethods, [2, 4]),
        ("vgg8", ["qat", "sqakd"], [2, 4]),
    ];
}
