using Sweeps.Torch;
using Sweeps.Torch.Tests;
using Sweeps.Training.Quantization;
using static Sweeps.Training.Tests.QuantTestData;

namespace Sweeps.Training.Tests;

/// <summary>Quantizers by hand: grids, round trips, initial values and gradients from the formulas.</summary>
public sealed class QuantizerTests
{
    [Fact]
    public void Ewgs_WeightInit_IsPlusMinusThreeStandardDeviations()
    {
        using var scope = DisposeScope.Enter();
        using var q = new EwgsQuantizer(QuantizationTarget.Weights, 4);
        q.Forward(Tensor.From(new[] { 1f, 2f, 3f, 4f }, 4));

        var sd = Math.Sqrt(5.0 / 3); // unbiased sd of 1..4
        Assert.Equal(3 * sd, q.Upper.ToDouble(), 5);
        Assert.Equal(-3 * sd, q.Lower.ToDouble(), 5);
        Assert.True(q.IsInitialized);
    }

    [Fact]
    public void Ewgs_ActivationInit_IsHalfNormalUpperAndMinimumLower()
    {
        using var scope = DisposeScope.Enter();
        using var q = new EwgsQuantizer(QuantizationTarget.Activations, 4);
        q.Forward(Tensor.From(new[] { -1f, 0f, 1f, 2f }, 4));

        Assert.Equal(3 * Math.Sqrt(5.0 / 3) / Math.Sqrt(1 - (2 / Math.PI)), q.Upper.ToDouble(), 4);
        Assert.Equal(-1, q.Lower.ToDouble(), 6);
    }

    [Fact]
    public void Ewgs_SecondInput_DoesNotReinitialise()
    {
        using var scope = DisposeScope.Enter();
        using var q = new EwgsQuantizer(QuantizationTarget.Weights, 4);
        q.Forward(Tensor.From(new[] { 1f, 2f, 3f, 4f }, 4));
        var upper = q.Upper.ToDouble();
        q.Forward(Tensor.From(new[] { 10f, 20f, 30f, 40f }, 4));

        Assert.Equal(upper, q.Upper.ToDouble());
    }

    [Fact]
    public void Ewgs_LoadedInitializedState_SkipsInitialisation()
    {
        using var scope = DisposeScope.Enter();
        using var trained = new EwgsQuantizer(QuantizationTarget.Weights, 2);
        trained.Forward(Tensor.From(new[] { 1f, 2f, 3f, 4f }, 4));
        using var fresh = new EwgsQuantizer(QuantizationTarget.Weights, 2);
        fresh.LoadStateDict(trained.StateDict());
        fresh.Forward(Tensor.From(new[] { 10f, 20f, 30f, 40f }, 4));

        Assert.Equal(trained.Upper.ToDouble(), fresh.Upper.ToDouble());
        Assert.Equal(["lower", "upper", "scale", "initialized"], trained.StateDict().Keys);
    }

    [Theory]
    [InlineData(QuantizationTarget.Weights, 2)]
    [InlineData(QuantizationTarget.Weights, 4)]
    [InlineData(QuantizationTarget.Activations, 3)]
    public void Ewgs_AnyInput_LandsOnTheGridAndGridValuesRoundTrip(QuantizationTarget target, int bits)
    {
        using var scope = DisposeScope.Enter();
        using var q = new EwgsQuantizer(target, bits);
        var levels = (1 << bits) - 1;
        var y = Values(q.Forward(Tensor.From(target == QuantizationTarget.Weights ? Weights : Activations, N)));
        var scale = q.Scale.ToDouble();
        foreach (var v in y)
        {
            var k = target == QuantizationTarget.Weights ? ((v / scale) + 1) / 2 * levels : v / scale * levels;
            Assert.True(Math.Abs(k - Math.Round(k)) < 1e-4 && Math.Round(k) >= 0 && Math.Round(k) <= levels, $"{v} is off the grid");
        }

        // With l = lower grid end, u = upper grid end and s = 1, grid values map to themselves (to float rounding).
        Set(q.Scale, 1);
        Set(q.Lower, target == QuantizationTarget.Weights ? -1 : 0);
        Set(q.Upper, 1);
        var grid = Enumerable.Range(0, levels + 1)
            .Select(k => target == QuantizationTarget.Weights ? ((2.0 * k / levels) - 1) : (double)k / levels)
            .Select(v => (float)v).ToArray();
        TestAssert.Close(grid.Select(v => (double)v).ToArray(), Doubles(q.Forward(Tensor.From(grid, grid.Length))), 0, 1e-6);
    }

    [Fact]
    public void Ewgs_Delta_ScalesTheInputGradientElementwise()
    {
        // l = 0, u = 1, s = 1, 2 bits: x = 0.1 -> x_q = 0 (diff +0.1); x = 0.6 -> 2/3 (diff -0.0667).
        using var scope = DisposeScope.Enter();
        using var q = new EwgsQuantizer(QuantizationTarget.Activations, 2) { Delta = 0.5 };
        q.Forward(Tensor.From(new[] { 0f, 1f }, 2));
        Set(q.Lower, 0);
        Set(q.Upper, 1);
        Set(q.Scale, 1);
        var x = Tensor.From(new[] { 0.1f, 0.6f, 0.6f }, 3).WithRequiresGrad();
        (q.Forward(x) * Tensor.From(new[] { 2f, 2f, -2f }, 3)).Sum().Backward();

        var d = 0.6 - (2.0 / 3);
        TestAssert.Close([2 * (1 + (0.5 * 0.1)), 2 * (1 + (0.5 * d)), -2 * (1 - (0.5 * d))], Doubles(x.Grad!), 1e-5, 1e-6);
    }

