using System.Text.Json.Serialization;

namespace Sweeps.Training.Training;

/// <summary>One epoch's metrics: a line of <c>metrics.jsonl</c> (snake_case keys). Accuracies are fractions (0..1).</summary>
public sealed record EpochMetrics
{
    /// <summary>The epoch, 1-based.</summary>
    public required int Epoch { get; init; }

    /// <summary>Epochs of the run.</summary>
    public required int Epochs { get; init; }

    /// <summary>Mean training loss over the epoch's samples (sum of the terms).</summary>
    public required double TrainLoss { get; init; }

    /// <summary>Mean of each loss term over the epoch's samples, by the method's names (e.g. <c>ce</c>).</summary>
    public required IReadOnlyDictionary<string, double> LossTerms { get; init; }

    /// <summary>Training top-1 (fraction 0..1) on the augmented batches, as the weights changed during the epoch; null for
    /// label-free methods.</summary>
    public double? TrainTop1 { get; init; }

    /// <summary>Test top-1 (fraction 0..1) after the epoch.</summary>
    public required double TestTop1 { get; init; }

    /// <summary>Test top-5 (fraction 0..1) after the epoch; only for more than 10 classes.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public double? TestTop5 { get; init; }

    /// <summary>Mean test cross-entropy.</summary>
    public required double TestLoss { get; init; }

    /// <summary>Learning rate of each optimizer group (<c>weights</c>, <c>quantizer</c>, <c>method</c>) at the epoch's
    /// first step.</summary>
    public required IReadOnlyDictionary<string, double> LearningRates { get; init; }

    /// <summary>Mean clip range per layer kind and target after the epoch (<c>QuantizationStatistics.MeanClipRanges</c>;
    /// empty for full precision).</summary>
    public required IReadOnlyDictionary<string, double> QuantizerStatistics { get; init; }

    /// <summary>Whether the EWGS deltas were re-estimated before this epoch.</summary>
    public bool EwgsDeltaUpdated { get; init; }

    /// <summary>Mean EWGS delta over the quantizers during the epoch (0 = STE); null without EWGS quantizers.</summary>
    public double? EwgsMeanDelta { get; init; }

    /// <summary>Wall-clock seconds of the epoch (training, delta update and evaluation).</summary>
    public required double Seconds { get; init; }

    /// <summary>Training samples per second (training steps only).</summary>
    public required double SamplesPerSecond { get; init; }
}
