namespace Sweeps.Torch.Tests;

/// <summary>The EWGS rounding function of the shim, checked by hand calculation (METHODS.md, Lee et al. 2021).</summary>
public sealed class EwgsRoundTests
{
    [Fact]
    public void Forward_RoundsToTheGridOfLevels()
    {
        using var scope = DisposeScope.Enter();
        // 2 bits: L = 4 levels {0, 1/3, 2/3, 1}.
        var xhat = Tensor.From(new double[] { 0.0, 0.1, 0.2, 0.5, 0.8, 1.0 });
        var q = Functional.EwgsRound(xhat, 4, 0.0).ToArray<double>();
        TestAssert.Close([0.0, 0.0, 1 / 3.0, 2 / 3.0, 2 / 3.0, 1.0], q, what: "x_q");
    }

    [Fact]
    public void Backward_DeltaZero_IsStraightThrough()
    {
        using var scope = DisposeScope.Enter();
        var xhat = Tensor.From(new double[] { 0.1, 0.2, 0.8 }).WithRequiresGrad();
        var g = Tensor.From(new double[] { 0.5, -2.0, 3.0 });
        Functional.EwgsRound(xhat, 4, 0.0).Backward(g);
        Assert.Equal(new double[] { 0.5, -2.0, 3.0 }, xhat.Grad!.ToArray<double>());
    }

    [Fact]
    public void Backward_PositiveDelta_ScalesByDistanceToTheGrid()
    {
        using var scope = DisposeScope.Enter();
        double[] x = [0.1, 0.2, 0.8];
        double[] xq = [0.0, 1 / 3.0, 2 / 3.0];
        double[] g = [0.5, -2.0, 3.0];
        const double delta = 0.25;
        var xhat = Tensor.From(x).WithRequiresGrad();
        Functional.EwgsRound(xhat, 4, delta).Backward(Tensor.From(g));
        var expected = Enumerable.Range(0, 3).Select(i => g[i] * (1 + (delta * Math.Sign(g[i]) * (x[i] - xq[i])))).ToArray();
        TestAssert.Close(expected, xhat.Grad!.ToArray<double>(), 1e-12, 1e-12, "EWGS gradient");
    }

    [Fact]
    public void Levels_BelowTwo_ThrowTorchException()
    {
        using var scope = DisposeScope.Enter();
        var ex = Assert.Throws<TorchException>(() => Functional.EwgsRound(Tensor.Zeros([2]), 1, 0));
        Assert.Contains("levels must be >= 2", ex.Message, StringComparison.Ordinal);
    }
}
