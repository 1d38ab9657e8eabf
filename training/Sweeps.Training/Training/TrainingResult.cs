using System.Text.Json.Serialization;
using Sweeps.Training.Methods;

namespace Sweeps.Training.Training;

/// <summary>The outcome of a completed run: <c>final.json</c> (snake_case keys). Accuracies are fractions (0..1).</summary>
public sealed record TrainingResult
{
    /// <summary><c>completed</c> (a failed run writes <c>failed</c> with a reason to final.json and throws).</summary>
    public required string Status { get; init; }

    /// <summary>The method name.</summary>
    public required string Method { get; init; }

    /// <summary>The model name.</summary>
    public required string Model { get; init; }

    /// <summary>The dataset name.</summary>
    public required string Dataset { get; init; }

    /// <summary>Bit-widths of the trained model (<c>W32A32</c> for full precision).</summary>
    public required string Bits { get; init; }

    /// <summary>Quantizer family (<c>ewgs</c>, <c>lsq</c>, <c>pact</c>), or null for full precision.</summary>
    public string? Quantizer { get; init; }

    /// <summary>Which EWGS backward ran: <c>hutchinson</c> (delta updates), <c>ste</c> (delta 0), or <c>none</c> (no EWGS quantizers).</summary>
    public required string EwgsDelta { get; init; }

    /// <summary>Epochs of the run.</summary>
    public required int Epochs { get; init; }

    /// <summary>The trial seed.</summary>
    public required long Seed { get; init; }

    /// <summary>The device (<c>cpu</c>, <c>cuda:N</c>).</summary>
    public required string Device { get; init; }

    /// <summary>The memory format the run trained in: <c>channels_last</c> (CPU default) or <c>contiguous</c> (NCHW).</summary>
    public required string MemoryFormat { get; init; }

    /// <summary>Training / test samples.</summary>
    public required int TrainSamples { get; init; }

    /// <summary>Test samples.</summary>
    public required int TestSamples { get; init; }

    /// <summary>The per-channel mean and std the inputs were normalised with (for image folders: computed from the train
    /// split).</summary>
    public required NormalizationRecord Normalization { get; init; }

    /// <summary>Images left out as unreadable, per split (image-folder datasets only; with <c>skip_bad_images</c>).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public SkippedImagesRecord? SkippedImages { get; init; }

    /// <summary>Best test top-1 over the epochs.</summary>
    public required double BestTestTop1 { get; init; }

    /// <summary>The epoch (1-based) of <see cref="BestTestTop1"/>.</summary>
    public required int BestEpoch { get; init; }

    /// <summary>Test top-1 after the last epoch.</summary>
    public required double LastTestTop1 { get; init; }

    /// <summary>Mean test top-1 of the last 5 epochs (of all of them when fewer).</summary>
    public required double MeanLast5TestTop1 { get; init; }

    /// <summary>Test top-5 after the last epoch; only for more than 10 classes.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public double? LastTestTop5 { get; init; }

    /// <summary>Storage of the conv and linear weights: weight count x bit-width per layer (first/last per the policy).</summary>
    public required long ModelSizeBits { get; init; }

    /// <summary>Number of conv and linear weights.</summary>
    public required long WeightCount { get; init; }

    /// <summary>The exact recipe, batch size as used (after any override).</summary>
    public required Recipe Recipe { get; init; }

    /// <summary>Versions: <c>sweeps</c>, <c>libtorch</c>, <c>dotnet</c>.</summary>
    public required IReadOnlyDictionary<string, string> Versions { get; init; }

    /// <summary>The epoch (1-based) the last resume started after, or null when the run never resumed.</summary>
    public int? ResumedAfterEpoch { get; init; }

    /// <summary>The state-dict file whose weights were evaluated without training (<see cref="Trainer.EvaluateCheckpoint"/>:
    /// a pretrained teacher); null for a trained run.</summary>
    public string? Pretrained { get; init; }

    /// <summary>Wall-clock seconds of this process's part of the run.</summary>
    public required double Seconds { get; init; }
}
