using Sweeps.Torch;
using Sweeps.Torch.NN;

namespace Sweeps.Training.Models;

/// <summary>
/// ResNet-18 (He et al., CVPR 2016) exactly as torchvision 0.14's <c>torchvision.models.resnet18()</c>: module names and
/// state-dict keys are torchvision's (<c>conv1.weight</c>, <c>layer2.0.downsample.0.weight</c>, <c>fc.bias</c>), so a
/// state dict saved by <c>torch.save(torchvision.models.resnet18(num_classes=K).state_dict(), path)</c> loads into it
/// and its own state dict loads into torchvision's model.
/// <code>
/// conv1 7x7/2 (64) bn1 ReLU maxpool 3x3/2      (the stem; see SmallInput)
/// layer1..layer4: two BasicBlocks each, 64, 128, 256, 512 channels, the first block of layer2..4 with stride 2 and
///                 a 1x1 conv + BN projection (downsample.0, downsample.1)
/// global average pooling -> [N, 512] -> fc: linear(512, classes)
/// </code>
/// </summary>
/// <remarks>
/// <para>Small inputs: with <c>smallInput</c> (inputs below 128 pixels, such as 32x32 or Tiny-ImageNet's 64x64) the
/// stem keeps its 7x7 kernel but convolves with stride 1, and the max pool is left out: the network downsamples by 8
/// instead of 32 (64x64 ends at 8x8, 32x32 at 4x4), as CIFAR-style ResNet-18s do. No weight changes shape, so
/// torchvision's state dicts (pretrained ones included) load at any input size. SQAKD's own Tiny-ImageNet code does
/// not change the stem: it resizes the 64x64 images to 224x224 (<c>image_size: 224</c> here gives that).</para>
/// <para>Layer roles: <c>conv1</c> is <see cref="LayerRole.First"/>, <c>fc</c> <see cref="LayerRole.Last"/>, every
/// other conv <see cref="LayerRole.Hidden"/>. Initialisation as torchvision: every conv weight Kaiming normal (fan-out,
/// ReLU), BN weight 1 and bias 0, <c>fc</c> PyTorch's default (with the same seed the weights equal those of
/// <c>torchvision.models.resnet18()</c> built after <c>torch.manual_seed(seed)</c>). Stage outputs: the outputs of
/// <c>layer1</c> .. <c>layer4</c>. Features: [N, 512].</para>
/// </remarks>
public sealed class ResNet18 : ClassifierModel
{
    private readonly Conv2d _conv1;
    private readonly BatchNorm2d _bn1;
    private readonly MaxPool2d? _maxPool;
    private readonly Sequential[] _stages;
    private readonly Linear _fc;

    /// <summary>Builds the network.</summary>
    /// <param name="inputChannels">Channels of the input images (3 for torchvision's weights).</param>
    /// <param name="classCount">Number of classes.</param>
    /// <param name="factory">Creates every conv and linear layer.</param>
    /// <param name="generator">Random source of the initial weights; null uses the global generator.</param>
    /// <param name="smallInput">Whether to use the small-input stem (see the remarks).</param>
    /// <exception cref="ArgumentOutOfRangeException">A count is not positive.</exception>
    public ResNet18(int inputChannels, int classCount, ILayerFactory factory, Generator? generator = null, bool smallInput = false)
        : base("resnet18", inputChannels, classCount, 512, factory)
    {
        SmallInput = smallInput;
        _conv1 = RegisterModule("conv1", CreateConv2d(inputChannels, 64, 7, smallInput ? 1 : 2, 3, bias: false, LayerRole.First, generator));
        _bn1 = RegisterModule("bn1", new BatchNorm2d(64));
        RegisterModule("relu", new ReLU());
        if (!smallInput)
        {
            _maxPool = RegisterModule("maxpool", new MaxPool2d(3, 2, 1));
        }

        long[] widths = [64, 128, 256, 512];
        _stages = new Sequential[widths.Length];
        long inPlanes = 64;
        Conv2d Hidden(long i, long o, long k, long s, long p) => CreateConv2d(i, o, k, s, p, bias: false, LayerRole.Hidden, generator);
        for (var s = 0; s < widths.Length; s++)
        {
            var stage = new Sequential();
            _stages[s] = RegisterModule($"layer{s + 1}", stage);
            for (var b = 0; b < 2; b++)
            {
                stage.Add(new BasicBlock(inPlanes, widths[s], s > 0 && b == 0 ? 2 : 1, Hidden, "downsample"));
                inPlanes = widths[s];
            }
        }

        RegisterModule("avgpool", new AdaptiveAvgPool2d(1));
        _fc = RegisterModule("fc", CreateLinear(512, classCount, LayerRole.Last, generator));
        InitializeConvolutions(generator);
    }

    /// <summary>Whether the small-input stem is used (stride-1 conv1, no max pool).</summary>
    public bool SmallInput { get; }

    /// <inheritdoc/>
    protected override Linear Classifier => _fc;

    /// <inheritdoc/>
    protected override Tensor ForwardFeatures(Tensor input, List<Tensor>? stageOutputs)
    {
        var x = Functional.Relu(_bn1.Forward(_conv1.Forward(input)));
        if (_maxPool is not null)
        {
            x = _maxPool.Forward(x);
        }

        foreach (var stage in _stages)
        {
            x = stage.Forward(x);
            stageOutputs?.Add(x);
        }

        return Functional.AdaptiveAvgPool2d(x).Flatten(1);
    }
}
