using Sweeps.Torch;
using Sweeps.Torch.NN;
using Sweeps.Training.Data;
using Sweeps.Training.Methods;
using Sweeps.Training.Models;
using Sweeps.Training.Quantization;

namespace Sweeps.Training.Tests;

/// <summary>
/// Every quantizer and every method in channels-last against NCHW on the same inputs and the same weights: outputs,
/// loss terms and gradients agree to a relative difference of 1e-5 in float32. A layout error (a wrong stride, a value
/// from another channel) is of the order of the values themselves.
/// </summary>
/// <remarks>
/// <para>Relative difference: of a value (an output, logits, a loss term) max |a - b| / max |a| over its elements; of
/// the gradient, the same over the whole gradient, every parameter's (and the input's) entries together. A
/// quantizer's scalar parameters (interval ends, steps, clip levels, scales) get gradients that are sums over every
/// element with terms of both signs that nearly cancel (the straight-through estimator makes an interior element's
/// output insensitive to them), so float32 leaves them a relative error of up to 1e-3 that depends only on the order
/// of summation, which follows the layout; the layer tests therefore also run in float64, where every gradient tensor
/// is compared on its own (relative 1e-9).</para>
/// <para>Both sides start from one state: the NCHW reference initialises its quantizers from the first input, and the
/// channels-last copy loads its state dict. (Quantizers initialised from each layout's own input are compared
/// separately: their ranges come from reductions whose order depends on the layout.)</para>
/// <para>EWGS's delta update is compared as the vector of its deltas, one per quantizer: each is a Hutchinson trace
/// estimate, a sum of terms of both signs, divided by a standard deviation.</para>
/// <para>Quantized models run their BatchNorm layers in evaluation mode, with running statistics from training-mode
/// passes (so that no BatchNorm output is exactly 0 where a sum over quantized values cancels exactly in one order of
/// summation and not in the other, which would flip a ReLU's gradient there). Training-mode BatchNorm normalises with batch statistics, sums whose order follows the layout, so its
/// outputs differ in the last bits; a quantizer after it can then round one value to the neighbouring level, a
/// difference of a whole step that is rounding, not a layout error. Training-mode BatchNorm is compared in full
/// precision (<c>fp</c>, where no rounding to levels follows).</para>
/// </remarks>
public sealed class ChannelsLastEquivalenceTests
{
    private const double Tolerance = 1e-5;

    private static readonly string[] LayerNames =
    [
        "ewgs-fused", "ewgs-composed", "ewgs-signed-stem-fused", "ewgs-signed-stem-composed", "lsq", "lsq-per-channel",
        "pact-dorefa", "one-bit",
    ];

    public static TheoryData<string> LayerCases() => new(LayerNames);

    // A quantized 3x3 convolution with bias, quantizers as named; the stem cases see a 1-channel signed input.
    private static (QuantConv2d Layer, long InChannels) Layer(string name, ulong seed)
    {
        using var generator = new Generator(seed);
        var stem = name.Contains("stem", StringComparison.Ordinal);
        long inChannels = stem ? 1 : 8;
        const long outChannels = 16;
        (Quantizer Weights, Quantizer Inputs) q = name switch
        {
            "ewgs-fused" or "ewgs-composed" => (new EwgsQuantizer(QuantizationTarget.Weights, 4), new EwgsQuantizer(QuantizationTarget.Activations, 4)),
            "ewgs-signed-stem-fused" or "ewgs-signed-stem-composed" =>
                (new EwgsQuantizer(QuantizationTarget.Weights, 8), new EwgsQuantizer(QuantizationTarget.Activations, 8, signedInput: true)),
            "lsq" => (new LsqQuantizer(QuantizationTarget.Weights, 4), new LsqQuantizer(QuantizationTarget.Activations, 4)),
            "lsq-per-channel" => (new LsqQuantizer(QuantizationTarget.Weights, 4, channels: outChannels), new LsqQuantizer(QuantizationTarget.Activations, 4)),
            "pact-dorefa" => (new DoReFaWeightQuantizer(4), new PactQuantizer(4)),
            "one-bit" => (new BinaryWeightQuantizer(), new PactQuantizer(1)),
            _ => throw new ArgumentOutOfRangeException(nameof(name), name, "unknown case"),
        };
        foreach (var ewgs in new[] { q.Weights, q.Inputs }.OfType<EwgsQuantizer>())
        {
            ewgs.Delta = 0.2; // the EWGS backward, not the plain straight-through one
            ewgs.UseFusedKernel = name.EndsWith("-fused", StringComparison.Ordinal);
        }

        return (new QuantConv2d(inChannels, outChannels, 3, 1, 1, bias: true, q.Weights, q.Inputs, generator), inChannels);
    }