    [Fact]
    public void Lsq_HandExample_StepGradientIncludesOneOverSqrtNQp()
    {
        using var scope = DisposeScope.Enter();
        using var q = new LsqQuantizer(QuantizationTarget.Weights, 2); // Qn = 2, Qp = 1
        var v = new[] { -1.2, -0.3, 0.1, 0.45, 2.0 };
        var x = Tensor.From(v.Select(a => (float)a).ToArray(), 5).WithRequiresGrad();
        var y = q.Forward(x);
        y.Sum().Backward();

        var s = 2 * v.Select(Math.Abs).Average() / Math.Sqrt(1); // 1.62
        Assert.Equal(s, q.Step.ToDouble(), 5);
        TestAssert.Close([-s, 0, 0, 0, s], Doubles(y), 1e-6, 1e-6, "value");
        TestAssert.Close([1, 1, 1, 1, 0], Doubles(x.Grad!), 0, 0, "dx");
        var inRange = v.Take(4).Sum(a => Math.Round(a / s) - (a / s));
        var expected = (inRange + 1 /* Qp for the clipped 2.0 */) / Math.Sqrt(5 * 1);
        Assert.Equal(expected, q.Step.Grad!.ToDouble(), 5);
    }

    [Fact]
    public void Lsq_GridValues_RoundTripExactly()
    {
        using var scope = DisposeScope.Enter();
        using var q = new LsqQuantizer(QuantizationTarget.Weights, 3); // {-4..3} s
        q.Forward(Tensor.From(new[] { 1f }, 1));
        Set(q.Step, 0.25);
        var grid = Enumerable.Range(-4, 8).Select(k => k * 0.25f).ToArray();
        Assert.Equal(grid, Values(q.Forward(Tensor.From(grid, 8))));
        Assert.Equal(new[] { -1f, 0.75f }, Values(q.Forward(Tensor.From(new[] { -7f, 9f }, 2))));
    }

    [Fact]
    public void Pact_HandExample_ValuesAndGradients()
    {
        using var scope = DisposeScope.Enter();
        using var q = new PactQuantizer(2);
        Assert.Equal(PactQuantizer.InitialAlpha, q.Alpha.ToDouble());
        Set(q.Alpha, 2);
        var x = Tensor.From(new[] { -1f, 0.7f, 1.4f, 2f, 5f }, 5).WithRequiresGrad();
        var y = q.Forward(x);
        y.Sum().Backward();

        TestAssert.Close([0, 2.0 / 3, 4.0 / 3, 2, 2], Doubles(y), 1e-6, 1e-6, "value");
        TestAssert.Close([0, 1, 1, 0, 0], Doubles(x.Grad!), 0, 0, "dx");
        Assert.Equal(2, q.Alpha.Grad!.ToDouble()); // x = 2 and x = 5 reach alpha
    }

    [Fact]
    public void Pact_GridValues_RoundTripExactly()
    {
        using var scope = DisposeScope.Enter();
        using var q = new PactQuantizer(3);
        Set(q.Alpha, 7);
        var grid = Enumerable.Range(0, 8).Select(k => (float)k).ToArray();
        Assert.Equal(grid, Values(q.Forward(Tensor.From(grid, 8))));
    }

    [Fact]
    public void DoReFa_HandExample_FollowsTheFormula()
    {
        // tanh = [-0.7616, -0.1974, 0, 0.4621]; z = tanh/(2*0.7616) + 1/2 = [0, 0.3704, 0.5, 0.8034];
        // 3z rounded (half to even) = [0, 1, 2, 2]; 2 (k/3) - 1.
        using var scope = DisposeScope.Enter();
        using var q = new DoReFaWeightQuantizer(2);
        var y = q.Forward(Tensor.From(new[] { -1f, -0.2f, 0f, 0.5f }, 4));

        TestAssert.Close([-1, -1.0 / 3, 1.0 / 3, 1.0 / 3], Doubles(y), 1e-6, 1e-6);
    }

    [Fact]
    public void Binary_Weights_AreSignTimesMeanAbsWithIdentityGradient()
    {
        using var scope = DisposeScope.Enter();
        using var q = new BinaryWeightQuantizer();
        var x = Tensor.From(new[] { -0.4f, 0.1f, 0f, 0.3f }, 4).WithRequiresGrad();
        var y = q.Forward(x);
        (y * Tensor.From(new[] { 1f, 2f, 3f, 4f }, 4)).Sum().Backward();

        TestAssert.Close([-0.2, 0.2, 0.2, 0.2], Doubles(y), 1e-6, 1e-7, "value");
        TestAssert.Close([1, 2, 3, 4], Doubles(x.Grad!), 0, 0, "grad");
    }

    [Fact]
    public void Create_OneBit_IsBinaryWeightsAndPactActivations()
    {
        using var w = Quantizers.Create(QuantizerKind.Ewgs, QuantizationTarget.Weights, 1);
        using var a = Quantizers.Create(QuantizerKind.Lsq, QuantizationTarget.Activations, 1);

        Assert.IsType<BinaryWeightQuantizer>(w);
        Assert.Equal(1, Assert.IsType<PactQuantizer>(a).Bits);
        Assert.Null(Quantizers.Create(QuantizerKind.Ewgs, QuantizationTarget.Weights, 32));
    }
}
