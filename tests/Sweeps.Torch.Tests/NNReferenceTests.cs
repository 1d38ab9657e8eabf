using System.Text.Json;
using Sweeps.Torch.NN;

namespace Sweeps.Torch.Tests;

/// <summary>Runs reference/nn_reference.py once for <see cref="NNReferenceTests"/>.</summary>
public sealed class NNReferenceFixture
{
    public JsonElement Reference { get; } = PythonReference.Run("nn_reference.py");
}

/// <summary>Sweeps.Torch.NN against torch.nn (1.13) on the same model, weights and inputs.</summary>
public sealed class NNReferenceTests(NNReferenceFixture fixture) : IClassFixture<NNReferenceFixture>
{
    private readonly JsonElement _ref = fixture.Reference;

    private static long[] Shape(JsonElement e) => e.EnumerateArray().Select(x => x.GetInt64()).ToArray();

    private double[] Expected(string name) => PythonReference.Doubles(_ref.GetProperty(name));

    [Fact]
    public void NamedParameters_ResNetLikeNet_MatchPyTorchNamesOrderAndShapes()
    {
        using var net = new NNTestNet();
        var expected = _ref.GetProperty("parameters").EnumerateArray()
            .Select(e => $"{e[0].GetString()} [{string.Join(",", Shape(e[1]))}]").ToArray();
        var actual = net.NamedParameters().Select(p => $"{p.Name} [{string.Join(",", p.Parameter.Shape)}]").ToArray();
        Assert.Equal(expected, actual);
        Assert.All(net.Parameters(), p => Assert.True(p.RequiresGrad && p.IsLeaf));
    }

    [Fact]
    public void StateDict_ResNetLikeNet_MatchPyTorchKeysOrderShapesAndDtypes()
    {
        using var net = new NNTestNet();
        using var scope = DisposeScope.Enter();
        var expected = _ref.GetProperty("state_dict").EnumerateArray()
            .Select(e => $"{e[0].GetString()} [{string.Join(",", Shape(e[1]))}] {e[2].GetString()}").ToArray();
        var actual = net.StateDict()
            .Select(kv => $"{kv.Key} [{string.Join(",", kv.Value.Shape)}] torch.{(kv.Value.Dtype == ScalarType.Int64 ? "int64" : "float32")}")
            .ToArray();
        Assert.Equal(expected, actual);
    }

    [Fact]
    public void NamedModulesBuffersChildren_ResNetLikeNet_MatchPyTorchNames()
    {
        using var net = new NNTestNet();
        Assert.Equal(_ref.GetProperty("modules").EnumerateArray().Select(e => e.GetString()), net.NamedModules().Select(m => m.Name));
        Assert.Equal(_ref.GetProperty("buffers").EnumerateArray().Select(e => e.GetString()), net.NamedBuffers().Select(b => b.Name));
        Assert.Equal(_ref.GetProperty("children").EnumerateArray().Select(e => e.GetString()), net.NamedChildren().Select(c => c.Name));
    }

    [Fact]
    public void Constructor_GeneratorSeededAsPyTorch_DrawsPyTorchDefaultInitialisation()
    {
        using var generator = new Generator(1234);
        using var net = new NNTestNet(generator);
        var seeded = _ref.GetProperty("seeded");
        var count = 0;
        foreach (var (name, p) in net.NamedParameters())
        {
            TestAssert.Close(PythonReference.Doubles(seeded.GetProperty(name)), NNTestData.Values(p), 1e-6, 1e-7, name);
            count++;
        }

        Assert.Equal(seeded.EnumerateObject().Count(), count);
    }

