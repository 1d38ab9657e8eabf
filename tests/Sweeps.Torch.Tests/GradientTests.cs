namespace Sweeps.Torch.Tests;

/// <summary>Autograd gradients of each differentiable op against finite differences (float64).</summary>
public sealed class GradientTests
{
    private static readonly long[] V12 = [12];
    private static readonly long[] M34 = [3, 4];

    [Fact]
    public void ElementwiseOps_GradientsMatchFiniteDifferences()
    {
        var x = GradCheck.Values(12);
        var p = GradCheck.Positive(12);
        GradCheck.Check("add", t => t[0].Add(t[1], 2.5), x, p);
        GradCheck.Check("sub", t => t[0] - t[1], x, p);
        GradCheck.Check("mul", t => t[0] * t[1], x, p);
        GradCheck.Check("div", t => t[0] / t[1], x, p);
        GradCheck.Check("rdiv", t => 2.0 / t[0], p);
        GradCheck.Check("pow_scalar", t => t[0].Pow(1.7), p);
        GradCheck.Check("pow_tensor", t => t[0].Pow(t[1]), p, x);
        GradCheck.Check("sqrt", t => t[0].Sqrt(), p);
        GradCheck.Check("exp", t => t[0].Exp(), x);
        GradCheck.Check("log", t => t[0].Log(), p);
        GradCheck.Check("tanh", t => t[0].Tanh(), x);
        GradCheck.Check("sigmoid", t => t[0].Sigmoid(), x);
        GradCheck.Check("square", t => t[0].Square(), x);
        GradCheck.Check("abs", t => t[0].Abs(), x);
        GradCheck.Check("neg", t => -t[0], x);
        GradCheck.Check("relu", t => Functional.Relu(t[0]), x);
        GradCheck.Check("minimum", t => t[0].Minimum(t[1] - 1.5), x, p);
    }

    [Fact]
    public void Clamp_GradientFlowsInsideRangeAndToTensorBounds()
    {
        var x = GradCheck.Values(12);
        GradCheck.Check("clamp_scalar", t => t[0].Clamp(-0.55, 0.45), x);
        var hi = Enumerable.Repeat(0.45, 12).ToArray();
        var lo = Enumerable.Repeat(-0.55, 12).ToArray();
        GradCheck.Check("clamp_tensor", t => t[0].Clamp(t[1], t[2]), x, lo, hi);
    }

    [Fact]
    public void Reductions_GradientsMatchFiniteDifferences()
    {
        var x = GradCheck.Values(12);
        GradCheck.Check("sum_dim", t => t[0].Sum([1]), [M34], [x]);
        GradCheck.Check("mean", t => t[0].Mean(), [M34], [x]);
        GradCheck.Check("var", t => t[0].Var([1]), [M34], [x]);
        GradCheck.Check("std", t => t[0].Std(), [M34], [x]);
        GradCheck.Check("logsumexp", t => t[0].LogSumExp([1]), [M34], [x]);
        GradCheck.Check("max_dim", t => t[0].Max(1).Values, [M34], [x]);
        GradCheck.Check("norm", t => t[0].Norm(), [M34], [x]);
    }

    [Fact]
    public void ShapeOps_GradientsMatchFiniteDifferences()
    {
        var x = GradCheck.Values(12);
        var p = GradCheck.Positive(12);
        GradCheck.Check("transpose_matmul", t => t[0].T.Matmul(t[1]), [M34, M34], [x, p]);
        GradCheck.Check("cat", t => Tensor.Cat([t[0], t[1] * 2], 1), [M34, M34], [x, p]);
        GradCheck.Check("pad", t => t[0].Pad([1, 1, 0, 2], 0.3), [M34], [x]);
        GradCheck.Check("index", t => t[0][1.., 1..3] * 3, [M34], [x]);
        GradCheck.Check("reshape_permute", t => t[0].Reshape(2, 6).Permute(1, 0), [V12], [x]);
        GradCheck.Check("gather", t => t[0].Gather(1, Tensor.From(new long[] { 0, 3, 2, 2, 1, 0 }, 3, 2)), [M34], [x]);
    }

    [Fact]
    public void LossesAndSoftmax_GradientsMatchFiniteDifferences()
    {
        var x = GradCheck.Values(12, scale: 2);
        var p = GradCheck.Positive(12);
        var target = Tensor.From(new long[] { 1, 0, 3 });
        GradCheck.Check("softmax", t => Functional.Softmax(t[0], 1), [M34], [x]);
        GradCheck.Check("log_softmax", t => Functional.LogSoftmax(t[0], 1), [M34], [x]);
        GradCheck.Check("cross_entropy", t => Functional.CrossEntropy(t[0], target), [M34], [x]);
        GradCheck.Check("kl_div", t => Functional.KlDiv(Functional.LogSoftmax(t[0], 1), Functional.Softmax(t[1], 1)), [M34, M34], [x, p]);
        GradCheck.Check("mse", t => Functional.MseLoss(t[0], t[1]), [M34, M34], [x, p]);
        target.Dispose();
    }

    [Fact]
    public void ConvLinearNormPool_GradientsMatchFiniteDifferences()
    {
        long[] img = [2, 2, 4, 4];
        long[] w = [3, 2, 3, 3];
        var xi = GradCheck.Values(64);
        var wv = GradCheck.Values(54, 0.7, 0.5);
        var bv = GradCheck.Values(3, 1.1);
        GradCheck.Check("conv2d", t => Functional.Conv2d(t[0], t[1], t[2], stride: (2, 2), padding: (1, 1)), [img, w, [3]], [xi, wv, bv]);
        GradCheck.Check("linear", t => Functional.Linear(t[0], t[1], t[2]), [M34, [2, 4], [2]], [GradCheck.Values(12), GradCheck.Values(8, 0.4), GradCheck.Values(2, 0.9)]);
        GradCheck.Check(
            "batch_norm_train",
            t => Functional.BatchNorm(t[0], null, null, t[1], t[2], training: true),
            [img, [2], [2]],
            [xi, GradCheck.Positive(2), GradCheck.Values(2, 0.5)],
            rtol: 1e-4,
            atol: 1e-6);
        GradCheck.Check("max_pool2d", t => Functional.MaxPool2d(t[0], 2), [img], [xi]);
        GradCheck.Check("avg_pool2d", t => Functional.AvgPool2d(t[0], 3, 1, 1), [img], [xi]);
        GradCheck.Check("adaptive_avg_pool2d", t => Functional.AdaptiveAvgPool2d(t[0]), [img], [xi]);
    }

    [Fact]
    public void SlogDetAndEigvalsH_GradientsMatchFiniteDifferences()
    {
        // A symmetric positive definite input built inside f keeps both ops smooth.
        var a = GradCheck.Values(9, 0.3);
        GradCheck.Check("slogdet", t =>
        {
            var m = t[0].Reshape(3, 3);
            return (m.Matmul(m.T) + Tensor.Eye(3, dtype: ScalarType.Float64)).SlogDet().LogAbsDet;
        }, a);
        GradCheck.Check("eigvalsh", t =>
        {
            var m = t[0].Reshape(3, 3);
            return (m.Matmul(m.T) + Tensor.Eye(3, dtype: ScalarType.Float64)).EigvalsH();
        }, a);
    }
}
