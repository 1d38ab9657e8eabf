using Sweeps.Torch.NN;

namespace Sweeps.Torch.Tests;

/// <summary>Module mechanics and layer behaviour checked against hand calculations.</summary>
public sealed class NNModuleTests
{
    private sealed class Holder : Module
    {
        public override Tensor Forward(Tensor input) => input.Alias();
    }

    private static Dictionary<string, Tensor> Copy(IEnumerable<KeyValuePair<string, Tensor>> entries) =>
        entries.ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.Ordinal);

    [Fact]
    public void RegisterParameter_TensorInScope_DetachedFromScopeAndRequiresGrad()
    {
        using var holder = new Holder();
        Tensor p;
        using (var scope = DisposeScope.Enter())
        {
            p = holder.RegisterParameter("w", Tensor.Zeros([2, 2]));
            holder.RegisterBuffer("b", Tensor.Zeros([2]));
        }

        Assert.False(p.IsDisposed);
        Assert.False(holder.NamedBuffers().Single().Buffer.IsDisposed);
        Assert.True(p.RequiresGrad);
        Assert.False(holder.NamedBuffers().Single().Buffer.RequiresGrad);
    }

    [Fact]
    public void RegisterMembers_DuplicateDottedOrNonLeaf_ThrowArgumentException()
    {
        using var holder = new Holder();
        using var scope = DisposeScope.Enter();
        holder.RegisterParameter("weight", Tensor.Zeros([1]));
        Assert.Contains("weight", Assert.Throws<ArgumentException>(() => holder.RegisterBuffer("weight", Tensor.Zeros([1]))).Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => holder.RegisterModule("weight", new ReLU()));
        Assert.Throws<ArgumentException>(() => holder.RegisterParameter("a.b", Tensor.Zeros([1])));
        var leaf = Tensor.Ones([2]).WithRequiresGrad();
        Assert.Contains("leaf", Assert.Throws<ArgumentException>(() => holder.RegisterParameter("c", leaf * 2)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Sequential_ThreeLayers_ChildrenNamedByIndexAndEnumerableInOrder()
    {
        var relu = new ReLU();
        var flatten = new Flatten();
        using var seq = new Sequential(new Linear(4, 3), relu);
        seq.Add(flatten);
        Assert.Equal(new[] { "0", "1", "2" }, seq.NamedChildren().Select(c => c.Name));
        Assert.Equal(new[] { "0.weight", "0.bias" }, seq.NamedParameters().Select(p => p.Name));
        Assert.Same(relu, seq[1]);
        Assert.Equal(new Module[] { seq[0], relu, flatten }, seq.ToArray());
        Assert.Equal(3, seq.Count);
    }

    [Fact]
    public void Sequential_Forward_AppliesLayersInOrder()
    {
        using var seq = new Sequential(new ReLU(), new Flatten());
        using var scope = DisposeScope.Enter();
        var y = seq.Forward(Tensor.From(new float[] { -1, 2, -3, 4, 5, -6, 7, -8 }, 2, 2, 2));
        Assert.Equal(new long[] { 2, 4 }, y.Shape);
        Assert.Equal(new float[] { 0, 2, 0, 4, 5, 0, 7, 0 }, y.ToArray<float>());
    }

    [Fact]
    public void TrainEval_NestedModules_PropagateToEveryDescendant()
    {
        using var net = new NNTestNet();
        Assert.All(net.Modules(), m => Assert.True(m.IsTraining));
        net.Eval();
        Assert.All(net.Modules(), m => Assert.False(m.IsTraining));
        net.Train();
        Assert.All(net.Modules(), m => Assert.True(m.IsTraining));
        Assert.Equal(net.NamedModules().Count(), net.Modules().Count());
    }

    [Fact]
    public void BatchNorm2d_EvalMode_NormalisesWithRunningStatsAndLeavesThemUnchanged()
    {
        using var bn = new BatchNorm2d(2, eps: 1e-5);
        using var scope = DisposeScope.Enter();
        using (new NoGradScope())
        {
            bn.RunningMean.CopyFrom(Tensor.From(new float[] { 1, -2 }));
            bn.RunningVar.CopyFrom(Tensor.From(new float[] { 4, 0.25f }));
            bn.Weight.CopyFrom(Tensor.From(new float[] { 2, 3 }));
            bn.Bias.CopyFrom(Tensor.From(new float[] { 0.5f, -1 }));
        }

        bn.Eval();
        var x = new float[] { 3, 5, -2, -1.5f }; // [1, 2, 1, 2]: channel 0 = {3, 5}, channel 1 = {-2, -1.5}
        var y = bn.Forward(Tensor.From(x, 1, 2, 1, 2)).ToArray<float>();
        double[] expected =
        [
            ((3 - 1) / Math.Sqrt(4 + 1e-5) * 2) + 0.5, ((5 - 1) / Math.Sqrt(4 + 1e-5) * 2) + 0.5,
            ((-2 + 2) / Math.Sqrt(0.25 + 1e-5) * 3) - 1, ((-1.5 + 2) / Math.Sqrt(0.25 + 1e-5) * 3) - 1,
        ];
        TestAssert.Close(expected, y, 1e-6, 1e-6, "eval bn");
        Assert.Equal(new float[] { 1, -2 }, bn.RunningMean.ToArray<float>());
        Assert.Equal(new float[] { 4, 0.25f }, bn.RunningVar.ToArray<float>());
        Assert.Equal(0, bn.NumBatchesTracked.ToInt64());
    }

    [Fact]
    public void BatchNorm2d_TrainMode_UpdatesRunningStatsWithMomentumAndUnbiasedVariance()
    {
        using var bn = new BatchNorm2d(1, momentum: 0.25);
        using var scope = DisposeScope.Enter();
        var y = bn.Forward(Tensor.From(new float[] { 1, 2, 3, 6 }, 2, 1, 1, 2)).ToArray<float>();

        // Batch mean 3, biased variance 3.5, unbiased 14/3.
        TestAssert.Close([0.25 * 3], bn.RunningMean.ToArray<float>(), 1e-6, 1e-7, "running_mean");
        TestAssert.Close([(0.75 * 1) + (0.25 * 14.0 / 3)], bn.RunningVar.ToArray<float>(), 1e-6, 1e-7, "running_var");
        var s = Math.Sqrt(3.5 + 1e-5);
        TestAssert.Close([-2 / s, -1 / s, 0, 3 / s], y, 1e-5, 1e-6, "output");
        Assert.Equal(1, bn.NumBatchesTracked.ToInt64());
    }

    [Fact]
    public void BatchNorm2d_ThreeDimensionalInput_ThrowsTorchException()
    {
        using var bn = new BatchNorm2d(2);
        using var scope = DisposeScope.Enter();
        var ex = Assert.Throws<TorchException>(() => bn.Forward(Tensor.Zeros([2, 2, 3])));
        Assert.Contains("expected 4D input (got 3D input)", ex.Message, StringComparison.Ordinal);
        Assert.Equal(0, bn.NumBatchesTracked.ToInt64());
    }

    [Fact]
    public void Dropout_EvalMode_IsIdentity()
    {
        using var dropout = new Dropout(0.9);
        dropout.Eval();
        using var scope = DisposeScope.Enter();
        var x = NNTestData.Formula([4, 50]);
        Assert.Equal(x.ToArray<float>(), dropout.Forward(x).ToArray<float>());
    }

    [Fact]
    public void Dropout_TrainMode_ZeroesAboutPAndScalesTheRest()
    {
        using var dropout = new Dropout(0.25);
        using var scope = DisposeScope.Enter();
        Torch.ManualSeed(42);
        var y = dropout.Forward(Tensor.Ones([100_000])).ToArray<float>();
        var zeros = y.Count(v => v == 0);
        Assert.InRange(zeros / 100_000.0, 0.24, 0.26);
        Assert.All(y, v => Assert.True(v == 0 || Math.Abs(v - (1 / 0.75)) < 1e-6, $"value {v}"));
    }

    [Fact]
    public void StateDict_Values_AreDetachedAliasesOfTheModuleTensors()
    {
        using var linear = new Linear(3, 2);
        using var scope = DisposeScope.Enter();
        var state = linear.StateDict();
        Assert.Equal(new[] { "weight", "bias" }, state.Keys);
        Assert.False(state["weight"].RequiresGrad);
        Assert.NotSame(linear.Weight, state["weight"]);
        state["bias"].FillInPlace(7);
        Assert.Equal(new float[] { 7, 7 }, linear.Bias!.ToArray<float>());
    }

    [Fact]
    public void LoadStateDict_FromAnotherModel_CopiesValuesInPlaceKeepingTensorObjects()
    {
        using var g1 = new Generator(1);
        using var g2 = new Generator(2);
        using var source = new NNTestNet(g1);
        using var target = new NNTestNet(g2);
        using var scope = DisposeScope.Enter();
        source.Train().Forward(NNTestData.Formula([2, 3, 8, 8])); // moves running stats and num_batches_tracked
        var before = target.Parameters().ToArray();
        var result = target.LoadStateDict(source.StateDict());
        Assert.Empty(result.MissingKeys);
        Assert.Empty(result.UnexpectedKeys);
        Assert.Equal(before, target.Parameters().ToArray());
        var want = source.StateDict();
        foreach (var (key, value) in target.StateDict())
        {
            Assert.Equal(NNTestData.Values(want[key]), NNTestData.Values(value));
        }

        Assert.True(before[0].RequiresGrad && before[0].IsLeaf);
    }

    [Fact]
    public void LoadStateDict_MissingAndUnexpectedKeys_ThrowNamingEveryKeyAndChangeNothing()
    {
        using var linear = new Linear(3, 2);
        using var scope = DisposeScope.Enter();
        var original = linear.Weight.ToArray<float>();
        var state = Copy(linear.StateDict());
        state["weight"] = Tensor.Zeros([2, 3]);
        state.Remove("bias");
        state["extra.thing"] = Tensor.Zeros([1]);
        var ex = Assert.Throws<StateDictMismatchException>(() => linear.LoadStateDict(state));
        Assert.Equal(["bias"], ex.MissingKeys);
        Assert.Equal(["extra.thing"], ex.UnexpectedKeys);
        Assert.Contains("Missing key(s) in state_dict: \"bias\"", ex.Message, StringComparison.Ordinal);
        Assert.Contains("Unexpected key(s) in state_dict: \"extra.thing\"", ex.Message, StringComparison.Ordinal);
        Assert.Equal(original, linear.Weight.ToArray<float>());
    }

    [Fact]
    public void LoadStateDict_ShapeMismatch_ThrowsWithKeyExpectedAndGivenShape()
    {
        using var linear = new Linear(16, 10);
        using var scope = DisposeScope.Enter();
        var state = Copy(linear.StateDict());
        state["weight"] = Tensor.Zeros([10, 15]);
        var ex = Assert.Throws<StateDictMismatchException>(() => linear.LoadStateDict(state, strict: false));
        Assert.Contains("size mismatch for weight: expected shape [10, 16], got [10, 15]", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void LoadStateDict_ManyMismatches_MessageCountsThemAndNamesTheFirstFive()
    {
        // 8 linears: 16 entries, all renamed in the state dict (16 missing, 16 unexpected), and 7 shape mismatches.
        using var net = new Sequential(Enumerable.Range(0, 8).Select(_ => (Module)new Linear(2, 2)).ToArray());
        using var scope = DisposeScope.Enter();
        var state = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        foreach (var (key, value) in net.StateDict())
        {
            state["model." + key] = value;
        }

        var wide = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        for (var i = 0; i < 7; i++)
        {
            wide[$"{i}.weight"] = Tensor.Zeros([2, 3]);
        }

        var renamed = Assert.Throws<StateDictMismatchException>(() => net.LoadStateDict(state));
        Assert.Equal(16, renamed.MissingKeys.Count);
        Assert.Equal(renamed.MissingKeys.Select(k => "model." + k), renamed.UnexpectedKeys);
        Assert.Equal(
            "Error(s) in loading state_dict for Sequential:\n"
            + "  Missing key(s) in state_dict: \"0.weight\", \"0.bias\", \"1.weight\", \"1.bias\", \"2.weight\" and 11 more (16 in all).\n"
            + "  Unexpected key(s) in state_dict: \"model.0.weight\", \"model.0.bias\", \"model.1.weight\", \"model.1.bias\", \"model.2.weight\" and 11 more (16 in all).",
            renamed.Message);

        var shapes = Assert.Throws<StateDictMismatchException>(() => net.LoadStateDict(wide, strict: false));
        Assert.Empty(shapes.MissingKeys);
        Assert.Equal(7, shapes.ShapeMismatches.Count);
        Assert.Equal("3.weight", shapes.ShapeMismatches[3].Key);
        Assert.Equal([2L, 2L], shapes.ShapeMismatches[3].Expected);
        Assert.Equal([2L, 3L], shapes.ShapeMismatches[3].Actual);
        var lines = shapes.Message.Split('\n');
        Assert.Equal(7, lines.Length);
        Assert.Equal("  size mismatch for 4.weight: expected shape [2, 2], got [2, 3].", lines[5]);
        Assert.Equal("  ... and 2 more size mismatch(es) (7 in all).", lines[6]);
    }

    [Fact]
    public void LoadStateDict_NotStrict_ReportsMissingAndUnexpectedAndCopiesTheRest()
    {
        using var linear = new Linear(2, 2);
        using var scope = DisposeScope.Enter();
        var state = new Dictionary<string, Tensor>(StringComparer.Ordinal)
        {
            ["bias"] = Tensor.From(new float[] { 3, 4 }),
            ["other"] = Tensor.Zeros([1]),
        };
        var result = linear.LoadStateDict(state, strict: false);
        Assert.Equal(new[] { "weight" }, result.MissingKeys);
        Assert.Equal(new[] { "other" }, result.UnexpectedKeys);
        Assert.Equal(new float[] { 3, 4 }, linear.Bias!.ToArray<float>());
    }

    [Fact]
    public void To_Cpu_KeepsParameterAndBufferObjectsAndValues()
    {
        using var net = new NNTestNet();
        var parameters = net.Parameters().ToArray();
        var buffers = net.Buffers().ToArray();
        var values = parameters.Select(NNTestData.Values).ToArray();
        Assert.Same(net, net.To(Device.Cpu));
        Assert.Equal(parameters, net.Parameters().ToArray());
        Assert.Equal(buffers, net.Buffers().ToArray());
        Assert.Equal(values, parameters.Select(NNTestData.Values).ToArray());
        Assert.All(parameters, p => Assert.Equal(Device.Cpu, p.Device));
    }

    [Fact]
    public void To_Cuda_MovesParametersBuffersAndGradsInPlace_OrFailsCleanlyWithoutCuda()
    {
        if (!Torch.CudaIsAvailable)
        {
            // Without CUDA the move must fail with libtorch's message and leave the model usable on the CPU.
            using var cpuNet = new NNTestNet();
            using var cpuScope = DisposeScope.Enter();
            var before = cpuNet.Parameters().Select(NNTestData.Values).ToArray();
            Assert.Throws<TorchException>(() => cpuNet.To(Device.Cuda(0)));
            Assert.All(cpuNet.Parameters(), p => Assert.Equal(Device.Cpu, p.Device));
            Assert.Equal(before, cpuNet.Parameters().Select(NNTestData.Values).ToArray());
            Assert.Equal(new long[] { 2, 10 }, cpuNet.Forward(NNTestData.Formula([2, 3, 8, 8])).Shape);
            return;
        }

        using var net = new NNTestNet();
        using var scope = DisposeScope.Enter();
        Functional.CrossEntropy(net.Forward(NNTestData.Formula([2, 3, 8, 8])), Tensor.From(new long[] { 1, 3 })).Backward();
        var parameters = net.Parameters().ToArray();
        var values = parameters.Select(NNTestData.Values).ToArray();
        var cuda = Device.Cuda(0);
        net.To(cuda);
        Assert.Equal(parameters, net.Parameters().ToArray());
        Assert.All(net.Parameters(), p => Assert.Equal(cuda, p.Device));
        Assert.All(net.Buffers(), b => Assert.Equal(cuda, b.Device));
        Assert.All(net.Parameters(), p => Assert.Equal(cuda, p.Grad!.Device));
        Assert.Equal(values, parameters.Select(NNTestData.Values).ToArray());
        var y = net.Forward(NNTestData.Formula([2, 3, 8, 8]).To(cuda));
        Assert.Equal(cuda, y.Device);
    }

    [Fact]
    public void ZeroGrad_AfterBackward_ClearsOrZeroesEveryGradient()
    {
        using var net = new NNTestNet();
        using var scope = DisposeScope.Enter();
        var x = NNTestData.Formula([2, 3, 8, 8]);
        var target = Tensor.From(new long[] { 1, 3 });
        Functional.CrossEntropy(net.Forward(x), target).Backward();
        Assert.All(net.Parameters(), p => Assert.NotNull(p.Grad));
        Assert.Contains(net.Parameters(), p => p.Grad!.Abs().Sum().ToDouble() > 0);
        net.ZeroGrad(setToNone: false);
        Assert.All(net.Parameters(), p => Assert.Equal(0, p.Grad!.Abs().Sum().ToDouble()));
        net.ZeroGrad();
        Assert.All(net.Parameters(), p => Assert.Null(p.Grad));
    }

    [Fact]
    public void Dispose_Model_DisposesEveryParameterAndBufferAndRejectsUse()
    {
        var net = new NNTestNet();
        var tensors = net.Parameters().Concat(net.Buffers()).ToArray();
        net.Dispose();
        Assert.All(tensors, t => Assert.True(t.IsDisposed));
        Assert.Throws<ObjectDisposedException>(() => net.StateDict());
        net.Dispose();
    }

    [Fact]
    public void LayerToString_Conv2dBatchNormLinear_DescribeLikePyTorch()
    {
        using var conv = new Conv2d(3, 16, 3, padding: 1, bias: false);
        using var bn = new BatchNorm2d(16);
        using var fc = new Linear(64, 10);
        Assert.Equal("Conv2d(3, 16, kernel_size=3, stride=1, padding=1, bias=False)", conv.ToString());
        Assert.Equal("BatchNorm2d(16, eps=1E-05, momentum=0.1)", bn.ToString());
        Assert.Equal("Linear(in_features=64, out_features=10, bias=True)", fc.ToString());
    }
}