    [Fact]
    public void ForwardTrain_ClosedFormWeights_MatchesPyTorchOutputLossAndBuffers()
    {
        using var net = new NNTestNet();
        NNTestData.SetParameters(net);
        using var scope = DisposeScope.Enter();
        var y = net.Train().Forward(NNTestData.Formula([2, 3, 8, 8]));
        var loss = Functional.CrossEntropy(y, Tensor.From(new long[] { 1, 3 }));
        TestAssert.Close(Expected("train_output"), NNTestData.Values(y), 1e-4, 1e-5, "output");
        TestAssert.Close([_ref.GetProperty("train_loss").GetDouble()], [loss.ToDouble()], 1e-5, 1e-6, "loss");
        var buffers = _ref.GetProperty("buffers_after");
        foreach (var (name, b) in net.NamedBuffers())
        {
            TestAssert.Close(PythonReference.Doubles(buffers.GetProperty(name)), NNTestData.Values(b), 1e-4, 1e-5, name);
        }

        Assert.Equal(1, net.NamedBuffers().First(b => b.Name == "layer2.0.downsample.1.num_batches_tracked").Buffer.ToInt64());
    }

    [Fact]
    public void Backward_ClosedFormWeights_ParameterGradientsMatchPyTorch()
    {
        using var net = new NNTestNet();
        NNTestData.SetParameters(net);
        using var scope = DisposeScope.Enter();
        var y = net.Forward(NNTestData.Formula([2, 3, 8, 8]));
        Functional.CrossEntropy(y, Tensor.From(new long[] { 1, 3 })).Backward();
        var grads = _ref.GetProperty("grads");
        foreach (var (name, p) in net.NamedParameters())
        {
            var g = p.Grad;
            Assert.NotNull(g);
            TestAssert.Close(PythonReference.Doubles(grads.GetProperty(name)), NNTestData.Values(g), 1e-3, 1e-5, name);
        }
    }

    [Fact]
    public void ForwardEval_AfterTrainingForward_UsesRunningStatsAsPyTorch()
    {
        using var net = new NNTestNet();
        NNTestData.SetParameters(net);
        using var scope = DisposeScope.Enter();
        var x = NNTestData.Formula([2, 3, 8, 8]);
        net.Forward(x);
        net.Eval();
        using var noGrad = new NoGradScope();
        var y = net.Forward(x);
        TestAssert.Close(Expected("eval_output"), NNTestData.Values(y), 1e-4, 1e-5, "eval output");
        Assert.Equal(1, net.NamedBuffers().First(b => b.Name == "bn1.num_batches_tracked").Buffer.ToInt64());
    }

    [Fact]
    public void Conv2d_BiasStrideTwoPaddingOne_MatchesPyTorch()
    {
        using var conv = new Conv2d(3, 4, 3, stride: 2, padding: 1);
        NNTestData.SetParameters(conv);
        using var scope = DisposeScope.Enter();
        var y = conv.Forward(NNTestData.Formula([2, 3, 8, 8]));
        Assert.Equal(new long[] { 2, 4, 4, 4 }, y.Shape);
        TestAssert.Close(Expected("conv_output"), NNTestData.Values(y), 1e-5, 1e-6, "conv");
    }

    [Fact]
    public void Linear_WithBias_MatchesPyTorch()
    {
        using var linear = new Linear(12, 5);
        NNTestData.SetParameters(linear);
        using var scope = DisposeScope.Enter();
        var y = linear.Forward(NNTestData.Formula([3, 12]));
        Assert.Equal(new long[] { 3, 5 }, y.Shape);
        TestAssert.Close(Expected("linear_output"), NNTestData.Values(y), 1e-5, 1e-6, "linear");
    }

    [Fact]
    public void BatchNorm2d_CumulativeMomentumTwoSteps_MatchesPyTorchStatsAndOutputs()
    {
        using var bn = new BatchNorm2d(3, momentum: null);
        NNTestData.SetParameters(bn);
        using var scope = DisposeScope.Enter();
        var x = NNTestData.Formula([2, 3, 8, 8]);
        bn.Forward(x);
        var trained = bn.Forward((x * 2) + 0.5);
        var e = _ref.GetProperty("bn_cumulative");
        TestAssert.Close(PythonReference.Doubles(e.GetProperty("train_output")), NNTestData.Values(trained), 1e-4, 1e-5, "train output");
        TestAssert.Close(PythonReference.Doubles(e.GetProperty("running_mean")), NNTestData.Values(bn.RunningMean), 1e-5, 1e-6, "running_mean");
        TestAssert.Close(PythonReference.Doubles(e.GetProperty("running_var")), NNTestData.Values(bn.RunningVar), 1e-5, 1e-6, "running_var");
        Assert.Equal(e.GetProperty("num_batches_tracked").GetInt64(), bn.NumBatchesTracked.ToInt64());
        bn.Eval();
        TestAssert.Close(PythonReference.Doubles(e.GetProperty("eval_output")), NNTestData.Values(bn.Forward(x)), 1e-4, 1e-5, "eval output");
        Assert.Equal(2, bn.NumBatchesTracked.ToInt64());
    }

