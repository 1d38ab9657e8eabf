namespace Sweeps.Reports;

/// <summary>One line of a trial's metrics.jsonl: the figures the report plots (accuracies as fractions).</summary>
internal sealed record EpochPoint
{
    public required int Epoch { get; init; }

    public double? TrainLoss { get; init; }

    /// <summary>Each loss term by name, in the file's order.</summary>
    public required IReadOnlyList<KeyValuePair<string, double>> LossTerms { get; init; }

    public double? TrainTop1 { get; init; }

    public double? TestTop1 { get; init; }

    public double? Seconds { get; init; }
}
