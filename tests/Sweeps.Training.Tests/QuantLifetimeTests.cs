using Sweeps.Torch;
using Sweeps.Torch.NN;
using Sweeps.Training.Models;
using Sweeps.Training.Quantization;

namespace Sweeps.Training.Tests;

/// <summary>Quantized layers and the delta update leave no tensor behind, in NCHW and in channels-last.</summary>
[Collection(LiveTensorCollection.Name)]
public sealed class QuantLifetimeTests
{
    [Theory]
    [InlineData(QuantizerKind.Ewgs, "W4A4", false)]
    [InlineData(QuantizerKind.Lsq, "W3A2", false)]
    [InlineData(QuantizerKind.Pact, "W2A2", false)]
    [InlineData(QuantizerKind.Pact, "W1A1", false)]
    [InlineData(QuantizerKind.Ewgs, "W4A4", true)]
    [InlineData(QuantizerKind.Lsq, "W3A2", true)]
    [InlineData(QuantizerKind.Pact, "W2A2", true)]
    [InlineData(QuantizerKind.Pact, "W1A1", true)]
    public void ForwardBackward_QuantizedModel_LeavesLiveCountUnchanged(QuantizerKind kind, string bits, bool channelsLast)
    {
        var factory = new QuantizedLayerFactory(kind, BitWidths.Parse(bits), QuantizationPolicy.Uniform);
        using var model = new Sequential(
            factory.Conv2d(2, 4, 3, 1, 1, false, LayerRole.First, new Generator(1)), new ReLU(), new Flatten(),
            factory.Linear(4 * 5 * 5, 3, LayerRole.Last, new Generator(2)));
        using var x = Input([2, 2, 5, 5], model, channelsLast);
        Step(model, x); // initialises the quantizers and allocates gradients
        var start = Tensor.LiveCount;

        Step(model, x);
        Step(model, x);

        Assert.Equal(start, Tensor.LiveCount);
        Assert.All(model.QuantizerParameters(), p => Assert.NotNull(p.Grad));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void HutchinsonUpdate_QuantizedModel_LeavesLiveCountUnchanged(bool channelsLast)
    {
        var factory = new QuantizedLayerFactory(QuantizerKind.Ewgs, BitWidths.Parse("W2A2"), QuantizationPolicy.Uniform);
        using var model = new Sequential(
            factory.Conv2d(2, 4, 3, 1, 1, false, LayerRole.First, new Generator(1)), new ReLU(), new Flatten(),
            factory.Linear(4 * 5 * 5, 3, LayerRole.Last, new Generator(2)));
        using var x = Input([4, 2, 5, 5], model, channelsLast);
        using var target = Tensor.From(new long[] { 0, 1, 2, 1 }, 4);
        Step(model, x);
        var start = Tensor.LiveCount;

        var deltas = HutchinsonDelta.Update(model, _ => Functional.CrossEntropy(model.Forward(x), target), maxSamples: 5);

        Assert.Equal(start, Tensor.LiveCount);
        Assert.Equal(4, deltas.Count);
        Assert.All(deltas.Values, d => Assert.True(d >= 0 && double.IsFinite(d)));
    }

    // A random input owned by the caller; in channels-last, the model is converted too.
    private static Tensor Input(long[] shape, Module model, bool channelsLast)
    {
        using var scope = DisposeScope.Enter();
        var x = Tensor.Randn(shape, new Generator(3));
        if (channelsLast)
        {
            model.To(MemoryFormat.ChannelsLast);
            x = x.ToMemoryFormat(MemoryFormat.ChannelsLast);
        }

        return DisposeScope.Detach(x);
    }

    private static void Step(Module model, Tensor x)
    {
        using var scope = DisposeScope.Enter();
        model.ZeroGrad();
        model.Forward(x).Square().Mean().Backward();
    }
}
