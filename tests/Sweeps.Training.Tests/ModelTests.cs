using Sweeps.Torch;
using Sweeps.Torch.NN;
using Sweeps.Training.Models;
using Sweeps.Training.Quantization;

namespace Sweeps.Training.Tests;

/// <summary>Model construction, shapes, layer roles and sizes (no PyTorch needed).</summary>
public sealed class ModelTests
{
    // Hand count for 3 input channels and 10 classes: stem 3*16*9 = 432 (+32 BN); layer1 3 x (2*2304 + 64) = 14016;
    // layer2 (4608 + 9216 + 128 + 512 + 64) + 2 x (2*9216 + 128) = 51648; layer3 (18432 + 36864 + 256 + 2048 + 128)
    // + 2 x (2*36864 + 256) = 205696; fc 640 + 10.
    private const long ResNet20Parameters = 432 + 32 + 14016 + 51648 + 205696 + 650;

    // Conv and linear weights only: 432 + 3*4608 + (4608 + 9216 + 512 + 4*9216) + (18432 + 36864 + 2048 + 4*36864) + 640.
    private const long ResNet20Weights = 432 + 13824 + 51200 + 204800 + 640;

    [Fact]
    public void ModelSize_ResNet20Cifar_MatchesHandCount()
    {
        using var model = ModelRegistry.Create("resnet20", 3, 10, FullPrecisionLayerFactory.Instance, new Generator(1));
        Assert.Equal(272_474, ResNet20Parameters);
        Assert.Equal(ResNet20Parameters, ModelSize.ParameterCount(model));
        Assert.Equal(ResNet20Weights, ModelSize.WeightCount(model));
        Assert.Equal(ResNet20Weights, model.WeightLayers.Sum(l => l.WeightCount));
    }

    [Fact]
    public void WeightBits_EightBitFirstAndLast_CountsEachLayerAtItsWidth()
    {
        using var model = ModelRegistry.Create("resnet20", 3, 10, FullPrecisionLayerFactory.Instance, new Generator(1));
        var bits = ModelSize.WeightBits(model, l => l.Role == LayerRole.Hidden ? 4 : 8);
        Assert.Equal(((432 + 640) * 8) + ((ResNet20Weights - 432 - 640) * 4), bits);
        Assert.Throws<ArgumentOutOfRangeException>(() => ModelSize.WeightBits(model, _ => 0));
    }

    [Theory]
    [InlineData("resnet20", 1, 28, new long[] { 16, 28, 28 }, new long[] { 32, 14, 14 }, new long[] { 64, 7, 7 }, 64)]
    [InlineData("resnet20", 3, 32, new long[] { 16, 32, 32 }, new long[] { 32, 16, 16 }, new long[] { 64, 8, 8 }, 64)]
    [InlineData("resnet32", 1, 28, new long[] { 16, 28, 28 }, new long[] { 32, 14, 14 }, new long[] { 64, 7, 7 }, 64)]
    [InlineData("vgg8", 1, 28, new long[] { 64, 14, 14 }, new long[] { 128, 7, 7 }, new long[] { 256, 3, 3 }, 256)]
    [InlineData("vgg8", 3, 32, new long[] { 64, 16, 16 }, new long[] { 128, 8, 8 }, new long[] { 256, 4, 4 }, 256)]
    public void ForwardWithFeatures_InputSize_GivesLogitsFeaturesAndStageShapes(
        string name, int channels, long size, long[] stage1, long[] stage2, long[] stage3, int featureDimension)
    {
        using var scope = DisposeScope.Enter();
        using var model = ModelRegistry.Create(name, channels, 7, FullPrecisionLayerFactory.Instance, new Generator(3));
        using var input = ModelTestData.Input([2, channels, size, size]);
        var output = model.ForwardWithFeatures(input);
        Assert.Equal(name, model.Name);
        Assert.Equal(channels, model.InputChannels);
        Assert.Equal(7, model.ClassCount);
        Assert.Equal(featureDimension, model.FeatureDimension);
        Assert.Equal([2L, 7], output.Logits.Shape);
        Assert.Equal([2L, featureDimension], output.Features.Shape);
        Assert.Equal(3, output.StageOutputs.Count);
        Assert.Equal(new long[] { 2 }.Concat(stage1), output.StageOutputs[0].Shape);
        Assert.Equal(new long[] { 2 }.Concat(stage2), output.StageOutputs[1].Shape);
        Assert.Equal(new long[] { 2 }.Concat(stage3), output.StageOutputs[2].Shape);

        // Forward gives the same logits; the features are the pooled last stage.
        TestLogitsEqual(output.Logits, model.Forward(input));
        TestLogitsEqual(output.Features, output.StageOutputs[2].Mean([2, 3]));
    }

