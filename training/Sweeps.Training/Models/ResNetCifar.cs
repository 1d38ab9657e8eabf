using Sweeps.Torch;
using Sweeps.Torch.NN;

namespace Sweeps.Training.Models;

/// <summary>
/// The CIFAR ResNet of He et al., "Deep Residual Learning for Image Recognition" (CVPR 2016, section 4.2), depth
/// 6n + 2: a 3x3 stem conv (16 channels) + BN + ReLU; three stages <c>layer1..3</c> of n <see cref="BasicBlock"/>s
/// with 16, 32 and 64 channels, the first block of stages 2 and 3 with stride 2 and a 1x1 conv + BN projection
/// shortcut (option B); global average pooling; a linear classifier <c>fc</c>. Works for any input channels and
/// any input size of at least 4x4 (28x28 and 32x32 give 7x7 / 8x8 before pooling). State-dict keys are those of the
/// usual PyTorch implementation (<c>conv1.weight</c>, <c>layer2.0.shortcut.1.running_var</c>, <c>fc.bias</c>).
/// </summary>
/// <remarks>
/// Layer roles: the stem conv is <see cref="LayerRole.First"/>, <c>fc</c> is <see cref="LayerRole.Last"/>, every
/// other conv <see cref="LayerRole.Hidden"/>. Initialisation as torchvision: layers are created in module order
/// (each drawing PyTorch's default initialisation), then every conv weight is re-drawn Kaiming normal (fan-out, ReLU)
/// in module order; BN weight 1, bias 0; <c>fc</c> keeps PyTorch's default. With the same seed the weights equal those
/// of the PyTorch model built after <c>torch.manual_seed(seed)</c>.
/// Stage outputs (<see cref="ModelOutput.StageOutputs"/>): the outputs of <c>layer1</c>, <c>layer2</c>, <c>layer3</c>
/// ([N, 16, H, W], [N, 32, H/2, W/2], [N, 64, H/4, W/4], sizes rounded up). Features: [N, 64].
/// </remarks>
public sealed class ResNetCifar : ClassifierModel
{
    private readonly Conv2d _conv1;
    private readonly BatchNorm2d _bn1;
    private readonly Sequential[] _stages;
    private readonly Linear _fc;

    /// <summary>Builds a ResNet-(6n+2).</summary>
    /// <param name="blocksPerStage">n: 3 for ResNet-20, 5 for ResNet-32.</param>
    /// <param name="inputChannels">Channels of the input images.</param>
    /// <param name="classCount">Number of classes.</param>
    /// <param name="factory">Creates every conv and linear layer.</param>
    /// <param name="generator">Random source of the initial weights; null uses the global generator.</param>
    /// <exception cref="ArgumentOutOfRangeException">A count is not positive.</exception>
    public ResNetCifar(int blocksPerStage, int inputChannels, int classCount, ILayerFactory factory, Generator? generator = null)
        : base($"resnet{(6 * blocksPerStage) + 2}", inputChannels, classCount, 64, factory)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(blocksPerStage);
        BlocksPerStage = blocksPerStage;
        _conv1 = RegisterModule("conv1", CreateConv2d(inputChannels, 16, 3, 1, 1, bias: false, LayerRole.First, generator));
        _bn1 = RegisterModule("bn1", new BatchNorm2d(16));
        long[] widths = [16, 32, 64];
        _stages = new Sequential[widths.Length];
        long inPlanes = 16;
        Conv2d Hidden(long i, long o, long k, long s, long p) => CreateConv2d(i, o, k, s, p, bias: false, LayerRole.Hidden, generator);
        for (var s = 0; s < widths.Length; s++)
        {
            var stage = new Sequential();
            _stages[s] = RegisterModule($"layer{s + 1}", stage);
            for (var b = 0; b < blocksPerStage; b++)
            {
                stage.Add(new BasicBlock(inPlanes, widths[s], s > 0 && b == 0 ? 2 : 1, Hidden));
                inPlanes = widths[s];
            }
        }

        _fc = RegisterModule("fc", CreateLinear(64, classCount, LayerRole.Last, generator));
        InitializeConvolutions(generator);
    }

    /// <summary>Basic blocks per stage (n; depth 6n + 2).</summary>
    public int BlocksPerStage { get; }

    /// <inheritdoc/>
    protected override Linear Classifier => _fc;

    /// <summary>ResNet-20 (n = 3; 272,474 parameters for 3 input channels and 10 classes).</summary>
    public static ResNetCifar ResNet20(int inputChannels, int classCount, ILayerFactory factory, Generator? generator = null) =>
        new(3, inputChannels, classCount, factory, generator);

    /// <summary>ResNet-32 (n = 5).</summary>
    public static ResNetCifar ResNet32(int inputChannels, int classCount, ILayerFactory factory, Generator? generator = null) =>
        new(5, inputChannels, classCount, factory, generator);

    /// <inheritdoc/>
    protected override Tensor ForwardFeatures(Tensor input, List<Tensor>? stageOutputs)
    {
        var x = Functional.Relu(_bn1.Forward(_conv1.Forward(input)));
        foreach (var stage in _stages)
        {
            x = stage.Forward(x);
            stageOutputs?.Add(x);
        }

        return Functional.AdaptiveAvgPool2d(x).Flatten(1);
    }
}
