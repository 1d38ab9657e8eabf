namespace Sweeps.Training.Methods;

/// <summary>
/// A method's one training recipe (METHODS.md, "Recipes"): optimizer, learning rates and weight decay per parameter
/// group, batch size and the EWGS delta schedule. The learning rate of every group follows a per-iteration cosine
/// schedule to 0 over the whole run. Recipes belong to methods, never to sweeps; the epoch count is the sweep's.
/// </summary>
public sealed record Recipe
{
    /// <summary>
    /// The students' recipe (METHODS.md, from SQAKD's CIFAR recipe): Adam; weights lr 1e-3 with weight decay 1e-4;
    /// quantizer parameters lr 1e-5 without weight decay; cosine to 0; batch 256. qat, SQAKD, MEC-Quant, FPQ and CR use
    /// it (MEC-Quant adds its gate's learning rate).
    /// </summary>
    public static Recipe QuantizedStudent { get; } = new()
    {
        Optimizer = OptimizerKind.Adam,
        LearningRate = 1e-3,
        WeightDecay = 1e-4,
        QuantizerLearningRate = 1e-5,
        QuantizerWeightDecay = 0,
        BatchSize = 256,
    };

    /// <summary>The optimizer.</summary>
    public required OptimizerKind Optimizer { get; init; }

    /// <summary>Initial learning rate of the weight group (conv/linear weights, biases, BatchNorm affine).</summary>
    public required double LearningRate { get; init; }

    /// <summary>Weight decay of the weight group.</summary>
    public required double WeightDecay { get; init; }

    /// <summary>Initial learning rate of the quantizer group (l, u, s, alpha, output scales). Default 1e-5.</summary>
    public double QuantizerLearningRate { get; init; } = 1e-5;

    /// <summary>Weight decay of the quantizer group. Default 0.</summary>
    public double QuantizerWeightDecay { get; init; }

    /// <summary>Initial learning rate of the method's own parameters (<see cref="TrainingMethod.ExtraParameters"/>);
    /// null uses <see cref="LearningRate"/>.</summary>
    public double? MethodLearningRate { get; init; }

    /// <summary>Weight decay of the method's own parameters. Default 0.</summary>
    public double MethodWeightDecay { get; init; }

    /// <summary>SGD momentum. Default 0.9.</summary>
    public double Momentum { get; init; } = 0.9;

    /// <summary>SGD Nesterov momentum. Default false.</summary>
    public bool Nesterov { get; init; }

    /// <summary>Adam's beta1. Default 0.9.</summary>
    public double Beta1 { get; init; } = 0.9;

    /// <summary>Adam's beta2. Default 0.999.</summary>
    public double Beta2 { get; init; } = 0.999;

    /// <summary>The learning-rate schedule: <c>cosine</c> (per iteration, to 0 at the end of the run).</summary>
    public string Schedule { get; init; } = "cosine";

    /// <summary>Training batch size. Default 256.</summary>
    public int BatchSize { get; init; } = 256;

    /// <summary>For EWGS quantizers: epochs between delta updates (the update runs before epochs 0, k, 2k, ...,
    /// counting from 0). Default 10.</summary>
    public int EwgsDeltaInterval { get; init; } = 10;

    /// <summary>For EWGS quantizers: batches the Hutchinson estimate averages over. Default 3.</summary>
    public int EwgsDeltaBatches { get; init; } = 3;

    /// <summary>For EWGS quantizers: most Rademacher vectors per batch in the Hutchinson trace estimate (each is one
    /// Hessian-vector product serving every quantizer at once, see <see cref="Quantization.HutchinsonDelta.Traces"/>;
    /// a quantizer stops earlier once its running mean settles). Default 4: a quantizer's x_q has thousands of elements,
    /// so one vector already averages the Hessian's diagonal over all of them, and each product costs several training
    /// steps on a CPU.</summary>
    public int EwgsHutchinsonSamples { get; init; } = 4;
}