    [Fact]
    public void Pooling_MaxAndAdaptiveAverage_MatchPyTorch()
    {
        using var maxPool = new MaxPool2d(2);
        using var adaptive = new AdaptiveAvgPool2d(2, 3);
        using var scope = DisposeScope.Enter();
        var x = NNTestData.Formula([2, 3, 8, 8]);
        var m = maxPool.Forward(x);
        var a = adaptive.Forward(x);
        Assert.Equal(new long[] { 2, 3, 4, 4 }, m.Shape);
        Assert.Equal(new long[] { 2, 3, 2, 3 }, a.Shape);
        TestAssert.Close(Expected("maxpool_output"), NNTestData.Values(m), 1e-6, 1e-7, "maxpool");
        TestAssert.Close(Expected("adaptive_output"), NNTestData.Values(a), 1e-5, 1e-6, "adaptive");
    }

    [Fact]
    public void CalculateGain_EveryNonlinearity_MatchesTorch()
    {
        var g = _ref.GetProperty("gains");
        TestAssert.Close(
            [
                g.GetProperty("linear").GetDouble(), g.GetProperty("sigmoid").GetDouble(), g.GetProperty("tanh").GetDouble(),
                g.GetProperty("relu").GetDouble(), g.GetProperty("leaky_relu").GetDouble(), g.GetProperty("leaky_relu_0.2").GetDouble(),
                g.GetProperty("selu").GetDouble(),
            ],
            [
                Init.CalculateGain(Nonlinearity.Linear), Init.CalculateGain(Nonlinearity.Sigmoid), Init.CalculateGain(Nonlinearity.Tanh),
                Init.CalculateGain(Nonlinearity.Relu), Init.CalculateGain(Nonlinearity.LeakyRelu), Init.CalculateGain(Nonlinearity.LeakyRelu, 0.2),
                Init.CalculateGain(Nonlinearity.Selu),
            ],
            1e-15,
            0,
            "gain");
    }

    [Fact]
    public void CalculateFanInAndFanOut_SeveralShapes_MatchTorch()
    {
        foreach (var e in _ref.GetProperty("fans").EnumerateArray())
        {
            var shape = Shape(e[0]);
            var (fanIn, fanOut) = Init.CalculateFanInAndFanOut(shape);
            Assert.Equal(Shape(e[1]), new[] { fanIn, fanOut });
            using var t = Tensor.Empty(shape);
            Assert.Equal((fanIn, fanOut), Init.CalculateFanInAndFanOut(t));
        }
    }

    [Fact]
    public void KaimingNormal_FanOutReluGeneratorSeededAsTorch_DrawsTorchValues()
    {
        using var generator = new Generator(7);
        using var t = Tensor.Empty([16, 8, 3, 3]);
        Init.KaimingNormal(t, mode: FanMode.FanOut, nonlinearity: Nonlinearity.Relu, generator: generator);
        TestAssert.Close(Expected("kaiming_normal_fan_out_relu"), NNTestData.Values(t), 1e-6, 1e-7, "kaiming_normal");
    }

    [Fact]
    public void KaimingUniform_DefaultsGeneratorSeededAsTorch_DrawsTorchValues()
    {
        using var generator = new Generator(8);
        using var t = Tensor.Empty([20, 30]);
        Init.KaimingUniform(t, generator: generator);
        TestAssert.Close(Expected("kaiming_uniform_default"), NNTestData.Values(t), 1e-6, 1e-7, "kaiming_uniform");
    }
}
