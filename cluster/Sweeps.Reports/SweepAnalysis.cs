namespace Sweeps.Reports;

/// <summary>Turns the trials into per model x dataset comparisons. Pure: no files.</summary>
internal static class SweepAnalysis
{
    /// <summary>Method order in tables and legends: the baselines, then the four compared methods, then any other.</summary>
    private static readonly string[] KnownOrder = ["fp", "qat", "sqakd", "mec-quant", "fpq", "cr"];

    /// <summary>Methods that are our reconstructions from the papers' abstracts and parent methods (no public code).</summary>
    public static readonly IReadOnlySet<string> Reconstructions = new HashSet<string>(["mec-quant", "fpq", "cr"], StringComparer.Ordinal);

    public static IReadOnlyList<string> OrderMethods(IEnumerable<string> methods) =>
        methods.Distinct(StringComparer.Ordinal)
            .OrderBy(m => Array.IndexOf(KnownOrder, m) is var i && i >= 0 ? i : KnownOrder.Length)
            .ThenBy(m => m, StringComparer.Ordinal)
            .ToList();

    /// <summary>How the report names a method.</summary>
    public static string DisplayName(string method) => method switch
    {
        "fp" => "FP",
        "qat" => "QAT",
        "sqakd" => "SQAKD",
        "mec-quant" => "MEC-Quant",
        "fpq" => "FPQ",
        "cr" => "CR",
        _ => method,
    };

    public static IReadOnlyList<GroupSummary> Analyse(IReadOnlyList<TrialRecord> trials, AccuracyMetric metric)
    {
        var groups = new List<GroupSummary>();
        foreach (var group in trials.GroupBy(t => (t.Model, t.Dataset)).OrderBy(g => g.Key.Model, StringComparer.Ordinal).ThenBy(g => g.Key.Dataset, StringComparer.Ordinal))
        {
            var fpTrials = group.Where(t => t.IsFullPrecision).ToList();
            var quantized = group.Where(t => !t.IsFullPrecision).ToList();
            var columns = quantized.Select(t => t.Bits).Distinct().Order().ToList();
            var methods = OrderMethods(quantized.Select(t => t.Method));
            var cells = quantized
                .GroupBy(t => (t.Method, t.Bits))
                .ToDictionary(g => g.Key, g => CellSummary.Create(g.Key.Method, g.Key.Bits, g, metric));
            var vsQat = new Dictionary<(string, BitWidth), PairedComparison>();
            foreach (var ((method, bits), cell) in cells)
            {
                if (method == "qat" || !cells.TryGetValue(("qat", bits), out var qat))
                {
                    continue;
                }

                var qatBySeed = qat.Values.ToDictionary(v => v.Key, v => v.Value);
                var differences = cell.Values.Where(v => qatBySeed.ContainsKey(v.Key)).Select(v => v.Value - qatBySeed[v.Key]).ToList();
                vsQat[(method, bits)] = PairedComparison.FromDifferences(differences);
            }

            groups.Add(new GroupSummary
            {
                Model = group.Key.Model,
                Dataset = group.Key.Dataset,
                Columns = columns,
                Methods = methods,
                Fp = fpTrials.Count == 0 ? null : CellSummary.Create("fp", new BitWidth(32, 32), fpTrials, metric),
                Cells = cells,
                VsQat = vsQat,
            });
        }

        return groups;
    }
}
