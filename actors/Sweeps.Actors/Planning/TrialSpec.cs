using System.Globalization;

namespace Sweeps.Actors.Planning;

/// <summary>One trial of a sweep's grid: what to train and what it depends on. Immutable; equal specs are the same trial.</summary>
public sealed record TrialSpec
{
    /// <summary>The trial id (docs/results-format.md): <c>resnet20-fashion-mnist-qat-W4A4-s0</c>, FP: <c>resnet20-fashion-mnist-fp-s0</c>.</summary>
    public required string Id { get; init; }

    /// <summary>Training (default) or the sleeping test kind.</summary>
    public TrialKind Kind { get; init; } = TrialKind.Train;

    /// <summary>Method registry name (<c>fp</c>, <c>qat</c>, ...); <c>sleep</c> for the sleeping kind.</summary>
    public required string Method { get; init; }

    /// <summary>Model registry name.</summary>
    public required string Model { get; init; }

    /// <summary>Dataset name.</summary>
    public required string Dataset { get; init; }

    /// <summary>Weight bits: 1..8, or 32 for full precision.</summary>
    public int WeightBits { get; init; } = 32;

    /// <summary>Activation bits: 1..8, or 32 for full precision.</summary>
    public int ActivationBits { get; init; } = 32;

    /// <summary>The trial seed.</summary>
    public long Seed { get; init; }

    /// <summary>Quantizer family (<c>ewgs</c>, <c>lsq</c>, <c>pact</c>); null for full precision.</summary>
    public string? Quantizer { get; init; }

    /// <summary>Epochs to train (0 for the sleeping kind).</summary>
    public int Epochs { get; init; }

    /// <summary>Id of the FP teacher trial this trial starts from or distils from; null when it needs none.</summary>
    public string? Teacher { get; init; }

    /// <summary>This trial's training subset (the first N samples) when it differs from the sweep's <c>limit</c> (the
    /// students' side of <c>limit: {teacher: N, student: M}</c>); null: the sweep's.</summary>
    public int? TrainLimit { get; init; }

    /// <summary>An FP teacher that is not trained: the full path of the state dict (the sweep file's <c>teachers:</c>)
    /// that is evaluated and serves as the teacher; its <see cref="Epochs"/> is 0. Null for every other trial.</summary>
    public string? Pretrained { get; init; }

    /// <summary>How long a <see cref="TrialKind.Sleep"/> trial sleeps, in milliseconds.</summary>
    public int SleepMilliseconds { get; init; }

    /// <summary>How long a cancelled <see cref="TrialKind.Sleep"/> trial takes to stop, in milliseconds (tests of
    /// interrupts: a training step that must end first).</summary>
    public int SleepStopMilliseconds { get; init; }

    /// <summary>Whether the trial is full precision (no quantizer).</summary>
    public bool IsFullPrecision => WeightBits == 32 && ActivationBits == 32;

    /// <summary>The id of a training trial: <c>{model}-{dataset}-{method}[-W{w}A{a}]-s{seed}</c> (the bits part only
    /// when <paramref name="bits"/> is given).</summary>
    public static string TrialId(string model, string dataset, string method, string? bits, long seed) =>
        bits is null
            ? string.Create(CultureInfo.InvariantCulture, $"{model}-{dataset}-{method}-s{seed}")
            : string.Create(CultureInfo.InvariantCulture, $"{model}-{dataset}-{method}-{bits}-s{seed}");
}
