using Sweeps.Torch;
using Sweeps.Torch.Tests;
using Sweeps.Training.Methods;

namespace Sweeps.Training.Tests;

/// <summary>The loss functions of the four methods against PyTorch (reference/methods_reference.py), exact
/// log-determinants and their invariances: SQAKD/CR's distillation KL, MEC-Quant's coding length, FPQ's CSD, CR's
/// ramp-up.</summary>
public sealed class MethodLossTests(MethodReferenceFixture reference) : IClassFixture<MethodReferenceFixture>
{
    [Theory]
    [InlineData(4.0, "kl_T4")]
    [InlineData(1.0, "kl_T1")]
    public void KlDivergence_FixedLogits_MatchesTorchDistillKl(double temperature, string key)
    {
        using var scope = DisposeScope.Enter();
        var teacher = NNTestData.Formula([5, 7], 0.0, 2.0);
        var student = NNTestData.Formula([5, 7], 1.3, 1.5).WithRequiresGrad();

        var kl = Distillation.KlDivergence(teacher, student, temperature);
        kl.Backward();

        var expected = reference.Root.GetProperty(key);
        TestAssert.Close([expected.GetProperty("value").GetDouble()], [kl.ToDouble()], 1e-5, 1e-7, key);
        TestAssert.Close(PythonReference.Doubles(expected.GetProperty("grad")), NNTestData.Values(student.Grad!), 1e-4, 1e-7, key + " grad");
    }

    [Fact]
    public void KlDivergence_IdenticalLogits_IsZeroAndRejectsBadTemperature()
    {
        using var scope = DisposeScope.Enter();
        var logits = NNTestData.Formula([4, 6]);

        Assert.Equal(0, Distillation.KlDivergence(logits, logits, 4).ToDouble(), 6);
        Assert.Throws<ArgumentOutOfRangeException>(() => Distillation.KlDivergence(logits, logits, 0));
    }

    [Theory]
    [InlineData(0.05)]
    [InlineData(0.3)]
    [InlineData(0.6)]
    [InlineData(0.9)]
    public void TaylorLogDet_SmallGramMatrices_WithinTheSeriesRemainderOfExactLogDet(double largestEigenvalue)
    {
        using var scope = DisposeScope.Enter();
        // C = s Z Z^T, Z = 6 unit rows in 5 dimensions: symmetric PSD; s puts its largest eigenvalue at the given value.
        var f = NNTestData.Formula([6, 5], 0.4).To(ScalarType.Float64);
        var z = f / f.Square().Sum([1], keepDim: true).Sqrt();
        var gram = z.Matmul(z.T);
        var c = gram * (largestEigenvalue / NNTestData.Values(gram.EigvalsH()).Max());
        var eigen = NNTestData.Values(c.EigvalsH());
        Assert.Equal(largestEigenvalue, eigen.Max(), 12);

        var taylor = CodingLength.TaylorLogDet(c).ToDouble();
        var (sign, logAbsDet) = (Tensor.Eye(6, dtype: ScalarType.Float64) + c).SlogDet();
        var exact = logAbsDet.ToDouble();

        Assert.Equal(1, sign.ToDouble());
        // log(1 + x) - (x - x^2/2 + x^3/3 - x^4/4) lies in [0, x^5/5] for 0 <= x < 1, summed over the eigenvalues.
        var remainder = eigen.Sum(x => Math.Pow(Math.Max(x, 0), 5) / 5);
        Assert.InRange(exact - taylor, -1e-12, remainder + 1e-12);
        Assert.Equal(eigen.Sum(x => Math.Log(1 + x)), exact, 10);
    }

    [Fact]
    public void TaylorLogDet_NotSquare_Throws()
    {
        using var scope = DisposeScope.Enter();
        Assert.Throws<ArgumentException>(() => CodingLength.TaylorLogDet(Tensor.Zeros([2, 3])));
    }

    [Fact]
    public void Regularizer_FeaturesAtMecsLambda_MatchesTorchAndExactLogDet()
    {
        using var scope = DisposeScope.Enter();
        var features = NNTestData.Formula([8, 64], 0.3);

        var r = CodingLength.Regularizer(features).ToDouble();

        var expected = reference.Root.GetProperty("mec_single");
        Assert.Equal(expected.GetProperty("value").GetDouble(), r, 5);
        // -(1/(m lambda)) logdet(I + C): here m lambda = d / eps2 = 1, and the Taylor value sits within 0.01 of it.
        var gram = CodingLength.Gram(features.To(ScalarType.Float64), out var lambda);
        Assert.Equal(64.0 / (8 * 64), lambda);
        var exact = -(Tensor.Eye(8, dtype: ScalarType.Float64) + gram).SlogDet().LogAbsDet.ToDouble() / (8 * lambda);
        Assert.Equal(expected.GetProperty("exact").GetDouble(), exact, 9);
        Assert.InRange(r - exact, 0, 0.01);
    }

    [Fact]
    public void Mixture_FixedFeaturesAndGate_MatchesTorchValueAndGradients()
    {
        using var scope = DisposeScope.Enter();
        var features = NNTestData.Formula([8, 64], 0.3).WithRequiresGrad();
        var gate = Tensor.From(new float[] { 0.1f, -0.2f, 0.3f, 0.0f }, 4).WithRequiresGrad();

        var r = CodingLength.Mixture(features, gate);
        r.Backward();

        var expected = reference.Root.GetProperty("mec");
        TestAssert.Close([expected.GetProperty("value").GetDouble()], [r.ToDouble()], 1e-5, 1e-7, "R_mec");
        // The regulariser's gradient reaches the features (and is not zero) and the gate.
        var gradFeatures = NNTestData.Values(features.Grad!);
        Assert.True(gradFeatures.Max(Math.Abs) > 1e-4, "the regulariser's gradient does not reach the features");
        TestAssert.Close(PythonReference.Doubles(expected.GetProperty("grad_features")), gradFeatures, 1e-3, 1e-6, "dR/dfeatures");
        TestAssert.Close(PythonReference.Doubles(expected.GetProperty("grad_gate")), NNTestData.Values(gate.Grad!), 1e-3, 1e-7, "dR/dgate");
    }