    private static Tensor LayerInput(long channels, bool signed, Generator generator)
    {
        var x = Tensor.Randn([4, channels, 10, 10], generator) * 1.5;
        return signed ? x : Functional.Relu(x); // hidden layers see ReLU outputs
    }

    public static TheoryData<string, ScalarType> LayerPrecisionCases()
    {
        var cases = new TheoryData<string, ScalarType>();
        foreach (var name in LayerNames)
        {
            cases.Add(name, ScalarType.Float32);
            cases.Add(name, ScalarType.Float64);
        }

        return cases;
    }

    [Theory]
    [MemberData(nameof(LayerPrecisionCases))]
    public void Layer_ChannelsLastAgainstNchw_SameOutputsAndGradients(string name, ScalarType dtype)
    {
        using var scope = DisposeScope.Enter();
        using var generator = new Generator(11);
        var (nchw, inChannels) = Layer(name, 5);
        var (last, _) = Layer(name, 6); // other weights: the state dict below must overwrite all of them
        using var a = nchw;
        using var b = last;
        ToDtype(a, dtype);
        ToDtype(b, dtype);
        var x = LayerInput(inChannels, name.Contains("stem", StringComparison.Ordinal), generator).To(dtype);
        using (new NoGradScope())
        {
            a.Forward(x); // initialises the quantizers (ranges, steps, scales) from x
        }

        b.LoadStateDict(a.StateDict());
        b.To(MemoryFormat.ChannelsLast);
        Assert.Equal(MemoryFormat.ChannelsLast, b.Weight.MemoryFormat);
        var upstream = Tensor.Randn([4, 16, 10, 10], generator, dtype);

        var xa = x.Clone().Detach().WithRequiresGrad();
        var xb = x.ToMemoryFormat(MemoryFormat.ChannelsLast).Detach().WithRequiresGrad();
        var ya = a.Forward(xa);
        var yb = b.Forward(xb);
        (ya * upstream).Sum().Backward();
        (yb * upstream).Sum().Backward();

        Assert.Equal(MemoryFormat.ChannelsLast, yb.MemoryFormat); // the quantizers keep the layout: no NCHW detour
        var report = new Differences(dtype == ScalarType.Float32 ? Tolerance : 1e-9, eachGradientAlone: dtype == ScalarType.Float64);
        report.AddValue("output", ya, yb);
        report.AddGradient("input", xa.Grad!, xb.Grad!);
        report.AddGradients(a, b);
        report.Check(dtype.ToString());
        Assert.True(a.Parameters().All(p => p.Grad is not null), "a parameter got no gradient: the comparison would miss it");
    }

    // Every floating-point parameter and buffer in another precision (in place).
    private static void ToDtype(Module module, ScalarType dtype)
    {
        using var noGrad = new NoGradScope();
        using var scope = DisposeScope.Enter();
        foreach (var t in module.Parameters().Concat(module.Buffers()).Where(t => t.Dtype is ScalarType.Float32 or ScalarType.Float64))
        {
            t.SetData(t.To(dtype));
        }
    }

    [Theory]
    [MemberData(nameof(LayerCases))]
    public void Layer_QuantizersInitialisedFromAChannelsLastInput_SameParametersAsFromNchw(string name)
    {
        using var scope = DisposeScope.Enter();
        using var generator = new Generator(12);
        var (nchw, inChannels) = Layer(name, 5);
        var (last, _) = Layer(name, 5);
        using var a = nchw;
        using var b = last;
        b.To(MemoryFormat.ChannelsLast);
        var x = LayerInput(inChannels, name.Contains("stem", StringComparison.Ordinal), generator);

        using (new NoGradScope())
        {
            a.Forward(x);
            b.Forward(x.ToMemoryFormat(MemoryFormat.ChannelsLast));
        }

        var report = new Differences(Tolerance);
        foreach (var ((key, pa), (_, pb)) in a.NamedParameters().Zip(b.NamedParameters()))
        {
            report.AddValue(key, pa, pb);
        }

        report.Check();
    }

