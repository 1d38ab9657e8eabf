using Sweeps.Torch.NN;

namespace Sweeps.Torch.Tests;

/// <summary>Modules leak no tensors: a training step in a scope and a model's lifetime leave the live count unchanged.</summary>
[Collection("LiveCount")]
public sealed class NNLiveCountTests
{
    [Fact]
    public void TrainingStep_ForwardBackwardZeroGradInScope_LeavesLiveCountUnchanged()
    {
        using var net = new NNTestNet();
        using var input = NNTestData.Formula([4, 3, 8, 8]);
        using var target = Tensor.From(new long[] { 1, 3, 0, 9 });
        var before = Tensor.LiveCount;
        var nativeBefore = Torch.LiveNativeTensors;
        for (var step = 0; step < 3; step++)
        {
            using var scope = DisposeScope.Enter();
            var loss = Functional.CrossEntropy(net.Forward(input), target);
            loss.Backward();
            Assert.True(loss.ToDouble() > 0);
            Assert.True(scope.Count > 10);
            net.ZeroGrad(setToNone: step % 2 == 0);
        }

        Assert.Equal(before, Tensor.LiveCount);
        Assert.Equal(nativeBefore, Torch.LiveNativeTensors);
    }

    [Fact]
    public void ModelLifetime_ConstructStateDictDispose_LeavesLiveCountUnchanged()
    {
        var before = Tensor.LiveCount;
        var net = new NNTestNet();
        Assert.Equal(before + net.Parameters().Count() + net.Buffers().Count(), Tensor.LiveCount);
        using (var scope = DisposeScope.Enter())
        {
            Assert.Equal(net.StateDict().Count, scope.Count);
        }

        net.Dispose();
        Assert.Equal(before, Tensor.LiveCount);
    }
}
