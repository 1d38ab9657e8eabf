using System.Globalization;

namespace Sweeps.Torch.NN;

/// <summary>Merges dimensions startDim..endDim into one (torch.nn.Flatten; by default all but the batch dimension). No parameters.</summary>
/// <param name="startDim">First dimension merged (negative counts from the end).</param>
/// <param name="endDim">Last dimension merged (negative counts from the end).</param>
public sealed class Flatten(long startDim = 1, long endDim = -1) : Module
{
    /// <summary>First dimension merged.</summary>
    public long StartDim { get; } = startDim;

    /// <summary>Last dimension merged.</summary>
    public long EndDim { get; } = endDim;

    /// <summary>The input reshaped (a view when possible), e.g. [N, C, H, W] to [N, C*H*W].</summary>
    public override Tensor Forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        return input.Flatten(StartDim, EndDim);
    }

    /// <summary>PyTorch's description, e.g. <c>Flatten(start_dim=1, end_dim=-1)</c>.</summary>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"Flatten(start_dim={StartDim}, end_dim={EndDim})");
}