    [Fact]
    public void Create_RecordingFactoryResNet20_FirstStemHiddenConvsLastClassifier()
    {
        var factory = new RecordingFactory();
        using var model = ModelRegistry.Create("resnet20", 3, 10, factory, new Generator(1));
        Assert.Equal(1 + 18 + 2 + 1, factory.Calls.Count);
        Assert.Equal("conv 3->16 k3 s1 p1 bias=False First", factory.Calls[0]);
        Assert.Equal("linear 64->10 Last", factory.Calls[^1]);
        Assert.All(factory.Calls.Skip(1).SkipLast(1), c => Assert.EndsWith(" Hidden", c, StringComparison.Ordinal));
        Assert.Contains("conv 16->32 k3 s2 p1 bias=False Hidden", factory.Calls);
        Assert.Contains("conv 16->32 k1 s2 p0 bias=False Hidden", factory.Calls);
        Assert.Contains("conv 32->64 k1 s2 p0 bias=False Hidden", factory.Calls);
        Assert.Equal(2, factory.Calls.Count(c => c.Contains("k1", StringComparison.Ordinal)));

        var layers = model.WeightLayers;
        Assert.Equal(factory.Calls.Count, layers.Count);
        Assert.Equal(("conv1", LayerRole.First), (layers[0].Name, layers[0].Role));
        Assert.Equal(("layer2.0.shortcut.0", LayerRole.Hidden), (layers[9].Name, layers[9].Role));
        Assert.Equal(("fc", LayerRole.Last), (layers[^1].Name, layers[^1].Role));
        Assert.All(layers, l => Assert.Contains(l.Layer, factory.Created));
    }

    [Fact]
    public void Create_RecordingFactoryVgg8_SixConvsThenClassifierWithRoles()
    {
        var factory = new RecordingFactory();
        using var model = ModelRegistry.Create("vgg8", 1, 10, factory, new Generator(1));
        Assert.Equal(
            [
                "conv 1->64 k3 s1 p1 bias=False First",
                "conv 64->64 k3 s1 p1 bias=False Hidden",
                "conv 64->128 k3 s1 p1 bias=False Hidden",
                "conv 128->128 k3 s1 p1 bias=False Hidden",
                "conv 128->256 k3 s1 p1 bias=False Hidden",
                "conv 256->256 k3 s1 p1 bias=False Hidden",
                "linear 256->10 Last",
            ],
            factory.Calls);
        Assert.Equal(
            ["layer1.0", "layer1.3", "layer2.0", "layer2.3", "layer3.0", "layer3.3", "classifier"],
            model.WeightLayers.Select(l => l.Name));
    }

    [Fact]
    public void Create_UnknownName_ThrowsListingKnownNames()
    {
        var e = Assert.Throws<ArgumentException>(() => ModelRegistry.Create("resnet50", 3, 10, FullPrecisionLayerFactory.Instance, null));
        Assert.Contains("resnet50", e.Message, StringComparison.Ordinal);
        foreach (var name in ModelRegistry.Names)
        {
            Assert.Contains(name, e.Message, StringComparison.Ordinal);
        }

        Assert.Equal(["resnet20", "resnet32", "vgg8", "resnet18", "mobilenetv2"], ModelRegistry.Names);
    }

    [Fact]
    public void Create_SameSeed_SameWeightsAndOtherSeedDiffers()
    {
        using var scope = DisposeScope.Enter();
        using var a = ModelRegistry.Create("resnet20", 1, 10, FullPrecisionLayerFactory.Instance, new Generator(5));
        using var b = ModelRegistry.Create("resnet20", 1, 10, FullPrecisionLayerFactory.Instance, new Generator(5));
        using var c = ModelRegistry.Create("resnet20", 1, 10, FullPrecisionLayerFactory.Instance, new Generator(6));
        var pa = a.Parameters().Select(ModelTestData.Values).ToList();
        var pb = b.Parameters().Select(ModelTestData.Values).ToList();
        var pc = c.Parameters().Select(ModelTestData.Values).ToList();
        for (var i = 0; i < pa.Count; i++)
        {
            Assert.Equal(pa[i], pb[i]);
        }

        Assert.NotEqual(pa[0], pc[0]);
    }

    [Theory]
    [InlineData("resnet18", 224, new long[] { 64, 56, 56 }, new long[] { 512, 7, 7 }, 4, 512)]
    [InlineData("resnet18", 64, new long[] { 64, 64, 64 }, new long[] { 512, 8, 8 }, 4, 512)]
    [InlineData("resnet18", 32, new long[] { 64, 32, 32 }, new long[] { 512, 4, 4 }, 4, 512)]
    [InlineData("mobilenetv2", 224, new long[] { 24, 56, 56 }, new long[] { 1280, 7, 7 }, 4, 1280)]
    [InlineData("mobilenetv2", 64, new long[] { 24, 64, 64 }, new long[] { 1280, 8, 8 }, 4, 1280)]
    public void ForwardWithFeatures_TorchvisionModels_StemBySizeGivesStageShapes(
        string name, int size, long[] firstStage, long[] lastStage, int stages, int featureDimension)
    {
        using var scope = DisposeScope.Enter();
        using var model = ModelRegistry.Create(name, 3, 5, FullPrecisionLayerFactory.Instance, new Generator(3), size);
        model.Eval();
        using var input = ModelTestData.Input([1, 3, size, size]);
        ModelOutput output;
        using (new NoGradScope())
        {
            output = model.ForwardWithFeatures(input);
        }

        Assert.Equal([1L, 5], output.Logits.Shape);
        Assert.Equal([1L, featureDimension], output.Features.Shape);
        Assert.Equal(stages, output.StageOutputs.Count);
        Assert.Equal(new long[] { 1 }.Concat(firstStage), output.StageOutputs[0].Shape);
        Assert.Equal(new long[] { 1 }.Concat(lastStage), output.StageOutputs[^1].Shape);
    }

