using Sweeps.Torch;

namespace Sweeps.Training.Methods;

/// <summary>
/// FPQ's channel-wise standardisation distillation (CSD; METHODS.md, our reconstruction): each channel of a block
/// output [N, C, H, W] is standardised over (batch, H, W) to zero mean and unit variance, (x - mean) /
/// sqrt(var + eps) with the population variance and eps = 1e-5 (BatchNorm's), and the student's standardised
/// features are compared with the teacher's by the mean squared difference; the loss is the average over blocks.
/// Invariant (up to eps) to a per-channel affine change a_c x + b_c (a_c &gt; 0) of either side's features.
/// </summary>
public static class ChannelStandardization
{
    /// <summary>eps added to the variance.</summary>
    public const double Epsilon = 1e-5;

    /// <summary>x standardised per channel (dimension 1) over every other dimension. A new tensor in the current scope.</summary>
    /// <param name="x">[N, C] or [N, C, H, W].</param>
    /// <exception cref="ArgumentException">x has fewer than two dimensions.</exception>
    public static Tensor Standardize(Tensor x)
    {
        ArgumentNullException.ThrowIfNull(x);
        if (x.Dim < 2)
        {
            throw new ArgumentException($"expected [N, C, ...], got shape [{string.Join(", ", x.Shape)}]", nameof(x));
        }

        long[] dims = [0, .. Enumerable.Range(2, x.Dim - 2).Select(i => (long)i)];
        using var scope = DisposeScope.Enter();
        var mean = x.Mean(dims, keepDim: true);
        var variance = x.Var(dims, unbiased: false, keepDim: true);
        return scope.MoveToOuter((x - mean) * (variance + Epsilon).Rsqrt());
    }

    /// <summary>The CSD loss: mean over blocks of mean((standardize(s_b) - standardize(t_b))^2). A scalar in the current
    /// scope; gradients flow to whichever side carries them.</summary>
    /// <param name="student">The student's block outputs.</param>
    /// <param name="teacher">The teacher's block outputs, same count and shapes.</param>
    /// <exception cref="ArgumentException">The lists are empty or differ in length or shapes.</exception>
    public static Tensor Loss(IReadOnlyList<Tensor> student, IReadOnlyList<Tensor> teacher)
    {
        ArgumentNullException.ThrowIfNull(student);
        ArgumentNullException.ThrowIfNull(teacher);
        if (student.Count == 0 || student.Count != teacher.Count)
        {
            throw new ArgumentException($"expected the same number (at least one) of student and teacher blocks, got {student.Count} and {teacher.Count}", nameof(teacher));
        }

        using var scope = DisposeScope.Enter();
        Tensor? sum = null;
        for (var b = 0; b < student.Count; b++)
        {
            if (!student[b].Shape.SequenceEqual(teacher[b].Shape))
            {
                throw new ArgumentException(
                    $"block {b}: student shape [{string.Join(", ", student[b].Shape)}] differs from teacher shape [{string.Join(", ", teacher[b].Shape)}]",
                    nameof(teacher));
            }

            var term = (Standardize(student[b]) - Standardize(teacher[b])).Square().Mean();
            sum = sum is null ? term : sum + term;
        }

        return scope.MoveToOuter(sum! / student.Count);
    }
}