    // EWGS W4A4 with the fused kernel is the qat case of the method test.
    public static TheoryData<QuantizerKind, int, bool> ModelCases() => new()
    {
        { QuantizerKind.Ewgs, 4, false },
        { QuantizerKind.Lsq, 4, true },
        { QuantizerKind.Pact, 4, true },
        { QuantizerKind.Ewgs, 1, true }, // 1 bit: binary weights, 1-bit PACT activations, whatever the kind
    };

    [Theory]
    [MemberData(nameof(ModelCases))]
    public void QuantizedResNet20_ChannelsLastAgainstNchw_SameLogitsAndEveryGradient(QuantizerKind kind, int bits, bool fused)
    {
        using var scope = DisposeScope.Enter();
        using var generator = new Generator(13);
        ClassifierModel Build() => ModelRegistry.Create("resnet20", 3, 10, new QuantizedLayerFactory(kind, new BitWidths(bits, bits)), generator);
        var images = Tensor.Randn([8, 3, 12, 12], generator);
        var labels = Tensor.From(new long[] { 0, 1, 2, 3, 4, 5, 6, 7 });
        var (a, b) = Pair(Build, images, evaluationBatchNorm: true);
        using (a)
        using (b)
        {
            foreach (var q in a.Modules().Concat(b.Modules()).OfType<EwgsQuantizer>())
            {
                q.Delta = 0.1;
                q.UseFusedKernel = fused;
            }

            var la = a.Forward(images);
            var lb = b.Forward(images.ToMemoryFormat(MemoryFormat.ChannelsLast));
            Functional.CrossEntropy(la, labels).Backward();
            Functional.CrossEntropy(lb, labels).Backward();

            var report = new Differences(Tolerance);
            report.AddValue("logits", la, lb);
            report.AddGradients(a, b);
            report.Check();
        }
    }

    // Issue 16's torchvision models (small-input stems), full precision and quantized (EWGS W4A4 fused, LSQ W4A4):
    // MobileNetV2's depthwise convs have one input channel per group, kernels [C, 1, 3, 3] whose channels-last strides
    // element-wise ops may give back as row-major ones. Dropout is in evaluation mode (its mask is a draw, not a layout
    // question). Full precision: ResNet-18 with training-mode BatchNorm in float64 (1e-9); MobileNetV2 in float32 with
    // BatchNorm in evaluation mode (libtorch runs a float64 grouped convolution group by group: minutes for
    // MobileNetV2). With batch statistics of 4 small images, float32 MobileNetV2 differs between the layouts by up to
    // 1 % of the largest gradient in PyTorch 1.13 itself (torchvision's model, NCHW against channels-last; float64:
    // 8e-14): BatchNorm divides by standard deviations of nearly constant channels and amplifies the last bits.
    [Theory]
    [InlineData("resnet18", null, ScalarType.Float64)]
    [InlineData("resnet18", QuantizerKind.Ewgs, ScalarType.Float32)]
    [InlineData("mobilenetv2", null, ScalarType.Float32)]
    [InlineData("mobilenetv2", QuantizerKind.Ewgs, ScalarType.Float32)]
    [InlineData("mobilenetv2", QuantizerKind.Lsq, ScalarType.Float32)]
    public void TorchvisionModel_ChannelsLastAgainstNchw_SameLogitsAndEveryGradient(string modelName, QuantizerKind? kind, ScalarType dtype)
    {
        using var scope = DisposeScope.Enter();
        using var generator = new Generator(16);
        ILayerFactory factory = kind is { } k ? new QuantizedLayerFactory(k, new BitWidths(4, 4)) : FullPrecisionLayerFactory.Instance;
        ClassifierModel Build()
        {
            var model = ModelRegistry.Create(modelName, 3, 10, factory, generator, inputSize: 8);
            ToDtype(model, dtype);
            return model;
        }

        var images = Tensor.Randn([4, 3, 8, 8], generator).To(dtype); // 1 x 1 at the end of both (small-input stems)
        var labels = Tensor.From(new long[] { 0, 3, 5, 9 });
        var trainingModeBatchNorm = dtype == ScalarType.Float64;
        var (a, b) = Pair(Build, images, evaluationBatchNorm: !trainingModeBatchNorm);
        using (a)
        using (b)
        {
            foreach (var model in new[] { a, b })
            {
                foreach (var dropout in model.Modules().OfType<Dropout>())
                {
                    dropout.Eval();
                }

                foreach (var q in model.Modules().OfType<EwgsQuantizer>())
                {
                    q.Delta = 0.1;
                    q.UseFusedKernel = true;
                }
            }

            var depthwise = b.Modules().OfType<Conv2d>().Where(c => c.Groups > 1).ToList();
            Assert.Equal(modelName == "mobilenetv2", depthwise.Count > 0);
            Assert.All(depthwise, c => Assert.Equal(MemoryFormat.ChannelsLast, c.Weight.MemoryFormat));

            var la = a.Forward(images);
            var lb = b.Forward(images.ToMemoryFormat(MemoryFormat.ChannelsLast));
            Functional.CrossEntropy(la, labels).Backward();
            Functional.CrossEntropy(lb, labels).Backward();

            var report = new Differences(dtype == ScalarType.Float32 ? Tolerance : 1e-9);
            report.AddValue("logits", la, lb);
            report.AddGradients(a, b);
            report.Check($"{modelName} {(kind?.ToString() ?? "fp")} {dtype}");
            Assert.True(a.Parameters().All(p => p.Grad is not null), "a parameter got no gradient: the comparison would miss it");
        }
    }

