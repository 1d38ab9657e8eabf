using Sweeps.Torch;

namespace Sweeps.Training.Methods;

/// <summary>
/// <c>qat</c>: plain quantization-aware training (METHODS.md): the student is the quantized copy of the teacher,
/// initialised from the teacher's checkpoint, trained with cross-entropy on labels. Adam: weights lr 1e-3, weight
/// decay 1e-4; quantizer parameters lr 1e-5, weight decay 0; cosine to 0; batch 256.
/// </summary>
public sealed class QatMethod : LabeledMethod
{
    /// <summary>The registry name.</summary>
    public const string MethodName = "qat";

    /// <inheritdoc/>
    public override string Name => MethodName;

    /// <inheritdoc/>
    public override Recipe Recipe => Recipe.QuantizedStudent;

    /// <inheritdoc/>
    public override string Summary => "plain quantization-aware training: the quantized student of the teacher, cross-entropy with labels (loss terms: ce)";

    /// <inheritdoc/>
    public override MethodRequirements Requirements => MethodRequirements.QuantizedFromTeacher;

    /// <summary>One term, <c>ce</c>: cross-entropy of the quantized student's logits against the labels.</summary>
    public override StepLoss Loss(LabeledStep step)
    {
        ArgumentNullException.ThrowIfNull(step);
        var logits = step.Student.Forward(step.Images);
        return new StepLoss([new LossTerm("ce", Functional.CrossEntropy(logits, step.Labels))], logits);
    }
}
