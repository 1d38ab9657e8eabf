using Sweeps.Torch;
using Sweeps.Torch.NN;

namespace Sweeps.Training.Models;

/// <summary>
/// MobileNetV2's inverted residual block (Sandler et al., CVPR 2018) as torchvision 0.14 names it: <c>conv</c> is a
/// Sequential of [1x1 expansion conv + BN + ReLU6 (<c>conv.0</c>, left out when the expansion ratio is 1)], 3x3
/// depthwise conv + BN + ReLU6, 1x1 linear projection conv, BN. The input is added to the output when the stride is 1
/// and the channels stay the same.
/// </summary>
internal sealed class InvertedResidual : Module
{
    private readonly Sequential _conv;
    private readonly bool _residual;

    /// <summary>Builds the block; <paramref name="conv"/> creates a conv (in, out, kernel, stride, padding, groups, signed
    /// input). <paramref name="signedInput"/>: whether the block's input can be negative (it is a linear bottleneck,
    /// the output of an earlier block) - the first conv that sees it is told so; the others see ReLU6 outputs.</summary>
    public InvertedResidual(
        long inPlanes, long outPlanes, long stride, long expandRatio, bool signedInput, Func<long, long, long, long, long, long, bool, Conv2d> conv)
    {
        var hidden = inPlanes * expandRatio;
        _residual = stride == 1 && inPlanes == outPlanes;
        _conv = new Sequential();
        if (expandRatio != 1)
        {
            _conv.Add(ConvBnReLU6(conv(inPlanes, hidden, 1, 1, 0, 1, signedInput), hidden));
        }

        _conv.Add(ConvBnReLU6(conv(hidden, hidden, 3, stride, 1, hidden, expandRatio == 1 && signedInput), hidden))
            .Add(conv(hidden, outPlanes, 1, 1, 0, 1, false))
            .Add(new BatchNorm2d(outPlanes));
        RegisterModule("conv", _conv);
    }

    /// <summary>torchvision's <c>Conv2dNormActivation</c> with ReLU6: a Sequential of the conv, a BatchNorm and ReLU6.</summary>
    public static Sequential ConvBnReLU6(Conv2d conv, long channels) => new(conv, new BatchNorm2d(channels), new ReLU6());

    public override Tensor Forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        using var scope = DisposeScope.Enter();
        var y = _conv.Forward(input);
        return scope.MoveToOuter(_residual ? y + input : y);
    }
}
