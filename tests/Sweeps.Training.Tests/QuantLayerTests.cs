using Sweeps.Torch;
using Sweeps.Torch.NN;
using Sweeps.Torch.Tests;
using Sweeps.Training.Models;
using Sweeps.Training.Quantization;
using static Sweeps.Training.Tests.QuantTestData;

namespace Sweeps.Training.Tests;

/// <summary>Quantized layers, the layer factory's policy, teacher loading, parameter groups and statistics.</summary>
public sealed class QuantLayerTests
{
    [Fact]
    public void QuantConv2d_StateDict_HasTeacherKeysThenQuantizerKeys()
    {
        using var scope = DisposeScope.Enter();
        using var conv = new QuantConv2d(
            3, 4, 3, 1, 1, bias: true, new EwgsQuantizer(QuantizationTarget.Weights, 4), new EwgsQuantizer(QuantizationTarget.Activations, 4));

        Assert.Equal(
            [
                "weight", "bias",
                "weight_quantizer.lower", "weight_quantizer.upper", "weight_quantizer.scale", "weight_quantizer.initialized",
                "input_quantizer.lower", "input_quantizer.upper", "input_quantizer.scale", "input_quantizer.initialized",
            ],
            conv.StateDict().Keys);
    }

    [Fact]
    public void LoadTeacherState_FullPrecisionTeacher_LoadsWeightsAndMissesOnlyQuantizerKeys()
    {
        using var scope = DisposeScope.Enter();
        var fp = new QuantizedLayerFactory(QuantizerKind.Lsq, BitWidths.FullPrecision);
        var q = new QuantizedLayerFactory(QuantizerKind.Lsq, BitWidths.Parse("W4A4"));
        using var teacher = new Sequential(fp.Conv2d(1, 2, 3, 1, 1, false, LayerRole.First, null), new Flatten(), fp.Linear(8, 3, LayerRole.Last, null));
        using var student = new Sequential(q.Conv2d(1, 2, 3, 1, 1, false, LayerRole.First, null), new Flatten(), q.Linear(8, 3, LayerRole.Last, null));

        var result = student.LoadTeacherState(teacher.StateDict());

        Assert.Empty(result.UnexpectedKeys);
        Assert.Equal(["0.weight_quantizer.step", "0.weight_quantizer.initialized", "0.input_quantizer.step", "0.input_quantizer.initialized",
            "2.weight_quantizer.step", "2.weight_quantizer.initialized", "2.input_quantizer.step", "2.input_quantizer.initialized"], result.MissingKeys);
        Assert.Equal(Values(((Conv2d)teacher.Children().First()).Weight), Values(((Conv2d)student.Children().First()).Weight));
        using var other = new Sequential(new Linear(8, 3));
        Assert.Throws<StateDictMismatchException>(() => student.LoadTeacherState(other.StateDict()));
    }

    [Fact]
    public void Factory_DefaultPolicy_KeepsFirstAndLastAtEightBits()
    {
        var factory = new QuantizedLayerFactory(QuantizerKind.Ewgs, BitWidths.Parse("W2A4"));
        using var first = (IQuantizedLayer)factory.Conv2d(3, 8, 3, 1, 1, false, LayerRole.First, null);
        using var hidden = (IQuantizedLayer)factory.Conv2d(8, 8, 3, 1, 1, false, LayerRole.Hidden, null);
        using var hiddenLinear = (IQuantizedLayer)factory.Linear(8, 8, LayerRole.Hidden, null);
        using var last = (IQuantizedLayer)factory.Linear(8, 10, LayerRole.Last, null);

        Assert.Equal(new BitWidths(8, 8), first.Bits);
        Assert.Equal(new BitWidths(2, 4), hidden.Bits);
        Assert.Equal(new BitWidths(2, 4), hiddenLinear.Bits);
        Assert.Equal(new BitWidths(8, 8), last.Bits);
        Assert.IsType<EwgsQuantizer>(hidden.WeightQuantizer);
        Assert.Equal(2, hidden.WeightQuantizer!.Bits);
    }

