using Sweeps.Torch;

namespace Sweeps.Training.Methods;

/// <summary>
/// <c>sqakd</c>: Self-Supervised Quantization-Aware Knowledge Distillation (Zhao and Zhao, AISTATS 2024,
/// arXiv 2403.11106; public code kaiqi123/SQAKD). Label-free: the quantized student, initialised from the teacher, is
/// trained only to match the frozen full-precision teacher's softened outputs,
/// <c>kl</c> = T^2 KL(softmax(z_t/T) || softmax(z_s/T)) with T = 4, averaged over the batch. No cross-entropy and no
/// labels: as a <see cref="LabelFreeMethod"/> it receives <see cref="UnlabeledStep"/>s, which carry none. The
/// quantizer parameters (the optimiser's quantizer group) are optimised by the same KL loss as the weights (the
/// paper's co-optimisation). Recipe: <see cref="Recipe.QuantizedStudent"/>.
/// </summary>
public sealed class SqakdMethod : LabelFreeMethod
{
    /// <summary>The registry name.</summary>
    public const string MethodName = "sqakd";

    /// <summary>The distillation temperature T (SQAKD's CIFAR setting).</summary>
    public const double Temperature = 4;

    /// <inheritdoc/>
    public override string Name => MethodName;

    /// <inheritdoc/>
    public override string Summary => "label-free distillation from the frozen FP teacher, T^2 KL at T = 4; no labels reach it (loss terms: kl)";

    /// <inheritdoc/>
    public override Recipe Recipe => Recipe.QuantizedStudent;

    /// <inheritdoc/>
    public override MethodRequirements Requirements => MethodRequirements.QuantizedWithTeacher;

    /// <summary>One term, <c>kl</c>: the distillation loss of the student's logits against the teacher's.</summary>
    /// <exception cref="InvalidOperationException">The step has no teacher.</exception>
    public override StepLoss Loss(UnlabeledStep step)
    {
        ArgumentNullException.ThrowIfNull(step);
        var teacher = step.Teacher ?? throw new InvalidOperationException("sqakd needs the frozen teacher in every step");
        var logits = step.Student.Forward(step.Images);
        Tensor teacherLogits;
        using (new NoGradScope())
        {
            teacherLogits = teacher.Forward(step.Images);
        }

        return new StepLoss([new LossTerm("kl", Distillation.KlDivergence(teacherLogits, logits, Temperature))], logits);
    }
}
