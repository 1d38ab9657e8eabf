using Sweeps.Torch.NN;

namespace Sweeps.Torch.Tests;

/// <summary>A ResNet basic block, registered exactly as reference/nn_reference.py's Block.</summary>
internal sealed class NNTestBlock : Module
{
    private readonly Conv2d _conv1;
    private readonly BatchNorm2d _bn1;
    private readonly ReLU _relu;
    private readonly Conv2d _conv2;
    private readonly BatchNorm2d _bn2;
    private readonly Sequential? _downsample;

    public NNTestBlock(long cin, long cout, long stride, Generator? generator = null)
    {
        _conv1 = RegisterModule("conv1", new Conv2d(cin, cout, 3, stride, 1, bias: false, generator: generator));
        _bn1 = RegisterModule("bn1", new BatchNorm2d(cout));
        _relu = RegisterModule("relu", new ReLU(inPlace: true));
        _conv2 = RegisterModule("conv2", new Conv2d(cout, cout, 3, 1, 1, bias: false, generator: generator));
        _bn2 = RegisterModule("bn2", new BatchNorm2d(cout));
        if (stride != 1 || cin != cout)
        {
            _downsample = RegisterModule("downsample", new Sequential(
                new Conv2d(cin, cout, 1, stride, bias: false, generator: generator), new BatchNorm2d(cout)));
        }
    }

    public override Tensor Forward(Tensor input)
    {
        var identity = _downsample is null ? input : _downsample.Forward(input);
        var x = _relu.Forward(_bn1.Forward(_conv1.Forward(input)));
        x = _bn2.Forward(_conv2.Forward(x));
        return _relu.Forward(x + identity);
    }
}

/// <summary>A small ResNet-like network, registered exactly as reference/nn_reference.py's Net.</summary>
internal sealed class NNTestNet : Module
{
    private readonly Sequential _layer1;
    private readonly Sequential _layer2;

    public NNTestNet(Generator? generator = null)
    {
        var conv1 = RegisterModule("conv1", new Conv2d(3, 8, 3, 1, 1, bias: false, generator: generator));
        var bn1 = RegisterModule("bn1", new BatchNorm2d(8));
        var relu = RegisterModule("relu", new ReLU(inPlace: true));
        var maxpool = RegisterModule("maxpool", new MaxPool2d(3, 2, 1));
        _layer1 = RegisterModule("layer1", new Sequential(new NNTestBlock(8, 8, 1, generator), new NNTestBlock(8, 8, 1, generator)));
        _layer2 = RegisterModule("layer2", new Sequential(new NNTestBlock(8, 16, 2, generator)));
        var avgpool = RegisterModule("avgpool", new AdaptiveAvgPool2d(1));
        var flatten = RegisterModule("flatten", new Flatten());
        var dropout = RegisterModule("dropout", new Dropout(0.0));
        var fc = RegisterModule("fc", new Linear(16, 10, generator: generator));

        // Plain arrays over the registered layers, to keep Forward short.
        Stem = [conv1, bn1, relu, maxpool];
        Head = [avgpool, flatten, dropout, fc];
    }

    private Module[] Stem { get; }

    private Module[] Head { get; }

    public override Tensor Forward(Tensor input)
    {
        var x = input;
        foreach (var m in Stem)
        {
            x = m.Forward(x);
        }

        x = _layer2.Forward(_layer1.Forward(x));
        foreach (var m in Head)
        {
            x = m.Forward(x);
        }

        return x;
    }
}
