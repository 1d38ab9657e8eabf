using Sweeps.Torch;
using Sweeps.Torch.Optim;
using Sweeps.Training.Models;

namespace Sweeps.Training.Tests;

/// <summary>Models leak no tensors: training steps (NCHW and channels-last) and a model's lifetime leave the live counts
/// unchanged.</summary>
[Collection(LiveTensorCollection.Name)]
public sealed class ModelLiveCountTests
{
    [Theory]
    [InlineData(MemoryFormat.Contiguous)]
    [InlineData(MemoryFormat.ChannelsLast)]
    public void TrainingStep_ResNet20TinyBatch_LeavesLiveCountUnchanged(MemoryFormat format)
    {
        using var generator = new Generator(2);
        using var model = ModelRegistry.Create("resnet20", 1, 10, FullPrecisionLayerFactory.Instance, generator);
        model.To(format);
        using var optimizer = new Sgd(model.Parameters(), new SgdOptions(0.05, Momentum: 0.9));
        using var nchw = ModelTestData.Input([2, 1, 12, 12]);
        using var input = DisposeScope.Detach(nchw.ToMemoryFormat(format));
        using var target = Tensor.From(new long[] { 3, 7 });

        // A first step creates the momentum buffers; later steps must not add anything.
        var losses = new List<double>();
        Step();
        var before = Tensor.LiveCount;
        var nativeBefore = Sweeps.Torch.Torch.LiveNativeTensors;
        for (var step = 0; step < 2; step++)
        {
            Step();
        }

        Assert.Equal(before, Tensor.LiveCount);
        Assert.Equal(nativeBefore, Sweeps.Torch.Torch.LiveNativeTensors);
        Assert.True(losses[^1] < losses[0], $"loss did not decrease: {string.Join(", ", losses)}");

        void Step()
        {
            using var scope = DisposeScope.Enter();
            var output = model.ForwardWithFeatures(input);
            var loss = Functional.CrossEntropy(output.Logits, target);
            loss.Backward();
            optimizer.Step();
            model.ZeroGrad();
            losses.Add(loss.ToDouble());
        }
    }

    [Fact]
    public void ModelLifetime_CreateAndDispose_LeavesLiveCountUnchanged()
    {
        var before = Tensor.LiveCount;
        var model = ModelRegistry.Create("vgg8", 3, 10, FullPrecisionLayerFactory.Instance, null);
        Assert.Equal(before + model.Parameters().Count() + model.Buffers().Count(), Tensor.LiveCount);
        model.Dispose();
        Assert.Equal(before, Tensor.LiveCount);
    }
}
