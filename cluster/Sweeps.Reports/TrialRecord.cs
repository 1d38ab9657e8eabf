using System.Text.Json;

namespace Sweeps.Reports;

/// <summary>One trial object of results.json (fractions 0..1 for accuracies).</summary>
internal sealed record TrialRecord
{
    public required string Id { get; init; }

    public required string Method { get; init; }

    public required string Model { get; init; }

    public required string Dataset { get; init; }

    public required int WBits { get; init; }

    public required int ABits { get; init; }

    public required long Seed { get; init; }

    public string? Quantizer { get; init; }

    public string? EwgsDelta { get; init; }

    public string? Teacher { get; init; }

    public required string Status { get; init; }

    public int? Attempts { get; init; }

    public int? Epochs { get; init; }

    public int? EpochsPlanned { get; init; }

    public double? BestTop1 { get; init; }

    public int? BestEpoch { get; init; }

    public double? LastTop1 { get; init; }

    public double? MeanLast5Top1 { get; init; }

    public long? ModelSizeBits { get; init; }

    public string? Device { get; init; }

    public string? StartedAt { get; init; }

    public string? FinishedAt { get; init; }

    public double? DurationS { get; init; }

    public string? Error { get; init; }

    public string? Dir { get; init; }

    /// <summary>Where an FP teacher came from when this sweep did not train it ("reused from ...", "pretrained, from
    /// ..."), or null.</summary>
    public string? Source { get; init; }

    /// <summary>final.json's recipe object (cloned), or null.</summary>
    public JsonElement? Recipe { get; init; }

    /// <summary>The whole trial object (cloned), for results.csv.</summary>
    public required JsonElement Raw { get; init; }

    /// <summary>Full precision: the FP teacher / baseline.</summary>
    public bool IsFullPrecision => Method == "fp";

    /// <summary>Counted in the tables: completed, with an accuracy.</summary>
    public bool IsCompleted => Status == "completed";

    /// <summary>The bit-width column of this trial.</summary>
    public BitWidth Bits => new(WBits, ABits);

    /// <summary>The accuracy <paramref name="metric"/> chooses, or null when the trial has none yet.</summary>
    public double? Accuracy(AccuracyMetric metric) => metric switch
    {
        AccuracyMetric.Best => BestTop1,
        AccuracyMetric.MeanLast5 => MeanLast5Top1,
        _ => LastTop1,
    };
}