    [Theory]
    [InlineData("fp")]
    [InlineData("qat")]
    [InlineData("sqakd")]
    [InlineData("mec-quant")]
    [InlineData("fpq")]
    [InlineData("cr-eval-teacher")]
    [InlineData("cr-fp-student")]
    public void MethodLoss_ChannelsLastAgainstNchw_SameTermsLogitsAndGradients(string methodName)
    {
        using var scope = DisposeScope.Enter();
        using var generator = new Generator(14);
        var data = SyntheticDataset.Create(32, 3, 12, 12, 10, seed: 3);
        // CR's mean teacher runs in training mode (batch statistics). Quantized, its training-mode BatchNorm feeds
        // quantizers, which round a last-bit difference to a whole step now and then (see the class remarks): the
        // quantized case runs the teacher in evaluation mode; the training-mode teacher is compared with a
        // full-precision student (and teacher), where nothing rounds to levels.
        TrainingMethod CreateMethod() => methodName switch
        {
            "cr-eval-teacher" => new CrMethod { TeacherInTrainingMode = false },
            "cr-fp-student" => MethodRegistry.Create(CrMethod.MethodName),
            _ => MethodRegistry.Create(methodName),
        };
        using var probe = CreateMethod();
        var requirements = probe.Requirements;
        var quantized = requirements.QuantizedStudent && methodName != "cr-fp-student";
        ILayerFactory factory = quantized ? new QuantizedLayerFactory(QuantizerKind.Ewgs, new BitWidths(4, 4)) : FullPrecisionLayerFactory.Instance;
        ClassifierModel BuildStudent() => ModelRegistry.Create("resnet20", 3, 10, factory, generator);
        ClassifierModel BuildTeacher() => ModelRegistry.Create("resnet20", 3, 10, FullPrecisionLayerFactory.Instance, generator);

        using var evaluation = new DataLoader(data, DataLoaderOptions.Evaluation(16, Device.Cpu) with { Prefetch = 0 });
        using var firstBatch = evaluation.Epoch(0).First();
        var (studentA, studentB) = Pair(BuildStudent, firstBatch.Images, quantized);
        var (teacherA, teacherB) = requirements.FrozenTeacher ? Pair(BuildTeacher, firstBatch.Images, evaluationBatchNorm: false) : (null, null);
        foreach (var teacher in new[] { teacherA, teacherB })
        {
            teacher?.Eval();
        }

        var a = Run(MemoryFormat.Contiguous, studentA, teacherA);
        var b = Run(MemoryFormat.ChannelsLast, studentB, teacherB);

        Assert.Equal(a.Terms.Keys, b.Terms.Keys);
        var report = new Differences(Tolerance);
        foreach (var (term, value) in a.Terms)
        {
            report.AddValue(term, value, b.Terms[term]);
        }

        report.AddValue("logits", a.Logits, b.Logits);
        Assert.Equal(a.Gradients.Select(g => g.Name), b.Gradients.Select(g => g.Name));
        foreach (var ((key, ga), (_, gb)) in a.Gradients.Zip(b.Gradients))
        {
            report.AddGradient(key, ga, gb);
        }

        report.Check();
        Assert.True(a.Gradients.Count > 0);
        foreach (var model in new[] { studentA, studentB, teacherA, teacherB })
        {
            model?.Dispose();
        }

        Outcome Run(MemoryFormat format, ClassifierModel student, ClassifierModel? teacher)
        {
            using var method = CreateMethod();
            using var methodGenerator = new Generator(21); // FPQ's noise, CR's nothing: the same draws on both sides
            method.Initialize(new MethodSetup(student, teacher, Device.Cpu, 10, 1, 2, methodGenerator, BuildStudent) { MemoryFormat = format });
            using var loader = new DataLoader(data, DataLoaderOptions.Training(16, seed: 4, Device.Cpu) with { MemoryFormat = format, Prefetch = 0 });
            using var batch = method.Batches(loader, 0).First();
            var loss = method.Compute(batch, student, teacher, new StepInfo(1, 1, 2, 0.5, methodGenerator));
            loss.Total().Backward();
            var gradients = student.NamedParameters().Concat(method.ExtraParameters.Select((p, i) => ($"method.{i}", p)))
                .Where(p => p.Item2.Grad is not null)
                .Select(p => (p.Item1, p.Item2.Grad!.Detach()))
                .ToList();
            return new Outcome(loss.Terms.ToDictionary(t => t.Name, t => t.Value.Detach()), loss.Logits!.Detach(), gradients);
        }
    }

