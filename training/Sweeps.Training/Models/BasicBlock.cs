using Sweeps.Torch;
using Sweeps.Torch.NN;

namespace Sweeps.Training.Models;

/// <summary>
/// ResNet basic block (He et al., CVPR 2016): relu(bn2(conv2(relu(bn1(conv1(x))))) + shortcut(x)), with 3x3 convs
/// without bias; where the shape changes the shortcut is a 1x1 conv (with the block's stride) + BN projection
/// (option B) registered as <c>shortcut.0</c> / <c>shortcut.1</c> (torchvision's name: <c>downsample</c>), otherwise
/// the identity.
/// </summary>
internal sealed class BasicBlock : Module
{
    private readonly Conv2d _conv1;
    private readonly BatchNorm2d _bn1;
    private readonly Conv2d _conv2;
    private readonly BatchNorm2d _bn2;
    private readonly Sequential? _shortcut;

    public BasicBlock(long inPlanes, long planes, long stride, Func<long, long, long, long, long, Conv2d> conv, string shortcutName = "shortcut")
    {
        _conv1 = RegisterModule("conv1", conv(inPlanes, planes, 3, stride, 1));
        _bn1 = RegisterModule("bn1", new BatchNorm2d(planes));
        _conv2 = RegisterModule("conv2", conv(planes, planes, 3, 1, 1));
        _bn2 = RegisterModule("bn2", new BatchNorm2d(planes));
        if (stride != 1 || inPlanes != planes)
        {
            _shortcut = RegisterModule(shortcutName, new Sequential(conv(inPlanes, planes, 1, stride, 0), new BatchNorm2d(planes)));
        }
    }

    public override Tensor Forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        using var scope = DisposeScope.Enter();
        var y = Functional.Relu(_bn1.Forward(_conv1.Forward(input)));
        y = _bn2.Forward(_conv2.Forward(y));
        y = _shortcut is null ? y + input : y + _shortcut.Forward(input);
        return scope.MoveToOuter(Functional.Relu(y));
    }
}
