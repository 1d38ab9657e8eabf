using Sweeps.Torch;

namespace Sweeps.Training.Methods;

/// <summary>
/// <c>fp</c>: the full-precision teacher / baseline (METHODS.md): a full-precision model from random initialisation,
/// cross-entropy with labels; SGD momentum 0.9 Nesterov, lr 0.05, weight decay 5e-4, cosine to 0, batch 256.
/// Its checkpoint (<c>DIR/model.pt</c>) is the teacher of the quantized methods.
/// </summary>
public sealed class FullPrecisionMethod : LabeledMethod
{
    /// <summary>The registry name.</summary>
    public const string MethodName = "fp";

    /// <inheritdoc/>
    public override string Name => MethodName;

    /// <inheritdoc/>
    public override string Summary => "the full-precision teacher: from random initialisation, cross-entropy with labels (loss terms: ce)";

    /// <inheritdoc/>
    public override Recipe Recipe { get; } = new()
    {
        Optimizer = OptimizerKind.Sgd,
        LearningRate = 0.05,
        WeightDecay = 5e-4,
        Momentum = 0.9,
        Nesterov = true,
        BatchSize = 256,
    };

    /// <inheritdoc/>
    public override MethodRequirements Requirements => MethodRequirements.FullPrecision;

    /// <summary>One term, <c>ce</c>: cross-entropy of the student's logits against the labels.</summary>
    public override StepLoss Loss(LabeledStep step)
    {
        ArgumentNullException.ThrowIfNull(step);
        var logits = step.Student.Forward(step.Images);
        return new StepLoss([new LossTerm("ce", Functional.CrossEntropy(logits, step.Labels))], logits);
    }
}
