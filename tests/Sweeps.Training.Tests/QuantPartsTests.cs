using Sweeps.Torch;
using Sweeps.Training.Quantization;
using Sweeps.Torch.Tests;
using static Sweeps.Training.Tests.QuantTestData;

namespace Sweeps.Training.Tests;

/// <summary>The straight-through parts alone: values and gradients by hand.</summary>
public sealed class QuantPartsTests
{
    [Fact]
    public void Round_HalfValues_RoundsToEvenWithIdentityGradient()
    {
        using var scope = DisposeScope.Enter();
        var x = Tensor.From(new[] { -1.5f, -0.4f, 0.5f, 1.5f, 2.6f }, 5).WithRequiresGrad();
        var y = StraightThrough.Round(x);
        (y * Tensor.From(new[] { 1f, 2f, 3f, 4f, 5f }, 5)).Sum().Backward();

        TestAssert.Close([-2, 0, 0, 2, 3], Doubles(y), 0, 0, "value");
        TestAssert.Close([1, 2, 3, 4, 5], Doubles(x.Grad!), 0, 0, "grad");
    }

    [Fact]
    public void Sign_ZeroAndNegatives_IsBinaryWithIdentityGradient()
    {
        using var scope = DisposeScope.Enter();
        var x = Tensor.From(new[] { -0.3f, 0f, 2f }, 3).WithRequiresGrad();
        var y = StraightThrough.Sign(x);
        (y * Tensor.From(new[] { 5f, 6f, 7f }, 3)).Sum().Backward();

        TestAssert.Close([-1, 1, 1], Doubles(y), 0, 0, "value");
        TestAssert.Close([5, 6, 7], Doubles(x.Grad!), 0, 0, "grad");
    }

    [Fact]
    public void ScaleGradient_Quarter_KeepsValueAndScalesGradient()
    {
        using var scope = DisposeScope.Enter();
        var x = Tensor.From(new[] { 1.5f, -2f }, 2).WithRequiresGrad();
        var y = StraightThrough.ScaleGradient(x, 0.25);
        (y * Tensor.From(new[] { 4f, 8f }, 2)).Sum().Backward();

        TestAssert.Close([1.5, -2], Doubles(y), 0, 0, "value");
        TestAssert.Close([1, 2], Doubles(x.Grad!), 1e-7, 0, "grad");
    }

    [Fact]
    public void ClipToAlpha_Unsigned_AlphaGradientIsSumWhereInputReachesAlpha()
    {
        using var scope = DisposeScope.Enter();
        var x = Tensor.From(new[] { -1f, 0.5f, 2f, 3f }, 4).WithRequiresGrad();
        var alpha = Tensor.Scalar(2).WithRequiresGrad();
        var y = StraightThrough.ClipToAlpha(x, alpha, signed: false);
        (y * Tensor.From(new[] { 1f, 2f, 4f, 8f }, 4)).Sum().Backward();

        TestAssert.Close([0, 0.5, 2, 2], Doubles(y), 0, 0, "value");
        TestAssert.Close([0, 2, 0, 0], Doubles(x.Grad!), 0, 0, "dx");
        Assert.Equal(12, alpha.Grad!.ToDouble()); // x = 2 (== alpha) and x = 3 count
    }

    [Fact]
    public void ClipToAlpha_Signed_AlphaGradientCountsBothEnds()
    {
        using var scope = DisposeScope.Enter();
        var x = Tensor.From(new[] { -3f, -2f, 0.5f, 2.5f }, 4).WithRequiresGrad();
        var alpha = Tensor.Scalar(2).WithRequiresGrad();
        var y = StraightThrough.ClipToAlpha(x, alpha, signed: true);
        (y * Tensor.From(new[] { 1f, 2f, 4f, 8f }, 4)).Sum().Backward();

        TestAssert.Close([-2, -2, 0.5, 2], Doubles(y), 0, 0, "value");
        TestAssert.Close([0, 0, 4, 0], Doubles(x.Grad!), 0, 0, "dx");
        Assert.Equal(8 - 1 - 2, alpha.Grad!.ToDouble());
    }
}
