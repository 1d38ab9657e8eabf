using Sweeps.Torch;
using Sweeps.Torch.NN;

namespace Sweeps.Training.Models;

/// <summary>
/// The full-precision factory: plain <see cref="Sweeps.Torch.NN.Conv2d"/> and <see cref="Sweeps.Torch.NN.Linear"/>
/// layers with PyTorch's default initialisation, whatever the role. Stateless and thread-safe; use
/// <see cref="Instance"/>.
/// </summary>
public sealed class FullPrecisionLayerFactory : ILayerFactory
{
    /// <summary>The shared instance.</summary>
    public static FullPrecisionLayerFactory Instance { get; } = new();

    /// <inheritdoc/>
    public Conv2d Conv2d(
        long inChannels, long outChannels, long kernelSize, long stride, long padding, bool bias, LayerRole role, Generator? generator,
        long groups = 1, bool signedInput = false) =>
        new(inChannels, outChannels, kernelSize, stride, padding, bias, generator, groups);

    /// <inheritdoc/>
    public Linear Linear(long inFeatures, long outFeatures, LayerRole role, Generator? generator) =>
        new(inFeatures, outFeatures, bias: true, generator: generator);
}