    [Fact]
    public void Create_QuantizedMobileNetV2_DepthwiseQuantizedFirstLastEightBitsBottleneckInputsSigned()
    {
        using var model = ModelRegistry.Create("mobilenetv2", 3, 10, new QuantizedLayerFactory(QuantizerKind.Lsq, new BitWidths(4, 4)), new Generator(1), 32);
        var layers = model.WeightLayers;
        Assert.Equal(("features.0.0", LayerRole.First), (layers[0].Name, layers[0].Role));
        Assert.Equal(("classifier.1", LayerRole.Last), (layers[^1].Name, layers[^1].Role));
        Assert.Equal(new BitWidths(8, 8), ((IQuantizedLayer)layers[0].Layer).Bits);
        Assert.Equal(new BitWidths(8, 8), ((IQuantizedLayer)layers[^1].Layer).Bits);

        // 17 depthwise convs (one per inverted residual block), each quantized at the requested bits.
        var depthwise = layers.Where(l => l.Layer is Conv2d { Groups: > 1 }).ToList();
        Assert.Equal(17, depthwise.Count);
        Assert.All(depthwise, l => Assert.Equal(new BitWidths(4, 4), ((IQuantizedLayer)l.Layer).Bits));
        Assert.All(depthwise, l => Assert.Equal(((Conv2d)l.Layer).InChannels, ((Conv2d)l.Layer).Groups));

        // Signed inputs: the stem, the 16 expansion convs (features.2 .. 17, conv.0.0) and features.18.0.
        bool Signed(WeightLayer l) => ((LsqQuantizer)((IQuantizedLayer)l.Layer).InputQuantizer!).Signed;
        var signed = layers.Where(Signed).Select(l => l.Name).ToList();
        Assert.Equal(["features.0.0", .. Enumerable.Range(2, 16).Select(i => $"features.{i}.conv.0.0"), "features.18.0"], signed);
    }

    [Fact]
    public void Create_ConvWeights_KaimingNormalFanOutStandardDeviation()
    {
        using var scope = DisposeScope.Enter();
        using var model = ModelRegistry.Create("resnet20", 3, 10, FullPrecisionLayerFactory.Instance, new Generator(9));
        var conv = (Conv2d)model.WeightLayers.Single(l => l.Name == "layer3.1.conv1").Layer;
        var values = ModelTestData.Values(conv.Weight);
        var mean = values.Average();
        var std = Math.Sqrt(values.Sum(v => (v - mean) * (v - mean)) / (values.Length - 1));
        var expected = Math.Sqrt(2.0 / (64 * 9)); // gain sqrt(2) / sqrt(fan_out = 64 * 3 * 3)
        Assert.InRange(std, expected * 0.97, expected * 1.03); // 36864 samples: relative error of std ~ 0.4 %
        Assert.InRange(mean, -0.02 * expected, 0.02 * expected);
    }

    private static void TestLogitsEqual(Tensor expected, Tensor actual) =>
        Sweeps.Torch.Tests.TestAssert.Close(ModelTestData.Values(expected), ModelTestData.Values(actual), rtol: 1e-5, atol: 1e-5);

    private sealed class RecordingFactory : ILayerFactory
    {
        public List<string> Calls { get; } = [];

        public List<Module> Created { get; } = [];

        public Conv2d Conv2d(
            long inChannels, long outChannels, long kernelSize, long stride, long padding, bool bias, LayerRole role, Generator? generator,
            long groups = 1, bool signedInput = false)
        {
            Calls.Add($"conv {inChannels}->{outChannels} k{kernelSize} s{stride} p{padding} bias={(bias ? "True" : "False")} {role}"
                + (groups != 1 ? $" groups={groups}" : string.Empty) + (signedInput ? " signed" : string.Empty));
            var layer = FullPrecisionLayerFactory.Instance.Conv2d(inChannels, outChannels, kernelSize, stride, padding, bias, role, generator, groups, signedInput);
            Created.Add(layer);
            return layer;
        }

        public Linear Linear(long inFeatures, long outFeatures, LayerRole role, Generator? generator)
        {
            Calls.Add($"linear {inFeatures}->{outFeatures} {role}");
            var layer = FullPrecisionLayerFactory.Instance.Linear(inFeatures, outFeatures, role, generator);
            Created.Add(layer);
            return layer;
        }
    }
}
