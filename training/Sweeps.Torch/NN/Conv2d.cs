using System.Globalization;

namespace Sweeps.Torch.NN;

/// <summary>
/// 2-D convolution of NCHW input (torch.nn.Conv2d with square kernel, stride and padding). Parameters:
/// <c>weight</c> [out, in / groups, k, k] and, unless disabled, <c>bias</c> [out], initialised as PyTorch does:
/// Kaiming uniform with a = sqrt(5) (i.e. U(-1/sqrt(fan_in), 1/sqrt(fan_in))) and bias U(-1/sqrt(fan_in), 1/sqrt(fan_in)).
/// </summary>
public class Conv2d : Module
{
    /// <summary>Creates the layer and draws its initial weights (weight first, then bias, as PyTorch).</summary>
    /// <param name="inChannels">Input channels.</param>
    /// <param name="outChannels">Output channels.</param>
    /// <param name="kernelSize">Kernel height and width.</param>
    /// <param name="stride">Stride in both directions.</param>
    /// <param name="padding">Zero padding on every side.</param>
    /// <param name="bias">Whether the layer has a bias.</param>
    /// <param name="generator">Random source of the initial weights; null uses the global generator.</param>
    /// <param name="groups">Channel groups (inChannels and outChannels must be divisible by it; inChannels = groups is depthwise).</param>
    /// <exception cref="ArgumentOutOfRangeException">A size is not positive, padding is negative, or the channels are not divisible by groups.</exception>
    public Conv2d(
        long inChannels, long outChannels, long kernelSize, long stride = 1, long padding = 0, bool bias = true,
        Generator? generator = null, long groups = 1)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(inChannels);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(outChannels);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(kernelSize);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(stride);
        ArgumentOutOfRangeException.ThrowIfNegative(padding);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(groups);
        if (inChannels % groups != 0 || outChannels % groups != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(groups), groups, "inChannels and outChannels must be divisible by groups");
        }

        InChannels = inChannels;
        OutChannels = outChannels;
        KernelSize = kernelSize;
        Stride = stride;
        Padding = padding;
        Groups = groups;
        Weight = RegisterParameter("weight", Tensor.Empty([outChannels, inChannels / groups, kernelSize, kernelSize]));
        Init.KaimingUniform(Weight, a: Math.Sqrt(5), generator: generator);
        if (bias)
        {
            var bound = 1 / Math.Sqrt(inChannels / groups * kernelSize * kernelSize);
            Bias = RegisterParameter("bias", Tensor.Empty([outChannels]));
            Init.Uniform(Bias, -bound, bound, generator);
        }
    }

    /// <summary>Input channels.</summary>
    public long InChannels { get; }

    /// <summary>Output channels.</summary>
    public long OutChannels { get; }

    /// <summary>Kernel height and width.</summary>
    public long KernelSize { get; }

    /// <summary>Stride in both directions.</summary>
    public long Stride { get; }

    /// <summary>Zero padding on every side.</summary>
    public long Padding { get; }

    /// <summary>Channel groups.</summary>
    public long Groups { get; }

    /// <summary>The kernel [out, in / groups, k, k] (owned by this module).</summary>
    public Tensor Weight { get; }

    /// <summary>The bias [out], or null (owned by this module).</summary>
    public Tensor? Bias { get; }

    /// <summary>Convolves an [N, in, H, W] input into [N, out, H', W'].</summary>
    public override Tensor Forward(Tensor input) =>
        Functional.Conv2d(input, Weight, Bias, (Stride, Stride), (Padding, Padding), groups: Groups);

    /// <summary>PyTorch's description, e.g. <c>Conv2d(3, 16, kernel_size=3, stride=1, padding=1, bias=False)</c>.</summary>
    public override string ToString() => string.Create(
        CultureInfo.InvariantCulture,
        $"Conv2d({InChannels}, {OutChannels}, kernel_size={KernelSize}, stride={Stride}, padding={Padding}{(Groups != 1 ? $", groups={Groups}" : "")}{(Bias is null ? ", bias=False" : "")})");
}
