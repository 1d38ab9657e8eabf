using Sweeps.Torch;

namespace Sweeps.Training.Models;

/// <summary>
/// The result of <see cref="ClassifierModel.ForwardWithFeatures"/>. Every tensor is a new tensor in the caller's
/// current <see cref="DisposeScope"/> (the caller owns it; autograd graphs stay attached in training).
/// </summary>
/// <param name="Logits">Class scores [N, classes] (before softmax).</param>
/// <param name="Features">The penultimate features [N, <see cref="ClassifierModel.FeatureDimension"/>]: after global
/// average pooling, before the classifier.</param>
/// <param name="StageOutputs">The output of each stage, in order ([N, C_s, H_s, W_s]): for the CIFAR ResNets the three
/// residual stages, for <c>resnet18</c> its four, for VGG the conv blocks, for <c>mobilenetv2</c> the last block at each
/// of four resolutions; used for channel-wise feature distillation.</param>
public sealed record ModelOutput(Tensor Logits, Tensor Features, IReadOnlyList<Tensor> StageOutputs);
