using System.Globalization;

namespace Sweeps.Torch.NN;

/// <summary>Average pooling to a fixed output size (torch.nn.AdaptiveAvgPool2d); (1, 1) is global average pooling. No parameters.</summary>
public sealed class AdaptiveAvgPool2d : Module
{
    /// <summary>Pools to <paramref name="outputHeight"/> x <paramref name="outputWidth"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A size is not positive.</exception>
    public AdaptiveAvgPool2d(long outputHeight, long outputWidth)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(outputHeight);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(outputWidth);
        OutputHeight = outputHeight;
        OutputWidth = outputWidth;
    }

    /// <summary>Pools to a square <paramref name="outputSize"/> x <paramref name="outputSize"/> (default 1: global average).</summary>
    /// <exception cref="ArgumentOutOfRangeException">The size is not positive.</exception>
    public AdaptiveAvgPool2d(long outputSize = 1)
        : this(outputSize, outputSize)
    {
    }

    /// <summary>Output height.</summary>
    public long OutputHeight { get; }

    /// <summary>Output width.</summary>
    public long OutputWidth { get; }

    /// <summary>Maps [N, C, H, W] (or [C, H, W]) to [N, C, outputHeight, outputWidth].</summary>
    public override Tensor Forward(Tensor input) => Functional.AdaptiveAvgPool2d(input, OutputHeight, OutputWidth);

    /// <summary>PyTorch's description, e.g. <c>AdaptiveAvgPool2d(output_size=(1, 1))</c>.</summary>
    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"AdaptiveAvgPool2d(output_size=({OutputHeight}, {OutputWidth}))");
}
