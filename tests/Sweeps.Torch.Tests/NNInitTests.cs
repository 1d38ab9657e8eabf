using Sweeps.Torch.NN;

namespace Sweeps.Torch.Tests;

/// <summary>torch.nn.init formulas: statistics of large draws against gain / sqrt(fan), computed by hand.</summary>
public sealed class NNInitTests
{
    private static (double Mean, double Std, double MaxAbs) Stats(Tensor t)
    {
        var v = NNTestData.Values(t);
        var mean = v.Average();
        var std = Math.Sqrt(v.Sum(x => (x - mean) * (x - mean)) / (v.Length - 1));
        return (mean, std, v.Max(Math.Abs));
    }

    [Fact]
    public void KaimingNormal_FanInRelu_StdIsSqrtTwoOverSqrtFanIn()
    {
        using var generator = new Generator(3);
        using var t = Tensor.Empty([256, 128, 3, 3]);
        Init.KaimingNormal(t, mode: FanMode.FanIn, nonlinearity: Nonlinearity.Relu, generator: generator);
        var (mean, std, _) = Stats(t);
        var expected = Math.Sqrt(2) / Math.Sqrt(128 * 9);
        Assert.InRange(std / expected, 0.98, 1.02);
        Assert.InRange(Math.Abs(mean), 0, 0.01 * expected);
    }

    [Fact]
    public void KaimingNormal_FanOutLeakyRelu_StdUsesFanOutAndSlope()
    {
        using var generator = new Generator(4);
        using var t = Tensor.Empty([64, 512, 3, 3]);
        Init.KaimingNormal(t, a: 0.2, mode: FanMode.FanOut, generator: generator);
        var (_, std, _) = Stats(t);
        var expected = Math.Sqrt(2 / (1 + (0.2 * 0.2))) / Math.Sqrt(64 * 9);
        Assert.InRange(std / expected, 0.98, 1.02);
    }

    [Fact]
    public void KaimingUniform_LinearFanIn_BoundIsSqrtThreeOverSqrtFanIn()
    {
        using var generator = new Generator(5);
        using var t = Tensor.Empty([300, 1000]);
        Init.KaimingUniform(t, nonlinearity: Nonlinearity.Linear, generator: generator);
        var (_, std, maxAbs) = Stats(t);
        var bound = Math.Sqrt(3) / Math.Sqrt(1000);
        Assert.InRange(maxAbs, 0.99 * bound, bound);
        Assert.InRange(std / (1 / Math.Sqrt(1000)), 0.98, 1.02);
    }

    [Fact]
    public void Conv2dDefaultInit_KaimingUniformSqrtFive_BoundIsOneOverSqrtFanIn()
    {
        using var generator = new Generator(6);
        using var conv = new Conv2d(64, 128, 3, generator: generator);
        var bound = 1 / Math.Sqrt(64 * 9);
        var (_, std, maxAbs) = Stats(conv.Weight);
        Assert.InRange(maxAbs, 0.99 * bound, bound);
        Assert.InRange(std / (bound / Math.Sqrt(3)), 0.98, 1.02);
        Assert.InRange(Stats(conv.Bias!).MaxAbs, 0.5 * bound, bound);
    }

    [Fact]
    public void CalculateFanInAndFanOut_ConvAndLinearShapes_AreHandComputed()
    {
        Assert.Equal((8L * 3 * 3, 16L * 3 * 3), Init.CalculateFanInAndFanOut([16, 8, 3, 3]));
        Assert.Equal((7L, 5L), Init.CalculateFanInAndFanOut([5, 7]));
        Assert.Throws<ArgumentException>(() => Init.CalculateFanInAndFanOut([5]));
    }

    [Fact]
    public void CalculateGain_LeakyRelu_DefaultSlopeIsOneHundredth()
    {
        Assert.Equal(Math.Sqrt(2 / (1 + 1e-4)), Init.CalculateGain(Nonlinearity.LeakyRelu));
        Assert.Equal(Math.Sqrt(2), Init.CalculateGain(Nonlinearity.LeakyRelu, 0));
        Assert.Equal(Math.Sqrt(2), Init.CalculateGain(Nonlinearity.Relu));
    }

    [Fact]
    public void UniformNormalZerosOnes_OnParameter_FillWithoutRecordingAndReproducibleFromSeed()
    {
        using var linear = new Linear(50, 40);
        using var g = new Generator(9);
        Init.Normal(linear.Weight, 1, 2, g);
        var first = linear.Weight.ToArray<float>();
        g.SetSeed(9);
        Init.Normal(linear.Weight, 1, 2, g);
        Assert.Equal(first, linear.Weight.ToArray<float>());
        Assert.True(linear.Weight.IsLeaf && linear.Weight.RequiresGrad);
        Init.Uniform(linear.Weight, 2, 3, g);
        Assert.All(linear.Weight.ToArray<float>(), v => Assert.InRange(v, 2f, 3f));
        Init.Zeros(linear.Bias!);
        Assert.All(linear.Bias!.ToArray<float>(), v => Assert.Equal(0f, v));
        Init.Ones(linear.Bias!);
        Assert.All(linear.Bias!.ToArray<float>(), v => Assert.Equal(1f, v));
    }
}
