using System.Globalization;

namespace Sweeps.Torch.NN;

/// <summary>2-D max pooling with a square window (torch.nn.MaxPool2d). No parameters.</summary>
public sealed class MaxPool2d : Module
{
    /// <summary>Creates the layer.</summary>
    /// <param name="kernelSize">Window height and width.</param>
    /// <param name="stride">Step in both directions; null means the kernel size.</param>
    /// <param name="padding">Implicit -infinity padding on every side (at most half the kernel size).</param>
    /// <exception cref="ArgumentOutOfRangeException">A size is not positive or padding is negative.</exception>
    public MaxPool2d(long kernelSize, long? stride = null, long padding = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(kernelSize);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(stride ?? kernelSize, nameof(stride));
        ArgumentOutOfRangeException.ThrowIfNegative(padding);
        KernelSize = kernelSize;
        Stride = stride ?? kernelSize;
        Padding = padding;
    }

    /// <summary>Window height and width.</summary>
    public long KernelSize { get; }

    /// <summary>Step in both directions.</summary>
    public long Stride { get; }

    /// <summary>Padding on every side.</summary>
    public long Padding { get; }

    /// <summary>The maximum of each window of an [N, C, H, W] (or [C, H, W]) input.</summary>
    public override Tensor Forward(Tensor input) => Functional.MaxPool2d(input, KernelSize, Stride, Padding);

    /// <summary>PyTorch's description, e.g. <c>MaxPool2d(kernel_size=3, stride=2, padding=1)</c>.</summary>
    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"MaxPool2d(kernel_size={KernelSize}, stride={Stride}, padding={Padding})");
}