    [Fact]
    public void EwgsDeltaUpdate_ChannelsLastAgainstNchw_SameHutchinsonDeltas()
    {
        using var scope = DisposeScope.Enter();
        using var generator = new Generator(15);
        ClassifierModel Build() => ModelRegistry.Create("resnet20", 3, 10, new QuantizedLayerFactory(QuantizerKind.Ewgs, new BitWidths(4, 4)), generator);
        var images = Tensor.Randn([4, 3, 12, 12], generator);
        var labels = Tensor.From(new long[] { 0, 1, 2, 3 });
        var (a, b) = Pair(Build, images, evaluationBatchNorm: true);
        using (a)
        using (b)
        {
            var deltasA = Deltas(a, images);
            var deltasB = Deltas(b, images.ToMemoryFormat(MemoryFormat.ChannelsLast));

            Assert.Equal(deltasA.Keys, deltasB.Keys);
            Assert.Contains(deltasA.Values, d => d > 0); // the estimate is not trivially 0 on both sides
            // One delta per quantizer, each (trace(H)/N) / (3 sd(g)) with a trace estimated as a sum over N elements of
            // terms of both signs: as for the gradient, the deltas are compared as one vector.
            var report = new Differences(Tolerance);
            report.AddValue("deltas", [.. deltasA.Values], [.. deltasA.Keys.Select(k => deltasB[k])]);
            report.Check();
        }

        IReadOnlyDictionary<string, double> Deltas(ClassifierModel model, Tensor x)
        {
            using var rademacher = new Generator(22);
            return HutchinsonDelta.Update(model, _ => Functional.CrossEntropy(model.Forward(x), labels), batches: 1, rademacher, maxSamples: 2);
        }
    }

