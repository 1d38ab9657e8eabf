using Sweeps.Torch.NN;
using Sweeps.Torch.Optim;
using Sweeps.Torch.Serialization;

namespace Sweeps.Torch.Tests;

/// <summary>
/// Channels-last tensors and modules: the strides each conversion gives (checked against the formula for NHWC
/// memory: element [n, c, h, w] at n HWC + h WC + w C + c), values unchanged, one-channel tensors included, modules
/// converting their 4-D members only, and files written in the standard layout whatever the format trained in.
/// </summary>
public sealed class MemoryFormatTests : IDisposable
{
    private readonly DisposeScope _scope = DisposeScope.Enter();

    public void Dispose() => _scope.Dispose();

    // The element at [n, c, h, w] of a channels-last tensor read back in memory order: its index in NHWC order.
    private static float[] MemoryOrder(Tensor t) =>
        t.Permute(0, 2, 3, 1).Contiguous().ToArray<float>();

    [Theory]
    [InlineData(3)]
    [InlineData(1)]
    public void ToMemoryFormat_ChannelsLast_SameValuesNhwcMemoryAndBackAgain(long channels)
    {
        var x = Tensor.Arange(0, 2 * channels * 3 * 4).Reshape(2, channels, 3, 4);
        var last = x.ToMemoryFormat(MemoryFormat.ChannelsLast);

        Assert.Equal(MemoryFormat.Contiguous, x.MemoryFormat);
        Assert.Equal(MemoryFormat.ChannelsLast, last.MemoryFormat);
        Assert.True(last.IsContiguousIn(MemoryFormat.ChannelsLast));
        Assert.Equal(channels == 1, last.IsContiguous); // one channel: dense in both orders, yet channels-last strides
        Assert.Equal(x.Shape, last.Shape);
        Assert.Equal(x.ToArray<float>(), last.ToArray<float>());
        Assert.Equal(MemoryOrder(x), MemoryOrder(last));

        var back = last.ToMemoryFormat(MemoryFormat.Contiguous);
        Assert.Equal(MemoryFormat.Contiguous, back.MemoryFormat);
        Assert.True(back.IsContiguous);
        Assert.Equal(x.ToArray<float>(), back.ToArray<float>());
    }

    [Fact]
    public void ToMemoryFormat_AlreadyInFormat_AliasSharingStorage()
    {
        var last = Tensor.Zeros([2, 3, 2, 2]).ToMemoryFormat(MemoryFormat.ChannelsLast);
        var again = last.ToMemoryFormat(MemoryFormat.ChannelsLast);
        using (new NoGradScope())
        {
            again.FillInPlace(5);
        }

        Assert.All(last.ToArray<float>(), v => Assert.Equal(5f, v));
    }

