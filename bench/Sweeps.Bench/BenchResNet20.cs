using Sweeps.Torch;
using Sweeps.Torch.NN;

namespace Sweeps.Bench;

/// <summary>
/// CIFAR-style ResNet-20 as bench/train_step.py builds it in PyTorch: a 3x3 stem (16 channels),
/// three stages of three basic blocks (16, 32, 64 channels; stride 2 at the start of stages 2 and 3,
/// with a 1x1 conv + BN projection shortcut where the shape changes), global average pooling, linear.
/// Convolutions have no bias (BN follows each).
/// </summary>
internal sealed class BenchResNet20 : Module
{
    private readonly Conv2d _conv1;
    private readonly BatchNorm2d _bn1;
    private readonly Sequential[] _stages;
    private readonly Linear _fc;

    public BenchResNet20(long inChannels, long classes, Generator generator)
    {
        _conv1 = RegisterModule("conv1", new Conv2d(inChannels, 16, 3, 1, 1, bias: false, generator: generator));
        _bn1 = RegisterModule("bn1", new BatchNorm2d(16));
        long[] widths = [16, 32, 64];
        _stages = new Sequential[3];
        long inPlanes = 16;
        for (var s = 0; s < 3; s++)
        {
            var stage = new Sequential();
            for (var b = 0; b < 3; b++)
            {
                var stride = s > 0 && b == 0 ? 2 : 1;
                stage.Add(new BasicBlock(inPlanes, widths[s], stride, generator));
                inPlanes = widths[s];
            }

            _stages[s] = RegisterModule($"layer{s + 1}", stage);
        }

        _fc = RegisterModule("fc", new Linear(64, classes, generator: generator));
    }

    public override Tensor Forward(Tensor input)
    {
        var x = Functional.Relu(_bn1.Forward(_conv1.Forward(input)));
        foreach (var stage in _stages)
        {
            x = stage.Forward(x);
        }

        return _fc.Forward(Functional.AdaptiveAvgPool2d(x).Flatten(1));
    }

    private sealed class BasicBlock : Module
    {
        private readonly Conv2d _conv1;
        private readonly BatchNorm2d _bn1;
        private readonly Conv2d _conv2;
        private readonly BatchNorm2d _bn2;
        private readonly Sequential? _shortcut;

        public BasicBlock(long inPlanes, long planes, long stride, Generator generator)
        {
            _conv1 = RegisterModule("conv1", new Conv2d(inPlanes, planes, 3, stride, 1, bias: false, generator: generator));
            _bn1 = RegisterModule("bn1", new BatchNorm2d(planes));
            _conv2 = RegisterModule("conv2", new Conv2d(planes, planes, 3, 1, 1, bias: false, generator: generator));
            _bn2 = RegisterModule("bn2", new BatchNorm2d(planes));
            if (stride != 1 || inPlanes != planes)
            {
                _shortcut = RegisterModule("shortcut", new Sequential(
                    new Conv2d(inPlanes, planes, 1, stride, 0, bias: false, generator: generator),
                    new BatchNorm2d(planes)));
            }
        }

        public override Tensor Forward(Tensor input)
        {
            var y = Functional.Relu(_bn1.Forward(_conv1.Forward(input)));
            y = _bn2.Forward(_conv2.Forward(y));
            y = _shortcut is null ? y + input : y + _shortcut.Forward(input);
            return Functional.Relu(y);
        }
    }
}
