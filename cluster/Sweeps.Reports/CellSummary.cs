namespace Sweeps.Reports;

/// <summary>One table cell: a method at one bit-width of one model x dataset, over its seeds. Only completed trials
/// with the chosen accuracy count; the others are listed in <see cref="NotCounted"/>.</summary>
internal sealed record CellSummary
{
    public required string Method { get; init; }

    public required BitWidth Bits { get; init; }

    /// <summary>Every trial of the cell, whatever its status.</summary>
    public required IReadOnlyList<TrialRecord> Trials { get; init; }

    /// <summary>The counted values (fractions) by seed, in seed order.</summary>
    public required IReadOnlyList<KeyValuePair<long, double>> Values { get; init; }

    /// <summary>Trials not counted (failed, cancelled, running, pending, or completed without the accuracy).</summary>
    public IEnumerable<TrialRecord> NotCounted => Trials.Where(t => Values.All(v => v.Key != t.Seed) || !t.IsCompleted);

    /// <summary>Counted seeds.</summary>
    public int N => Values.Count;

    /// <summary>Mean over the counted seeds, NaN when none.</summary>
    public double Mean => N == 0 ? double.NaN : Values.Average(v => v.Value);

    /// <summary>Sample standard deviation over the counted seeds, NaN for fewer than two.</summary>
    public double Sd => Statistics.SampleSd(Values.Select(v => v.Value).ToList());

    /// <summary>Mean model size in bits of the counted trials that report one, or null.</summary>
    public double? ModelSizeBits
    {
        get
        {
            var sizes = Trials.Where(t => t.IsCompleted && t.ModelSizeBits is not null).Select(t => (double)t.ModelSizeBits!.Value).ToList();
            return sizes.Count == 0 ? null : sizes.Average();
        }
    }

    public static CellSummary Create(string method, BitWidth bits, IEnumerable<TrialRecord> trials, AccuracyMetric metric)
    {
        var list = trials.OrderBy(t => t.Seed).ToList();
        var values = list
            .Where(t => t.IsCompleted && t.Accuracy(metric) is not null)
            .GroupBy(t => t.Seed)
            .Select(g => new KeyValuePair<long, double>(g.Key, g.First().Accuracy(metric)!.Value))
            .ToList();
        return new CellSummary { Method = method, Bits = bits, Trials = list, Values = values };
    }
}