    [Fact]
    public void ToMemoryFormat_ChannelsLastOfA3dTensor_FailsWithTorchsMessage()
    {
        var e = Assert.Throws<TorchException>(() => Tensor.Zeros([2, 3, 4]).ToMemoryFormat(MemoryFormat.ChannelsLast));
        Assert.Contains("rank 4", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ToMemoryFormat_RequiresGrad_GradientFlowsBackInTheSourcesLayout()
    {
        var x = Tensor.Arange(0, 24).Reshape(1, 2, 3, 4).WithRequiresGrad();
        var y = x.ToMemoryFormat(MemoryFormat.ChannelsLast);
        (y * y).Sum().Backward();

        Assert.Equal(x.ToArray<float>().Select(v => 2 * v), x.Grad!.ToArray<float>());
    }

    [Fact]
    public void From_ChannelsLastData_ElementNchwIsDataAtNhwcIndex()
    {
        const int n = 2, c = 3, h = 2, w = 4;
        var data = Enumerable.Range(0, n * c * h * w).Select(i => (float)i).ToArray();
        var t = Tensor.From<float>(data, [n, c, h, w], MemoryFormat.ChannelsLast);

        Assert.Equal([n, c, h, w], t.Shape);
        Assert.Equal(MemoryFormat.ChannelsLast, t.MemoryFormat);
        var values = t.ToArray<float>(); // logical (row-major) order
        for (var ni = 0; ni < n; ni++)
        {
            for (var ci = 0; ci < c; ci++)
            {
                for (var hi = 0; hi < h; hi++)
                {
                    for (var wi = 0; wi < w; wi++)
                    {
                        var logical = (((((ni * c) + ci) * h) + hi) * w) + wi;
                        var memory = (((((ni * h) + hi) * w) + wi) * c) + ci;
                        Assert.Equal(data[memory], values[logical]);
                    }
                }
            }
        }

        Assert.Equal(data, MemoryOrder(t));
        Assert.Throws<TorchException>(() => Tensor.From<float>(data[..24], [2, 3, 4], MemoryFormat.ChannelsLast));
    }

    [Fact]
    public void ModuleTo_ChannelsLast_Converts4dMembersAndGradientsOnlyKeepingValuesAndIdentity()
    {
        using var generator = new Generator(1);
        using var model = new Sequential(new Conv2d(1, 4, 3, generator: generator), new BatchNorm2d(4), new Conv2d(4, 2, 1, generator: generator));
        var x = Tensor.Randn([2, 1, 5, 5], generator);
        model.Forward(x).Sum().Backward();
        var before = model.NamedParameters().Select(p => (p.Name, Tensor: p.Parameter, Values: p.Parameter.ToArray<float>(), Grad: p.Parameter.Grad!.ToArray<float>())).ToList();

        Assert.Same(model, model.To(MemoryFormat.ChannelsLast));

        foreach (var (name, tensor, values, grad) in before)
        {
            Assert.Same(tensor, model.NamedParameters().Single(p => p.Name == name).Parameter);
            var expected = tensor.Dim == 4 ? MemoryFormat.ChannelsLast : MemoryFormat.Contiguous;
            Assert.True(expected == tensor.MemoryFormat, $"{name}: {tensor.MemoryFormat}");
            Assert.True(expected == tensor.Grad!.MemoryFormat, $"{name}.grad: {tensor.Grad!.MemoryFormat}");
            Assert.Equal(values, tensor.ToArray<float>());
            Assert.Equal(grad, tensor.Grad!.ToArray<float>());
        }

        Assert.All(model.Buffers(), b => Assert.Equal(MemoryFormat.Contiguous, b.MemoryFormat));
        model.To(MemoryFormat.Contiguous);
        Assert.All(model.Parameters(), p => Assert.True(p.IsContiguous && p.MemoryFormat == MemoryFormat.Contiguous));
    }

    [Fact]
    public void ModuleTo_ChannelsLast_ForwardAndBackwardEqualNchwWithinFloatRounding()
    {
        using var generator = new Generator(2);
        // No bias before BatchNorm: its gradient would be 0 up to rounding (BatchNorm removes the mean).
        using var nchw = new Sequential(new Conv2d(3, 8, 3, padding: 1, bias: false, generator: generator), new BatchNorm2d(8), new ReLU(), new Conv2d(8, 4, 3, stride: 2, generator: generator));
        using var last = new Sequential(new Conv2d(3, 8, 3, padding: 1, bias: false, generator: generator), new BatchNorm2d(8), new ReLU(), new Conv2d(8, 4, 3, stride: 2, generator: generator));
        last.LoadStateDict(nchw.StateDict());
        last.To(MemoryFormat.ChannelsLast);
        var x = Tensor.Randn([4, 3, 9, 9], generator);

        var y = nchw.Forward(x);
        var yLast = last.Forward(x.ToMemoryFormat(MemoryFormat.ChannelsLast));
        (y * y).Sum().Backward();
        (yLast * yLast).Sum().Backward();

        Assert.Equal(MemoryFormat.ChannelsLast, yLast.MemoryFormat);
        AssertRelativeClose(y, yLast, "output");
        foreach (var ((name, p), (_, q)) in nchw.NamedParameters().Zip(last.NamedParameters()))
        {
            AssertRelativeClose(p.Grad!, q.Grad!, name + ".grad");
        }
    }

    [Fact]
    public void StateDictFile_ChannelsLastModel_FileHoldsRowMajorStridesForTorchLoad()
    {
        using var generator = new Generator(3);
        using var model = new Sequential(new Conv2d(1, 4, 3, generator: generator), new Conv2d(4, 2, 3, generator: generator));
        model.To(MemoryFormat.ChannelsLast);
        var folder = Directory.CreateTempSubdirectory("sweeps-channels-last-").FullName;
        try
        {
            var path = Path.Combine(folder, "model.pt");
            StateDictFile.Save(model.StateDict(), path);

            var loaded = PythonReference.Run("serialize_state_dict.py", "read", path);
            foreach (var entry in loaded.GetProperty("entries").EnumerateArray())
            {
                var shape = entry.GetProperty("shape").EnumerateArray().Select(x => x.GetInt64()).ToArray();
                var stride = entry.GetProperty("stride").EnumerateArray().Select(x => x.GetInt64()).ToArray();
                Assert.True(TestAssert.RowMajorStrides(shape).SequenceEqual(stride), $"{entry.GetProperty("name")}: shape [{string.Join(", ", shape)}], strides [{string.Join(", ", stride)}]");
                var name = entry.GetProperty("name").GetString()!;
                var expected = model.StateDict()[name].ToArray<float>().Select(v => (double)v);
                Assert.Equal(expected, entry.GetProperty("values").EnumerateArray().Select(v => v.GetDouble()));
            }
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void OptimizerState_SavedInChannelsLastLoadedForNchwParameters_ContinuesWithTheSameValues()
    {
        // Adam's moments are created in their parameter's layout; a checkpoint written in channels-last resumes in NCHW.
        using var generator = new Generator(4);
        var folder = Directory.CreateTempSubdirectory("sweeps-channels-last-").FullName;
        try
        {
            var start = Tensor.Randn([3, 2, 3, 3], generator);
            var target = Tensor.Randn([3, 2, 3, 3], generator);
            var last = DisposeScope.Detach(start.ToMemoryFormat(MemoryFormat.ChannelsLast).Detach().WithRequiresGrad());
            var nchw = DisposeScope.Detach(start.Clone().Detach().WithRequiresGrad());
            using var adamLast = new Adam([last], new AdamOptions(0.1));
            for (var i = 0; i < 2; i++)
            {
                Step(adamLast, last);
            }

            var path = Path.Combine(folder, "optimizer.pt");
            adamLast.Save(path);
            using (new NoGradScope())
            {
                nchw.CopyFrom(last);
            }

            using var adamNchw = new Adam([nchw], new AdamOptions(0.1));
            adamNchw.Load(path);
            Step(adamLast, last);
            Step(adamNchw, nchw);

            Assert.Equal(MemoryFormat.Contiguous, nchw.MemoryFormat);
            Assert.Equal(last.ToArray<float>(), nchw.ToArray<float>());
            last.Dispose();
            nchw.Dispose();

            void Step(Adam adam, Tensor p)
            {
                using var scope = DisposeScope.Enter();
                adam.ZeroGrad();
                (p - target).Square().Sum().Backward();
                adam.Step();
            }
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    // max |a - b| <= 1e-5 max |a|: the same computation up to float32 rounding (a layout error is of order 1).
    private static void AssertRelativeClose(Tensor expected, Tensor actual, string what)
    {
        var a = expected.ToArray<float>();
        var b = actual.ToArray<float>();
        var scale = a.Max(v => Math.Abs((double)v));
        var diff = a.Zip(b).Max(p => Math.Abs((double)p.First - p.Second));
        Assert.True(diff <= 1e-5 * scale, $"{what}: max |difference| {diff:G3}, max |value| {scale:G3}");
    }
}