    [Fact]
    public void Mixture_EqualGate_IsTheMeanOfTheExperts()
    {
        using var scope = DisposeScope.Enter();
        var features = NNTestData.Formula([8, 64], 0.3);

        var r = CodingLength.Mixture(features, Tensor.Zeros([4])).ToDouble();

        var experts = PythonReference.Doubles(reference.Root.GetProperty("mec").GetProperty("experts"));
        Assert.Equal(experts.Average(), r, 5);
        var own = Enumerable.Range(0, 4).Select(k => CodingLength.Regularizer(features.Narrow(1, 16 * k, 16)).ToDouble()).ToArray();
        TestAssert.Close(experts, own, 1e-5, 1e-7, "experts");
    }

    [Fact]
    public void CsdLoss_IdenticalFeatures_IsZero()
    {
        using var scope = DisposeScope.Enter();
        Tensor[] blocks = [NNTestData.Formula([2, 3, 4, 4], 0.2), NNTestData.Formula([2, 5, 2, 2], 0.7, 2.0)];
        Tensor[] copies = [.. blocks.Select(b => b.Clone())];

        Assert.Equal(0.0, ChannelStandardization.Loss(blocks, copies).ToDouble());
    }

    [Fact]
    public void CsdLoss_PositivePerChannelAffineChangeOfStudent_Unchanged()
    {
        using var scope = DisposeScope.Enter();
        Tensor[] student = [NNTestData.Formula([2, 3, 4, 4], 0.2), NNTestData.Formula([2, 5, 2, 2], 0.7, 2.0)];
        Tensor[] teacher = [NNTestData.Formula([2, 3, 4, 4], 1.1, 0.5), NNTestData.Formula([2, 5, 2, 2], -0.4, 3.0)];
        // Per channel c: a_c in [0.5, 3], b_c in [-2, 2].
        Tensor Affine(Tensor x)
        {
            var channels = x.Size(1);
            var a = Tensor.From(Enumerable.Range(0, (int)channels).Select(c => (float)(0.5 + (2.5 * c / channels))).ToArray(), 1, channels, 1, 1);
            var b = Tensor.From(Enumerable.Range(0, (int)channels).Select(c => (float)(2 * Math.Sin(c + 1.0))).ToArray(), 1, channels, 1, 1);
            return (x * a) + b;
        }

        var original = ChannelStandardization.Loss(student, teacher).ToDouble();
        var changed = ChannelStandardization.Loss([.. student.Select(Affine)], teacher).ToDouble();
        var flipped = ChannelStandardization.Loss([.. student.Select(s => -s)], teacher).ToDouble();

        Assert.True(original > 0.5, $"the loss should not be trivially small here: {original}");
        // Equal up to the effect of eps = 1e-5 in sqrt(var + eps), which the scaling changes relative to var.
        Assert.True(Math.Abs(changed - original) < 1e-4, $"{original} vs {changed}");
        // A negative scale is not such a change: the loss sees it.
        Assert.True(Math.Abs(flipped - original) > 0.1, $"a sign flip should change the loss: {original} vs {flipped}");
    }

    [Fact]
    public void CsdLoss_FixedBlocks_MatchesTorchValueAndGradient()
    {
        using var scope = DisposeScope.Enter();
        var s0 = NNTestData.Formula([2, 3, 4, 4], 0.2).WithRequiresGrad();
        var s1 = NNTestData.Formula([2, 5, 2, 2], 0.7, 2.0).WithRequiresGrad();
        Tensor[] teacher = [NNTestData.Formula([2, 3, 4, 4], 1.1, 0.5), NNTestData.Formula([2, 5, 2, 2], -0.4, 3.0)];

        var loss = ChannelStandardization.Loss([s0, s1], teacher);
        loss.Backward();

        var expected = reference.Root.GetProperty("csd");
        TestAssert.Close([expected.GetProperty("value").GetDouble()], [loss.ToDouble()], 1e-5, 1e-7, "csd");
        TestAssert.Close(PythonReference.Doubles(expected.GetProperty("grad_block0")), NNTestData.Values(s0.Grad!), 1e-3, 1e-6, "dcsd/ds0");
        TestAssert.Close(PythonReference.Doubles(expected.GetProperty("grad_block1")), NNTestData.Values(s1.Grad!), 1e-3, 1e-6, "dcsd/ds1");
    }

    [Fact]
    public void CsdLoss_MismatchedBlocks_ThrowsNamingTheShapes()
    {
        using var scope = DisposeScope.Enter();
        var e = Assert.Throws<ArgumentException>(() => ChannelStandardization.Loss([Tensor.Zeros([2, 3, 4, 4])], [Tensor.Zeros([2, 3, 2, 2])]));
        Assert.Contains("[2, 3, 4, 4]", e.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => ChannelStandardization.Loss([], []));
    }

    [Theory]
    [InlineData(0.0, -5.0)]
    [InlineData(0.15, -1.25)]
    [InlineData(0.3, 0.0)]
    [InlineData(1.0, 0.0)]
    public void ConsistencyWeight_Progress_IsTheSigmoidRampUp(double progress, double logWeight)
    {
        Assert.Equal(Math.Exp(logWeight), CrMethod.ConsistencyWeight(progress), 15);
    }
}
