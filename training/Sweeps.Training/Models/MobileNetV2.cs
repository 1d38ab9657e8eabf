using Sweeps.Torch;
using Sweeps.Torch.NN;

namespace Sweeps.Training.Models;

/// <summary>
/// MobileNetV2 (Sandler et al., CVPR 2018; width 1.0) exactly as torchvision 0.14's
/// <c>torchvision.models.mobilenet_v2()</c>: module names and state-dict keys are torchvision's
/// (<c>features.0.0.weight</c>, <c>features.2.conv.1.0.weight</c>, <c>classifier.1.bias</c>), so its state dicts load
/// both ways.
/// <code>
/// features.0:      conv 3x3/2 (32) BN ReLU6                                  (the stem; see SmallInput)
/// features.1..17:  inverted residual blocks (t, c, n, s) = (1,16,1,1) (6,24,2,2) (6,32,3,2) (6,64,4,2)
///                  (6,96,3,1) (6,160,3,2) (6,320,1,1); 3x3 depthwise convs (groups = channels)
/// features.18:     conv 1x1 (1280) BN ReLU6
/// global average pooling -> [N, 1280] -> classifier: Dropout(0.2), linear(1280, classes)
/// </code>
/// </summary>
/// <remarks>
/// <para>Small inputs: with <c>smallInput</c> (inputs below 128 pixels) the stem conv (<c>features.0</c>) and the first
/// block of the 24-channel stage (<c>features.2</c>) convolve with stride 1: the network downsamples by 8 instead of
/// 32, as CIFAR-style MobileNetV2s do. No weight changes shape, so torchvision's state dicts load at any input size.
/// SQAKD's own Tiny-ImageNet code keeps the stem and resizes the images to 224x224 instead.</para>
/// <para>Quantization: <c>features.0.0</c> is <see cref="LayerRole.First"/>, <c>classifier.1</c>
/// <see cref="LayerRole.Last"/>, every other conv (depthwise ones included) <see cref="LayerRole.Hidden"/>. The
/// expansion convs and <c>features.18</c> see a linear bottleneck (no ReLU before it), so they are created with a
/// signed input. Initialisation as torchvision: conv weights Kaiming normal (fan-out), BN weight 1 and bias 0, the
/// classifier N(0, 0.01) with bias 0. Stage outputs: the outputs of <c>features.3</c>, <c>features.6</c>,
/// <c>features.13</c> and <c>features.18</c> (the last block at each resolution). Features: [N, 1280].</para>
/// </remarks>
public sealed class MobileNetV2 : ClassifierModel
{
    private static readonly int[] s_stageEnds = [3, 6, 13, 18];

    // (expansion t, channels c, blocks n, stride s) of torchvision's inverted_residual_setting.
    private static readonly (int T, int C, int N, int S)[] s_setting =
        [(1, 16, 1, 1), (6, 24, 2, 2), (6, 32, 3, 2), (6, 64, 4, 2), (6, 96, 3, 1), (6, 160, 3, 2), (6, 320, 1, 1)];

    private readonly Sequential _features;
    private readonly Dropout _dropout;
    private readonly Linear _classifier;

    /// <summary>Builds the network.</summary>
    /// <param name="inputChannels">Channels of the input images (3 for torchvision's weights).</param>
    /// <param name="classCount">Number of classes.</param>
    /// <param name="factory">Creates every conv and linear layer.</param>
    /// <param name="generator">Random source of the initial weights; null uses the global generator.</param>
    /// <param name="smallInput">Whether to use the small-input strides (see the remarks).</param>
    /// <exception cref="ArgumentOutOfRangeException">A count is not positive.</exception>
    public MobileNetV2(int inputChannels, int classCount, ILayerFactory factory, Generator? generator = null, bool smallInput = false)
        : base("mobilenetv2", inputChannels, classCount, 1280, factory)
    {
        SmallInput = smallInput;
        Conv2d Conv(long i, long o, long k, long s, long p, long g, bool signedInput) =>
            CreateConv2d(i, o, k, s, p, bias: false, LayerRole.Hidden, generator, g, signedInput);

        _features = new Sequential();
        var stem = CreateConv2d(inputChannels, 32, 3, smallInput ? 1 : 2, 1, bias: false, LayerRole.First, generator);
        _features.Add(InvertedResidual.ConvBnReLU6(stem, 32));
        long inPlanes = 32;
        foreach (var (t, c, n, s) in s_setting)
        {
            for (var b = 0; b < n; b++)
            {
                long stride = b == 0 ? s : 1;
                if (smallInput && _features.Count == 2)
                {
                    stride = 1;
                }

                // Every block but the first takes a linear bottleneck; the first takes the stem's ReLU6 output.
                _features.Add(new InvertedResidual(inPlanes, c, stride, t, signedInput: _features.Count > 1, Conv));
                inPlanes = c;
            }
        }

        _features.Add(InvertedResidual.ConvBnReLU6(Conv(inPlanes, 1280, 1, 1, 0, 1, true), 1280));
        RegisterModule("features", _features);
        _dropout = new Dropout(0.2);
        _classifier = CreateLinear(1280, classCount, LayerRole.Last, generator);
        RegisterModule("classifier", new Sequential(_dropout, _classifier));
        Initialize(generator);
    }

    /// <summary>Whether the small-input strides are used (stride-1 <c>features.0</c> and <c>features.2</c>).</summary>
    public bool SmallInput { get; }

    /// <inheritdoc/>
    protected override Linear Classifier => _classifier;

    /// <inheritdoc/>
    protected override Tensor ClassifierInput(Tensor features) => _dropout.Forward(features);

    /// <inheritdoc/>
    protected override Tensor ForwardFeatures(Tensor input, List<Tensor>? stageOutputs)
    {
        var x = input;
        for (var i = 0; i < _features.Count; i++)
        {
            x = _features[i].Forward(x);
            if (stageOutputs is not null && s_stageEnds.Contains(i))
            {
                stageOutputs.Add(x);
            }
        }

        return Functional.AdaptiveAvgPool2d(x).Flatten(1);
    }

    // torchvision's loop over modules(): conv weights Kaiming normal (fan-out; its default leaky ReLU with slope 0 has
    // ReLU's gain), BN ones and zeros (already so), linear weights N(0, 0.01) and zero biases.
    private void Initialize(Generator? generator)
    {
        foreach (var module in Modules())
        {
            if (module is Conv2d conv)
            {
                Init.KaimingNormal(conv.Weight, mode: FanMode.FanOut, nonlinearity: Nonlinearity.Relu, generator: generator);
            }
            else if (module is Linear linear)
            {
                Init.Normal(linear.Weight, 0, 0.01, generator);
                if (linear.Bias is not null)
                {
                    Init.Zeros(linear.Bias);
                }
            }
        }
    }
}