    [Fact]
    public void Factory_UniformPolicy_QuantizesFirstAndLastAtRequestedBits()
    {
        var factory = new QuantizedLayerFactory(QuantizerKind.Pact, BitWidths.Parse("W3A3"), QuantizationPolicy.Uniform);
        using var first = (IQuantizedLayer)factory.Conv2d(3, 8, 3, 1, 1, false, LayerRole.First, null);
        using var last = (IQuantizedLayer)factory.Linear(8, 10, LayerRole.Last, null);

        Assert.Equal(new BitWidths(3, 3), first.Bits);
        Assert.Equal(new BitWidths(3, 3), last.Bits);
        Assert.IsType<DoReFaWeightQuantizer>(first.WeightQuantizer);
        Assert.True(Assert.IsType<PactQuantizer>(first.InputQuantizer).Signed);
        Assert.False(Assert.IsType<PactQuantizer>(last.InputQuantizer).Signed);
    }

    [Theory]
    [InlineData(QuantizerKind.Ewgs)]
    [InlineData(QuantizerKind.Lsq)]
    [InlineData(QuantizerKind.Pact)]
    public void Factory_W32A32_ReturnsPlainFullPrecisionLayers(QuantizerKind kind)
    {
        var factory = new QuantizedLayerFactory(kind, BitWidths.Parse("W32A32"));
        using var conv = factory.Conv2d(3, 8, 3, 1, 1, false, LayerRole.Hidden, null);
        using var linear = factory.Linear(8, 10, LayerRole.Last, null);

        Assert.Equal(typeof(Conv2d), conv.GetType());
        Assert.Equal(typeof(Linear), linear.GetType());
    }

    [Fact]
    public void QuantLinear_Forward_IsLinearOfQuantizedInputAndWeight()
    {
        using var scope = DisposeScope.Enter();
        using var layer = new QuantLinear(6, 2, bias: true, new LsqQuantizer(QuantizationTarget.Weights, 3), new PactQuantizer(2), new Generator(3));
        Set(((PactQuantizer)layer.InputQuantizer!).Alpha, 1.5);
        var x = Tensor.From(Activations, 4, 6);
        var y = layer.Forward(x);

        var expected = Functional.Linear(layer.InputQuantizer!.Forward(x), layer.WeightQuantizer!.Forward(layer.Weight), layer.Bias);
        Assert.Equal(Values(expected), Values(y));
        Assert.NotEqual(Values(Functional.Linear(x, layer.Weight, layer.Bias)), Values(y));
    }

    [Fact]
    public void ParameterGroups_QuantizedModel_SplitWeightsFromQuantizerParameters()
    {
        var factory = new QuantizedLayerFactory(QuantizerKind.Ewgs, BitWidths.Parse("W4A4"));
        using var model = new Sequential(factory.Conv2d(1, 2, 3, 1, 1, true, LayerRole.Hidden, null), new Flatten(), factory.Linear(8, 3, LayerRole.Hidden, null));

        var quantizer = model.QuantizerParameters();
        var weights = model.WeightParameters();

        Assert.Equal(12, quantizer.Count); // 4 quantizers x (lower, upper, scale)
        Assert.Equal(4, weights.Count); // conv weight, bias, linear weight, bias
        Assert.Equal(model.Parameters().Count(), quantizer.Count + weights.Count);
        Assert.Empty(quantizer.Intersect(weights, ReferenceEqualityComparer.Instance));
    }

    [Fact]
    public void MeanClipRanges_TwoConvs_AveragesPerKindAndTarget()
    {
        var factory = new QuantizedLayerFactory(QuantizerKind.Pact, BitWidths.Parse("W4A4"), QuantizationPolicy.Uniform);
        using var model = new Sequential(factory.Conv2d(1, 2, 3, 1, 1, false, LayerRole.Hidden, null), factory.Conv2d(2, 2, 3, 1, 1, false, LayerRole.Hidden, null));
        var convs = model.Children().Cast<IQuantizedLayer>().ToList();
        Set(((PactQuantizer)convs[0].InputQuantizer!).Alpha, 2);
        Set(((PactQuantizer)convs[1].InputQuantizer!).Alpha, 5);

        var stats = QuantizationStatistics.MeanClipRanges(model);

        Assert.Equal(3.5, stats["conv.input"]);
        Assert.Equal(2, stats["conv.weight"]);
        Assert.False(stats.ContainsKey("linear.input"));
    }
}
