namespace Sweeps.Torch.Tests;

/// <summary>
/// Every op against PyTorch 1.13 run independently by reference/ops.py on the same inputs
/// (x[i] = sin(0.37 i + 0.1), p[i] = cos(0.23 i + 0.2) + 1.5).
/// </summary>
public sealed class TensorOpsTests : IClassFixture<OpsReferenceFixture>, IDisposable
{
    private readonly OpsReferenceFixture _ref;
    private readonly DisposeScope _scope = DisposeScope.Enter();

    public TensorOpsTests(OpsReferenceFixture reference) => _ref = reference;

    public void Dispose() => _scope.Dispose();

    internal static Tensor X(params long[] shape) => NNTestData.Formula(shape);

    internal static Tensor P(params long[] shape) => Seq(shape, i => Math.Cos((0.23 * i) + 0.2) + 1.5);

    private static Tensor Seq(long[] shape, Func<int, double> f)
    {
        var n = (int)shape.Aggregate(1L, (a, b) => a * b);
        return Tensor.From(Enumerable.Range(0, n).Select(i => (float)f(i)).ToArray(), shape);
    }

    private void Check(string name, Tensor actual, double rtol = 1e-5, double atol = 1e-6)
    {
        using var f = actual.Dtype == ScalarType.Float32 ? actual.Alias() : actual.To(ScalarType.Float32);
        TestAssert.Close(_ref[name], f.ToArray<float>(), rtol, atol, name);
    }

    [Fact]
    public void Arithmetic_MatchesPyTorch()
    {
        var x = X(3, 4);
        var p = P(3, 4);
        Check("add_alpha", x.Add(p, 2.5));
        Check("sub", x - p);
        Check("mul", x * p);
        Check("div", x / p);
        Check("rdiv", 2.0 / p);
        Check("rsub", 3.0 - x);
        Check("pow_scalar", p.Pow(1.7));
        Check("pow_tensor", p.Pow(x));
        Check("neg", -x);
        Check("minimum", x.Minimum(p - 1.5));
        Check("maximum", x.Maximum(p - 1.5));
        Check("where", Tensor.Where(x.Gt(0), x, p));
        Check("gt", x.Gt(0.1));
        Check("le_tensor", x.Le(p - 1.5));
        Check("matmul", x.Matmul(P(4, 2)));
    }

    [Fact]
    public void ElementwiseFunctions_MatchPyTorch()
    {
        var x = X(3, 4);
        var p = P(3, 4);
        Check("abs", x.Abs());
        Check("sign", x.Sign());
        Check("round", (x * 3.5).Round());
        Check("floor", (x * 3).Floor());
        Check("ceil", (x * 3).Ceil());
        Check("sqrt", p.Sqrt());
        Check("rsqrt", p.Rsqrt());
        Check("exp", x.Exp());
        Check("log", p.Log());
        Check("tanh", (x * 2).Tanh());
        Check("sigmoid", (x * 2).Sigmoid());
        Check("square", x.Square());
        Check("reciprocal", p.Reciprocal());
        Check("clamp", x.Clamp(-0.5, 0.5));
        Check("clamp_min", x.Clamp(min: 0.2));
        Check("clamp_tensor", x.Clamp(Tensor.Full([1, 4], -0.3), p * 0.3));
        Check("relu", Functional.Relu(x));
    }

    [Fact]
    public void Reductions_MatchPyTorch()
    {
        var x = X(3, 4);
        Check("sum", x.Sum());
        Check("sum_dim1", x.Sum([1]));
        Check("mean_dim0_keep", x.Mean([0], keepDim: true));
        Assert.Equal(new long[] { 1, 4 }, x.Mean([0], keepDim: true).Shape);
        Check("var_unbiased", x.Var());
        Check("std_dim1_biased", x.Std([1], unbiased: false));
        Check("logsumexp1", x.LogSumExp([1]));
        Check("norm2", x.Norm());
        Check("max_all", x.Max());
        var (values, indices) = x.Max(1);
        Check("max_dim_values", values);
        Check("max_dim_indices", indices);
        Assert.Equal(ScalarType.Int64, indices.Dtype);
        Check("argmin0", x.ArgMin(0));
        var (tv, ti) = x.TopK(2, 1);
        Check("topk_values", tv);
        Check("topk_indices", ti);
    }