    // Two models with one state: the NCHW reference initialises its quantizers from `images` and gets BatchNorm running
    // statistics from training-mode passes over them (no gradient), the other loads its state dict and turns
    // channels-last. Both are in training mode, with BatchNorm in evaluation mode when asked (quantized models: see the
    // class remarks).
    private static (ClassifierModel Nchw, ClassifierModel ChannelsLast) Pair(Func<ClassifierModel> build, Tensor images, bool evaluationBatchNorm)
    {
        var a = build();
        var b = build();
        using (new NoGradScope())
        using (DisposeScope.Enter())
        {
            a.Train();
            for (var i = 0; i < 5; i++)
            {
                a.Forward(images); // running statistics move 1 - 0.9^5 = 41 % of the way to the batch's
            }
        }

        b.LoadStateDict(a.StateDict());
        b.To(MemoryFormat.ChannelsLast);
        foreach (var model in new[] { a, b })
        {
            model.Train();
            if (evaluationBatchNorm)
            {
                foreach (var bn in model.Modules().OfType<BatchNorm2d>())
                {
                    bn.Eval();
                }
            }
        }

        Assert.All(b.Parameters().Where(p => p.Dim == 4), p => Assert.Equal(MemoryFormat.ChannelsLast, p.MemoryFormat));
        return (a, b);
    }

    private sealed record Outcome(Dictionary<string, Tensor> Terms, Tensor Logits, List<(string Name, Tensor Gradient)> Gradients);

    // Relative differences (see the class remarks): values each on their own, gradient tensors together as one
    // gradient (or each on its own when asked). Reports every failure at once.
    private sealed class Differences(double tolerance, bool eachGradientAlone = false)
    {
        private readonly List<(string What, double Difference, double Scale)> _values = [];
        private readonly List<(string What, double Difference, double Scale)> _gradients = [];

        public void AddValue(string what, Tensor expected, Tensor actual)
        {
            Assert.Equal(expected.Shape, actual.Shape);
            AddValue(what, Doubles(expected), Doubles(actual));
        }

        public void AddValue(string what, double[] expected, double[] actual) => _values.Add(Measure(what, expected, actual));

        public void AddGradient(string what, Tensor expected, Tensor actual)
        {
            Assert.Equal(expected.Shape, actual.Shape);
            _gradients.Add(Measure(what + ".grad", Doubles(expected), Doubles(actual)));
        }

        public void AddGradients(Module a, Module b)
        {
            foreach (var ((key, pa), (_, pb)) in a.NamedParameters().Zip(b.NamedParameters()))
            {
                Assert.Equal(pa.Grad is null, pb.Grad is null);
                if (pa.Grad is { } ga)
                {
                    AddGradient(key, ga, pb.Grad!);
                }
            }
        }

        public void Check(string context = "")
        {
            Assert.NotEmpty(_values.Concat(_gradients));
            var failures = _values.Where(e => !(e.Difference <= tolerance * e.Scale)).Select(Describe).ToList();
            if (eachGradientAlone)
            {
                failures.AddRange(_gradients.Where(e => !(e.Difference <= tolerance * e.Scale)).Select(Describe));
            }
            else if (_gradients.Count > 0)
            {
                var scale = _gradients.Max(g => g.Scale);
                var worst = _gradients.MaxBy(g => g.Difference);
                if (!(worst.Difference <= tolerance * scale))
                {
                    failures.Add($"the gradient ({_gradients.Count} tensors): max |difference| {worst.Difference:G3} (in {worst.What}), max |value| {scale:G3}");
                }
            }

            Assert.True(
                failures.Count == 0,
                $"{context} differences above {tolerance:G} relative: " + string.Join("; ", failures));
        }

        private static (string, double, double) Measure(string what, double[] expected, double[] actual)
        {
            var scale = expected.Select(Math.Abs).DefaultIfEmpty(0).Max();
            var difference = expected.Zip(actual).Select(p => Math.Abs(p.First - p.Second)).DefaultIfEmpty(0).Max();
            return (what, difference, scale);
        }

        private static string Describe((string What, double Difference, double Scale) e) =>
            $"{e.What}: max |difference| {e.Difference:G3}, max |value| {e.Scale:G3}";

        private static double[] Doubles(Tensor t) => t.Detach().Contiguous().To(ScalarType.Float64).ToArray<double>();
    }
}
