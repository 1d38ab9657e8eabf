namespace Sweeps.Torch.NN;

/// <summary>
/// Weight initialisation as torch.nn.init, with the same formulas. Every method fills the tensor in place
/// without recording gradients (so it works on parameters) and returns it; random draws come from
/// <c>generator</c>, or from the global generator when it is null.
/// </summary>
public static class Init
{
    /// <summary>
    /// The recommended gain for a nonlinearity (torch.nn.init.calculate_gain): 1 for linear and sigmoid,
    /// 5/3 for tanh, sqrt(2) for ReLU, sqrt(2 / (1 + slope^2)) for leaky ReLU, 3/4 for SELU.
    /// </summary>
    /// <param name="nonlinearity">The nonlinearity.</param>
    /// <param name="negativeSlope">Leaky ReLU's negative slope; null means 0.01. Ignored otherwise.</param>
    public static double CalculateGain(Nonlinearity nonlinearity, double? negativeSlope = null) => nonlinearity switch
    {
        Nonlinearity.Linear or Nonlinearity.Sigmoid => 1.0,
        Nonlinearity.Tanh => 5.0 / 3,
        Nonlinearity.Relu => Math.Sqrt(2.0),
        Nonlinearity.LeakyRelu => Math.Sqrt(2.0 / (1 + Math.Pow(negativeSlope ?? 0.01, 2))),
        Nonlinearity.Selu => 3.0 / 4,
        _ => throw new ArgumentOutOfRangeException(nameof(nonlinearity), nonlinearity, "unknown nonlinearity"),
    };

    /// <summary>
    /// Fan-in and fan-out of a weight of this shape: size(1) and size(0) times the receptive field (the product of
    /// the sizes after the first two), e.g. a [out, in, kH, kW] convolution has fan-in in*kH*kW.
    /// </summary>
    /// <exception cref="ArgumentException">Fewer than 2 dimensions.</exception>
    public static (long FanIn, long FanOut) CalculateFanInAndFanOut(ReadOnlySpan<long> shape)
    {
        if (shape.Length < 2)
        {
            throw new ArgumentException("fan in and fan out can not be computed for a tensor with fewer than 2 dimensions", nameof(shape));
        }

        long receptiveField = 1;
        for (var i = 2; i < shape.Length; i++)
        {
            receptiveField *= shape[i];
        }

        return (shape[1] * receptiveField, shape[0] * receptiveField);
    }

