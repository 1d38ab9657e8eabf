using Sweeps.Torch;
using Sweeps.Torch.NN;

namespace Sweeps.Training.Models;

/// <summary>
/// A small CIFAR-style VGG with batch norm (Simonyan and Zisserman, ICLR 2015; the "vgg8"-size network of QAT and
/// distillation papers such as SQAKD), exactly:
/// <code>
/// layer1: conv3x3(C_in, 64) BN ReLU  conv3x3(64, 64)   BN ReLU  maxpool2x2   (layer1.0 .. layer1.6)
/// layer2: conv3x3(64, 128)  BN ReLU  conv3x3(128, 128) BN ReLU  maxpool2x2   (layer2.0 .. layer2.6)
/// layer3: conv3x3(128, 256) BN ReLU  conv3x3(256, 256) BN ReLU  maxpool2x2   (layer3.0 .. layer3.6)
/// global average pooling -> [N, 256] -> classifier: linear(256, classes)
/// </code>
/// Convs have stride 1, padding 1 and no bias; max pools have kernel and stride 2 (floor). Six convs and one linear
/// layer. Works for any input channels and any input size of at least 8x8.
/// </summary>
/// <remarks>
/// Layer roles: <c>layer1.0</c> is <see cref="LayerRole.First"/>, <c>classifier</c> is <see cref="LayerRole.Last"/>,
/// the other convs <see cref="LayerRole.Hidden"/>. Initialisation: conv weights Kaiming normal (fan-out, ReLU), BN
/// weight 1 and bias 0, the classifier PyTorch's default (drawn in the order described for <see cref="ResNetCifar"/>).
/// Stage outputs: the outputs of <c>layer1</c>, <c>layer2</c>, <c>layer3</c> (after pooling: [N, 64, H/2, W/2],
/// [N, 128, H/4, W/4], [N, 256, H/8, W/8], sizes rounded down). Features: [N, 256].
/// </remarks>
public sealed class Vgg8 : ClassifierModel
{
    private readonly Sequential[] _blocks;
    private readonly Linear _classifier;

    /// <summary>Builds the network.</summary>
    /// <param name="inputChannels">Channels of the input images.</param>
    /// <param name="classCount">Number of classes.</param>
    /// <param name="factory">Creates every conv and linear layer.</param>
    /// <param name="generator">Random source of the initial weights; null uses the global generator.</param>
    /// <exception cref="ArgumentOutOfRangeException">A count is not positive.</exception>
    public Vgg8(int inputChannels, int classCount, ILayerFactory factory, Generator? generator = null)
        : base("vgg8", inputChannels, classCount, 256, factory)
    {
        long[] widths = [64, 128, 256];
        _blocks = new Sequential[widths.Length];
        long inPlanes = inputChannels;
        for (var s = 0; s < widths.Length; s++)
        {
            var width = widths[s];
            var first = CreateConv2d(inPlanes, width, 3, 1, 1, bias: false, s == 0 ? LayerRole.First : LayerRole.Hidden, generator);
            var block = new Sequential(first, new BatchNorm2d(width), new ReLU());
            block.Add(CreateConv2d(width, width, 3, 1, 1, bias: false, LayerRole.Hidden, generator))
                .Add(new BatchNorm2d(width))
                .Add(new ReLU())
                .Add(new MaxPool2d(2));
            _blocks[s] = RegisterModule($"layer{s + 1}", block);
            inPlanes = width;
        }

        _classifier = RegisterModule("classifier", CreateLinear(256, classCount, LayerRole.Last, generator));
        InitializeConvolutions(generator);
    }

    /// <inheritdoc/>
    protected override Linear Classifier => _classifier;

    /// <inheritdoc/>
    protected override Tensor ForwardFeatures(Tensor input, List<Tensor>? stageOutputs)
    {
        var x = input;
        foreach (var block in _blocks)
        {
            x = block.Forward(x);
            stageOutputs?.Add(x);
        }

        return Functional.AdaptiveAvgPool2d(x).Flatten(1);
    }
}
