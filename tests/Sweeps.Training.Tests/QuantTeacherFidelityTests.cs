using Sweeps.Torch;
using Sweeps.Training.Models;
using Sweeps.Training.Quantization;

namespace Sweeps.Training.Tests;

/// <summary>
/// A student at 8 bits, freshly loaded from its teacher, must behave like the teacher. Measured on this
/// random-weight ResNet-20: EWGS 0.184 relative logit error and 31/32 argmax agreement, LSQ 0.169 and 31/32;
/// EWGS without the affine dequantisation of the signed first-layer input gave 0.433 and 26/32. The bounds sit
/// between the two. Why 8 bits still leaves ~17 % for both quantizers here is open (issue 3).
/// </summary>
public sealed class QuantTeacherFidelityTests
{
    [Theory]
    [InlineData(QuantizerKind.Ewgs)]
    [InlineData(QuantizerKind.Lsq)]
    public void W8A8Student_LoadedFromTeacher_ReproducesTeacherLogitsInEvalMode(QuantizerKind kind)
    {
        using var scope = DisposeScope.Enter();
        using var g = new Generator(3);
        // Inputs like a normalised image: signed, roughly zero mean, unit spread.
        var x = Tensor.Randn([32, 1, 28, 28], g);
        using var teacher = ModelRegistry.Create("resnet20", 1, 10, FullPrecisionLayerFactory.Instance, g);
        using (new NoGradScope())
        {
            teacher.Train();
            for (var i = 0; i < 30; i++)
            {
                _ = teacher.Forward(x); // BatchNorm running statistics converged (1 - 0.9^30 = 96 %)
            }
        }

        teacher.Eval();
        using var student = ModelRegistry.Create("resnet20", 1, 10, new QuantizedLayerFactory(kind, new BitWidths(8, 8)), g);
        student.LoadTeacherState(teacher.StateDict());
        student.Eval();
        using var noGrad = new NoGradScope();
        var t = teacher.Forward(x);
        var s = student.Forward(x);
        var relativeError = (s - t).Norm().ToDouble() / t.Norm().ToDouble();
        var agree = s.ArgMax(1).Eq(t.ArgMax(1)).Sum().ToInt64();
        Assert.True(relativeError < 0.3, $"{kind}: relative error of the W8A8 student's logits {relativeError:F3} (argmax agreement {agree}/32)");
        Assert.True(agree >= 29, $"{kind}: argmax agreement {agree}/32");
    }
}