    /// <summary>Fan-in and fan-out of <paramref name="tensor"/>; see <see cref="CalculateFanInAndFanOut(ReadOnlySpan{long})"/>.</summary>
    /// <exception cref="ArgumentException">Fewer than 2 dimensions.</exception>
    public static (long FanIn, long FanOut) CalculateFanInAndFanOut(Tensor tensor)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        return CalculateFanInAndFanOut(tensor.Shape);
    }

    /// <summary>Uniform samples in [<paramref name="from"/>, <paramref name="to"/>).</summary>
    public static Tensor Uniform(Tensor tensor, double from = 0, double to = 1, Generator? generator = null)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        using var noGrad = new NoGradScope();
        return tensor.UniformInPlace(from, to, generator);
    }

    /// <summary>Normal samples with mean <paramref name="mean"/> and standard deviation <paramref name="std"/>.</summary>
    public static Tensor Normal(Tensor tensor, double mean = 0, double std = 1, Generator? generator = null)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        using var noGrad = new NoGradScope();
        return tensor.NormalInPlace(mean, std, generator);
    }

    /// <summary>Every element set to <paramref name="value"/>.</summary>
    public static Tensor Constant(Tensor tensor, double value)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        using var noGrad = new NoGradScope();
        return tensor.FillInPlace(value);
    }

    /// <summary>Every element set to 0.</summary>
    public static Tensor Zeros(Tensor tensor)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        using var noGrad = new NoGradScope();
        return tensor.ZeroInPlace();
    }

    /// <summary>Every element set to 1.</summary>
    public static Tensor Ones(Tensor tensor) => Constant(tensor, 1);

    /// <summary>
    /// Kaiming (He) uniform initialisation (He et al., "Delving Deep into Rectifiers", ICCV 2015):
    /// U(-b, b) with b = sqrt(3) gain / sqrt(fan), gain = <see cref="CalculateGain"/>(nonlinearity, a).
    /// </summary>
    /// <param name="tensor">At least 2-D; a zero-element tensor is left as is.</param>
    /// <param name="a">The negative slope of the leaky ReLU that follows (used only with <see cref="Nonlinearity.LeakyRelu"/>).</param>
    /// <param name="mode">Fan-in (the default) or fan-out.</param>
    /// <param name="nonlinearity">The nonlinearity that follows (torch's default: leaky ReLU).</param>
    /// <param name="generator">The random source; null uses the global generator.</param>
    public static Tensor KaimingUniform(
        Tensor tensor, double a = 0, FanMode mode = FanMode.FanIn, Nonlinearity nonlinearity = Nonlinearity.LeakyRelu,
        Generator? generator = null)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        var shape = tensor.Shape;
        if (IsEmpty(shape))
        {
            return tensor;
        }

        var bound = Math.Sqrt(3.0) * KaimingStd(shape, a, mode, nonlinearity);
        return Uniform(tensor, -bound, bound, generator);
    }

    /// <summary>
    /// Kaiming (He) normal initialisation (He et al., ICCV 2015): N(0, std^2) with std = gain / sqrt(fan),
    /// gain = <see cref="CalculateGain"/>(nonlinearity, a).
    /// </summary>
    /// <param name="tensor">At least 2-D; a zero-element tensor is left as is.</param>
    /// <param name="a">The negative slope of the leaky ReLU that follows (used only with <see cref="Nonlinearity.LeakyRelu"/>).</param>
    /// <param name="mode">Fan-in (the default) or fan-out.</param>
    /// <param name="nonlinearity">The nonlinearity that follows (torch's default: leaky ReLU).</param>
    /// <param name="generator">The random source; null uses the global generator.</param>
    public static Tensor KaimingNormal(
        Tensor tensor, double a = 0, FanMode mode = FanMode.FanIn, Nonlinearity nonlinearity = Nonlinearity.LeakyRelu,
        Generator? generator = null)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        var shape = tensor.Shape;
        if (IsEmpty(shape))
        {
            return tensor;
        }

        return Normal(tensor, 0, KaimingStd(shape, a, mode, nonlinearity), generator);
    }

    /// <summary>
    /// Xavier (Glorot) uniform initialisation (Glorot and Bengio, AISTATS 2010):
    /// U(-b, b) with b = gain sqrt(6 / (fan_in + fan_out)).
    /// </summary>
    public static Tensor XavierUniform(Tensor tensor, double gain = 1, Generator? generator = null)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        var (fanIn, fanOut) = CalculateFanInAndFanOut(tensor);
        var bound = Math.Sqrt(3.0) * gain * Math.Sqrt(2.0 / (fanIn + fanOut));
        return Uniform(tensor, -bound, bound, generator);
    }

    /// <summary>
    /// Xavier (Glorot) normal initialisation (Glorot and Bengio, AISTATS 2010):
    /// N(0, std^2) with std = gain sqrt(2 / (fan_in + fan_out)).
    /// </summary>
    public static Tensor XavierNormal(Tensor tensor, double gain = 1, Generator? generator = null)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        var (fanIn, fanOut) = CalculateFanInAndFanOut(tensor);
        return Normal(tensor, 0, gain * Math.Sqrt(2.0 / (fanIn + fanOut)), generator);
    }

    private static double KaimingStd(ReadOnlySpan<long> shape, double a, FanMode mode, Nonlinearity nonlinearity)
    {
        var (fanIn, fanOut) = CalculateFanInAndFanOut(shape);
        var fan = mode switch
        {
            FanMode.FanIn => fanIn,
            FanMode.FanOut => fanOut,
            _ => throw new ArgumentOutOfRangeException(nameof(mode), mode, "unknown fan mode"),
        };
        return CalculateGain(nonlinearity, a) / Math.Sqrt(fan);
    }

    private static bool IsEmpty(ReadOnlySpan<long> shape)
    {
        foreach (var s in shape)
        {
            if (s == 0)
            {
                return true;
            }
        }

        return false;
    }
}