    [Fact]
    public void Losses_MatchPyTorch()
    {
        var x = X(3, 4);
        var p = P(3, 4);
        var target = Tensor.From(new long[] { 1, 0, 3 });
        Check("softmax1", Functional.Softmax(x * 3, 1));
        Check("log_softmax1", Functional.LogSoftmax(x * 3, 1));
        Check("cross_entropy", Functional.CrossEntropy(x * 3, target));
        Check("cross_entropy_sum", Functional.CrossEntropy(x * 3, target, Reduction.Sum));
        Check("cross_entropy_smooth", Functional.CrossEntropy(x * 3, target, labelSmoothing: 0.1));
        Check("nll", Functional.NllLoss(Functional.LogSoftmax(x, 1), target));
        Check("kl_batchmean", Functional.KlDiv(Functional.LogSoftmax(x, 1), Functional.Softmax(p, 1)));
        Check("kl_sum", Functional.KlDiv(Functional.LogSoftmax(x, 1), Functional.Softmax(p, 1), Reduction.Sum));
        Check("mse", Functional.MseLoss(x, p));
    }

    [Fact]
    public void ConvolutionNormalisationPooling_MatchPyTorch()
    {
        var xi = X(2, 3, 5, 5);
        var w = P(4, 3, 3, 3) - 1.5;
        var b = X(4) * 0.1;
        Check("conv2d", Functional.Conv2d(xi, w, b, stride: (2, 2), padding: (1, 1)), 1e-4, 1e-5);
        Check("conv2d_nobias", Functional.Conv2d(xi, w), 1e-4, 1e-5);
        Check("linear", Functional.Linear(X(3, 4), P(5, 4) - 1.5, X(5)));
        var rm = Tensor.Zeros([3]);
        var rv = Tensor.Ones([3]);
        Check("bn_train", Functional.BatchNorm(xi, rm, rv, P(3), X(3), training: true), 1e-4, 1e-5);
        Check("bn_train_running_mean", rm);
        Check("bn_train_running_var", rv);
        Check("bn_eval", Functional.BatchNorm(xi, P(3) - 1.0, P(3), P(3), X(3), training: false), 1e-4, 1e-5);
        Check("max_pool2d", Functional.MaxPool2d(xi, 2));
        Check("avg_pool2d", Functional.AvgPool2d(xi, 3, 2, 1));
        Check("adaptive_avg_pool2d", Functional.AdaptiveAvgPool2d(xi));
        Assert.Equal(new long[] { 2, 3, 1, 1 }, Functional.AdaptiveAvgPool2d(xi).Shape);
    }

    [Fact]
    public void ShapeAndIndexing_MatchPyTorch()
    {
        var x = X(3, 4);
        var p = P(3, 4);
        Check("transpose", x.T.Contiguous());
        Check("cat1", Tensor.Cat([x, p], 1));
        Check("stack0", Tensor.Stack([x, p], 0));
        Check("eye", Tensor.Eye(3, 4));
        Check("pad", x.Pad([1, 2, 0, 1], 0.5));
        Check("flip1", x.Flip(1));
        Check("index_1_slice", x[1, 1..3]);
        Check("index_neg_step", x[TensorIndex.Colon, TensorIndex.Slice(step: 2)]);
        Check("index_tensor", x[Tensor.From(new long[] { 2, 0 })]);
        Check("index_mask", x[x.Gt(0.5)]);
        var y = x.Clone();
        y[1, 1..3] = Tensor.From(new float[] { 7, 8 });
        Check("index_put", y);
        Check("narrow", x.Narrow(1, 1, 2));
        Check("gather", x.Gather(1, Tensor.From(new long[] { 0, 1, 2, 3, 1, 1 }, 3, 2)));
        Check("index_select", x.IndexSelect(1, Tensor.From(new long[] { 3, 0 })));
        Check("permute", X(2, 3, 4).Permute(2, 0, 1).Contiguous());
        Check("expand", X(3, 1).Expand(3, 4).Contiguous());
        Check("repeat", X(2).Repeat(2, 3));
        Assert.Equal(new long[] { 3, 4, 1 }, x[TensorIndex.Ellipsis, TensorIndex.NewAxis].Shape);
        Assert.Equal(new long[] { 12 }, x.Reshape(-1).Shape);
        Assert.Equal(new long[] { 4, 3 }, x.View(4, 3).Shape);
        Assert.Equal(new long[] { 3, 1, 4 }, x.Unsqueeze(1).Shape);
        Assert.Equal(new long[] { 3, 4 }, x.Unsqueeze(1).Squeeze(1).Shape);
        Assert.Equal(new long[] { 2, 12 }, X(2, 3, 4).Flatten(1).Shape);
        Assert.False(x.T.IsContiguous);
    }

    [Fact]
    public void LinearAlgebra_MatchesPyTorch()
    {
        var a = X(4, 4);
        var spd = a.Matmul(a.T) + Tensor.Eye(4);
        var (sign, logabs) = spd.SlogDet();
        Check("slogdet", Tensor.Stack([sign, logabs]), 1e-4, 1e-5);
        Check("eigvalsh", spd.EigvalsH(), 1e-4, 1e-5);
        Check("trace", spd.Trace());
        Check("diag", spd.Diag());
    }
}
