using System.Globalization;
using System.Text.Json;

namespace Sweeps.Reports.Tests;

/// <summary>The report's numbers recomputed from results.json by the test itself (its own JSON reading, grouping,
/// mean, sample standard deviation and formatting), to compare with what report.md and report.html print.</summary>
internal sealed class Expected
{
    private readonly List<JsonElement> _trials;

    public Expected(string resultsJson)
    {
        using var document = JsonDocument.Parse(File.ReadAllText(resultsJson));
        _trials = document.RootElement.GetProperty("trials").EnumerateArray().Select(t => t.Clone()).ToList();
    }

    public static string Field(string metric) => metric switch { "best" => "best_top1", "last" => "last_top1", _ => "mean_last5_top1" };

    /// <summary>The values counted for a cell: completed trials' chosen accuracy, by seed.</summary>
    public List<(long Seed, double Value)> Values(string model, string method, int wbits, string metric) =>
        _trials.Where(t => t.GetProperty("model").GetString() == model && t.GetProperty("method").GetString() == method
                && t.GetProperty("wbits").GetInt32() == wbits && t.GetProperty("status").GetString() == "completed")
            .Select(t => (t.GetProperty("seed").GetInt64(), t.GetProperty(Field(metric)).GetDouble()))
            .OrderBy(v => v.Item1)
            .ToList();

    public int Planned(string model, string method, int wbits) =>
        _trials.Count(t => t.GetProperty("model").GetString() == model && t.GetProperty("method").GetString() == method
            && t.GetProperty("wbits").GetInt32() == wbits);

    public static double Mean(IEnumerable<double> values) => values.Sum() / values.Count();

    public static double Sd(IReadOnlyList<double> values)
    {
        var m = Mean(values);
        return Math.Sqrt(values.Sum(v => (v - m) * (v - m)) / (values.Count - 1));
    }

    public static string Pct(double fraction) => (fraction * 100).ToString("F2", CultureInfo.InvariantCulture);

    /// <summary>"mean ± sd" or "mean" (one seed), in percent.</summary>
    public string Cell(string model, string method, int wbits, string metric)
    {
        var values = Values(model, method, wbits, metric).Select(v => v.Value).ToList();
        return values.Count switch
        {
            0 => "\u2014",
            1 => Pct(values[0]),
            _ => $"{Pct(Mean(values))} \u00b1 {Pct(Sd(values))}",
        };
    }

    public string Seeds(string model, string method, int wbits, string metric)
    {
        var n = Values(model, method, wbits, metric).Count;
        var planned = Planned(model, method, wbits);
        return n == planned ? $"n={n}" : $"n={n} of {planned}";
    }

    /// <summary>Cell mean minus the FP mean, in signed percentage points.</summary>
    public string DiffToFp(string model, string method, int wbits, string metric)
    {
        var values = Values(model, method, wbits, metric).Select(v => v.Value).ToList();
        var fp = Values(model, "fp", 32, metric).Select(v => v.Value).ToList();
        if (values.Count == 0 || fp.Count == 0)
        {
            return "\u2014";
        }

        var d = (Mean(values) - Mean(fp)) * 100;
        var text = d.ToString("F2", CultureInfo.InvariantCulture);
        return text is "0.00" or "-0.00" ? "0.00" : d > 0 ? "+" + text : text;
    }

    /// <summary>The method(s) with the highest mean in a column (quantized methods only).</summary>
    public IReadOnlyList<string> Best(string model, IEnumerable<string> methods, int wbits, string metric)
    {
        var means = methods.Select(m => (m, v: Values(model, m, wbits, metric).Select(x => x.Value).ToList()))
            .Where(x => x.v.Count > 0).Select(x => (x.m, mean: Mean(x.v))).ToList();
        var best = means.Max(x => x.mean);
        return means.Where(x => x.mean == best).Select(x => x.m).ToList();
    }

    /// <summary>The paired differences method - qat over seeds both completed.</summary>
    public List<double> PairedDifferences(string model, string method, int wbits, string metric)
    {
        var qat = Values(model, "qat", wbits, metric).ToDictionary(v => v.Seed, v => v.Value);
        return Values(model, method, wbits, metric).Where(v => qat.ContainsKey(v.Seed)).Select(v => v.Value - qat[v.Seed]).ToList();
    }
}
