using Sweeps.Torch;

namespace Sweeps.Training.Methods;

/// <summary>Logit distillation (Hinton et al., 2015), as SQAKD and CR use it.</summary>
public static class Distillation
{
    /// <summary>
    /// T^2 KL(softmax(z_t / T) || softmax(z_s / T)), averaged over the batch (PyTorch's
    /// <c>kl_div(log_softmax(z_s/T), log_softmax(z_t/T), reduction="batchmean", log_target=True) * T^2</c>;
    /// SQAKD's <c>DistillKL</c>). Gradients flow to the student's logits only when the teacher's carry none.
    /// </summary>
    /// <param name="teacherLogits">The target distribution's logits [N, classes].</param>
    /// <param name="studentLogits">The trained distribution's logits [N, classes].</param>
    /// <param name="temperature">T &gt; 0.</param>
    /// <returns>A scalar in the current <see cref="DisposeScope"/>.</returns>
    /// <exception cref="ArgumentOutOfRangeException">The temperature is not positive.</exception>
    public static Tensor KlDivergence(Tensor teacherLogits, Tensor studentLogits, double temperature)
    {
        ArgumentNullException.ThrowIfNull(teacherLogits);
        ArgumentNullException.ThrowIfNull(studentLogits);
        if (!(temperature > 0))
        {
            throw new ArgumentOutOfRangeException(nameof(temperature), temperature, "the temperature must be positive");
        }

        using var scope = DisposeScope.Enter();
        var logStudent = Functional.LogSoftmax(studentLogits / temperature, 1);
        var logTeacher = Functional.LogSoftmax(teacherLogits / temperature, 1);
        var kl = Functional.KlDiv(logStudent, logTeacher, Reduction.BatchMean, logTarget: true);
        return scope.MoveToOuter(kl * (temperature * temperature));
    }
}
