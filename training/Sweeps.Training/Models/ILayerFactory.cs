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
    /// <param name="inChannels">Input channels.</param>
    /// <param name="outChannels">Output channels.</param>
    /// <param name="kernelSize">Kernel height and width.</param>
    /// <param name="stride">Stride.</param>
    /// <param name="padding">Zero padding.</param>
    /// <param name="bias">Whether the layer has a bias.</param>
    /// <param name="role">Where the layer sits (its bits follow from it).</param>
    /// <param name="generator">Random source of the initial weights; null uses the global generator.</param>
    /// <param name="groups">Channel groups (<c>inChannels</c> for a depthwise convolution).</param>
    /// <param name="signedInput">Whether the layer's input can be negative (the image, or a block input that no
    /// ReLU precedes, such as MobileNetV2's linear bottlenecks): an activation quantizer then uses a signed range.</param>
    Conv2d Conv2d(
        long inChannels, long outChannels, long kernelSize, long stride, long padding, bool bias, LayerRole role, Generator? generator,
        long groups = 1, bool signedInput = false);

    /// <summary>A fully connected layer.</summary>
    Linear Linear(long inFeatures, long outFeatures, LayerRole role, Generator? generator);
}
