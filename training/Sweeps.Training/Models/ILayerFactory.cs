using Sweeps.Torch;
using Sweeps.Torch.NN;

namespace Sweeps.Training.Models;

/// <summary>
/// Creates the convolution and linear layers of a model, so that one architecture serves both the
/// full-precision teacher and its quantized students: a quantizing factory returns subclasses of
/// <see cref="Conv2d"/> / <see cref="Linear"/> that quantize weights and inputs but keep PyTorch's
/// state-dict keys (<c>weight</c>, <c>bias</c>) so a student loads its teacher's checkpoint.
/// </summary>
public interface ILayerFactory
{
    /// <summary>A 2-D convolution. Models call it with <c>bias: false</c> where a BatchNorm follows.</summary>
    Conv2d Conv2d(long inChannels, long outChannels, long kernelSize, long stride, long padding, bool bias, LayerRole role, Generator? generator);

    /// <summary>A fully connected layer.</summary>
    Linear Linear(long inFeatures, long outFeatures, LayerRole role, Generator? generator);
}
