using Sweeps.Torch;
using Sweeps.Torch.NN;
using Sweeps.Torch.Optim;
using Sweeps.Torch.Tests;
using Sweeps.Training.Methods;
using Sweeps.Training.Models;
using Sweeps.Training.Quantization;

namespace Sweeps.Training.Tests;

/// <summary>The methods' parts on real models, outside the trainer: FPQ's perturbation (train mode only, sigma 0,
/// statistics, determinism), CR's EMA update and mean teacher, SQAKD's quantizer co-optimisation, MEC-Quant's gate and
/// gradient path.</summary>
public sealed class MethodComponentTests
{
    private static readonly long[] ImageShape = [8, 1, 12, 12];

    private static ClassifierModel Student(ulong seed = 3)
    {
        using var generator = new Generator(seed);
        return ModelRegistry.Create("resnet20", 1, 10, new QuantizedLayerFactory(QuantizerKind.Ewgs, new BitWidths(4, 4)), generator);
    }

    private static ClassifierModel Teacher(ulong seed = 3)
    {
        using var generator = new Generator(seed);
        return ModelRegistry.Create("resnet20", 1, 10, FullPrecisionLayerFactory.Instance, generator);
    }

    private static MethodSetup Setup(ClassifierModel student, ClassifierModel? teacher, Generator generator) =>
        new(student, teacher, Device.Cpu, 10, 1, 4, generator, () => Student(99));

    private static void Install(ClassifierModel model, IInputPerturbation? perturbation)
    {
        foreach (var layer in model.Modules().OfType<IQuantizedLayer>())
        {
            layer.InputPerturbation = perturbation;
        }
    }

    [Fact]
    public void Perturbation_EvalMode_OutputDeterministicAndUnperturbed()
    {
        using var scope = DisposeScope.Enter();
        using var model = Student();
        using var generator = new Generator(1);
        var images = NNTestData.Formula(ImageShape);
        model.Eval();
        var plain = NNTestData.Values(model.Forward(images));
        var perturbation = new FeaturePerturbation(0.1, 1.0, generator);
        Install(model, perturbation);

        var first = NNTestData.Values(model.Forward(images));
        var second = NNTestData.Values(model.Forward(images));

        Assert.Equal(plain, first);
        Assert.Equal(plain, second);
        Assert.Equal(0, perturbation.Calls);
    }

    [Fact]
    public void Perturbation_TrainModeSigmaZero_EqualsNoPerturbation()
    {
        using var scope = DisposeScope.Enter();
        using var model = Student();
        using var generator = new Generator(1);
        var images = NNTestData.Formula(ImageShape);
        model.Train();
        var plain = NNTestData.Values(model.Forward(images));
        var layers = model.Modules().OfType<IQuantizedLayer>().Count();

        var zero = new FeaturePerturbation(0, 1.0, generator);
        Install(model, zero);
        var withZero = NNTestData.Values(model.Forward(images));
        Install(model, new FeaturePerturbation(0.1, 1.0, generator));
        var withNoise = NNTestData.Values(model.Forward(images));

        Assert.Equal(plain, withZero);
        Assert.Equal(layers, zero.Calls);
        Assert.Equal(layers, zero.PerturbedCalls);
        // The same step with sigma 0.1 does change the output: the comparison above can fail.
        Assert.True(plain.Zip(withNoise).Max(p => Math.Abs(p.First - p.Second)) > 1e-3, "sigma 0.1 did not change the output");
    }

    [Fact]
    public void Perturbation_LargeInput_NoiseHasSigmaSdScaleAndHalfTheCallsPerturb()
    {
        using var scope = DisposeScope.Enter();
        using var generator = new Generator(5);
        var x = NNTestData.Formula([64, 1000], 0.0, 3.0) + 1.0;
        var values = NNTestData.Values(x);
        var xMean = values.Average();
        var sd = Math.Sqrt(values.Select(a => (a - xMean) * (a - xMean)).Average());

        var always = new FeaturePerturbation(0.1, 1.0, generator);
        var noise = NNTestData.Values((always.Perturb(x) - x) / (0.1 * sd));
        var mean = noise.Average();
        var std = Math.Sqrt(noise.Select(e => (e - mean) * (e - mean)).Average());

        Assert.InRange(mean, -0.01, 0.01);
        Assert.InRange(std, 0.98, 1.02);

        var half = new FeaturePerturbation(0.1, 0.5, generator);
        var small = Tensor.Ones([3]);
        var unchanged = 0;
        for (var i = 0; i < 2000; i++)
        {
            using var inner = DisposeScope.Enter();
            if (ReferenceEquals(half.Perturb(small), small))
            {
                unchanged++;
            }
        }

        Assert.Equal(2000 - unchanged, half.PerturbedCalls);
        Assert.InRange(half.PerturbedCalls, 900, 1100);
    }

    [Fact]
    public void Perturbation_SameGeneratorState_SameDraws()
    {
        using var scope = DisposeScope.Enter();
        var x = NNTestData.Formula([4, 50]);
        double[] Draw()
        {
            using var generator = new Generator(11);
            var p = new FeaturePerturbation(0.1, 0.5, generator);
            return [.. Enumerable.Range(0, 6).SelectMany(_ => NNTestData.Values(p.Perturb(x)))];
        }

        Assert.Equal(Draw(), Draw());
    }

    [Fact]
    public void FpqInitialize_QuantizedStudent_InstallsPerturbationOnEveryQuantizedLayer()
    {
        using var student = Student();
        using var teacher = Teacher();
        using var generator = new Generator(1);
        using var fpq = new FpqMethod();

        fpq.Initialize(Setup(student, teacher, generator));

        var layers = student.Modules().OfType<IQuantizedLayer>().ToList();
        Assert.Equal(student.WeightLayers.Count, layers.Count);
        Assert.All(layers, l => Assert.Same(fpq.Perturbation, l.InputPerturbation));
        Assert.Equal(0.1, fpq.Perturbation!.Sigma);
        Assert.Equal(0.5, fpq.Perturbation.Probability);
        Assert.Same(generator, fpq.Perturbation.Generator);

        // Disposing the method takes the perturbation (which refers to the run's generator) off the layers.
        fpq.Dispose();
        Assert.All(layers, l => Assert.Null(l.InputPerturbation));
    }

    [Fact]
    public void FpqLoss_OneStep_CeAndCsdAgainstTeacherStages()
    {
        using var scope = DisposeScope.Enter();
        using var student = Student();
        using var teacher = Teacher();
        using var generator = new Generator(1);
        using var fpq = new FpqMethod();
        fpq.Initialize(Setup(student, teacher, generator));
        teacher.Eval();
        var images = NNTestData.Formula(ImageShape);
        var labels = Tensor.From(new long[] { 0, 1, 2, 3, 4, 5, 6, 7 }, 8);

        var loss = fpq.Loss(new LabeledStep(images, labels, student, teacher, new StepInfo(1, 1, 4, 0, generator)));

        Assert.Equal(["ce", "csd"], loss.Terms.Select(t => t.Name));
        Assert.All(loss.Terms, t => Assert.True(double.IsFinite(t.Value.ToDouble()) && t.Value.ToDouble() > 0));
        Assert.Equal(student.WeightLayers.Count, fpq.Perturbation!.Calls);
    }

    [Fact]
    public void EmaUpdate_HandComputedValues_AverageParametersAndStatisticsCopyCounters()
    {
        using var scope = DisposeScope.Enter();
        using var source = new Sequential(new Linear(3, 2), new BatchNorm2d(2));
        using var average = new Sequential(new Linear(3, 2), new BatchNorm2d(2));
        NNTestData.SetParameters(source);
        var sourceBn = (BatchNorm2d)source.Children().ElementAt(1);
        var averageBn = (BatchNorm2d)average.Children().ElementAt(1);
        using (new NoGradScope())
        {
            sourceBn.RunningMean.CopyFrom(Tensor.From(new float[] { 0.5f, -1.5f }, 2));
            sourceBn.RunningVar.CopyFrom(Tensor.From(new float[] { 2f, 0.25f }, 2));
            sourceBn.NumBatchesTracked.FillInPlace(7);
            foreach (var p in average.Parameters())
            {
                p.FillInPlace(1);
            }
        }

        var ema = new ExponentialMovingAverage(source, average);
        var before = average.NamedParameters().Concat(average.NamedBuffers()).ToDictionary(p => p.Name, p => NNTestData.Values(p.Item2));
        ema.Update(0.999);

        Assert.Equal(["0.weight", "0.bias", "1.weight", "1.bias", "1.running_mean", "1.running_var"], ema.AveragedNames);
        Assert.Equal(["1.num_batches_tracked"], ema.CopiedNames);
        var sourceValues = source.NamedParameters().Concat(source.NamedBuffers()).ToDictionary(p => p.Name, p => NNTestData.Values(p.Item2));
        foreach (var (name, tensor) in average.NamedParameters().Concat(average.NamedBuffers()))
        {
            var after = NNTestData.Values(tensor);
            var expected = name.EndsWith("num_batches_tracked", StringComparison.Ordinal)
                ? sourceValues[name]
                : before[name].Zip(sourceValues[name], (a, s) => (0.999 * a) + (0.001 * s)).ToArray();
            TestAssert.Close(expected, after, 1e-6, 1e-7, name);
        }

        // By hand: running_mean 0 -> 0.001 * (0.5, -1.5); running_var 1 -> 0.999 + 0.001 * (2, 0.25); counter 0 -> 7.
        TestAssert.Close([0.0005, -0.0015], NNTestData.Values(averageBn.RunningMean), 1e-6, 1e-9, "running_mean");
        TestAssert.Close([1.001, 0.99925], NNTestData.Values(averageBn.RunningVar), 1e-6, 1e-9, "running_var");
        Assert.Equal(7, averageBn.NumBatchesTracked.ToInt64());

        // n more steps towards a fixed source: a_n = s + (a_0 - s) m^n.
        for (var i = 0; i < 9; i++)
        {
            ema.Update(0.999);
        }

        var start = before["1.running_var"];
        TestAssert.Close(
            start.Zip(sourceValues["1.running_var"], (a, s) => s + ((a - s) * Math.Pow(0.999, 10))).ToArray(),
            NNTestData.Values(averageBn.RunningVar), 1e-6, 1e-9, "running_var after 10 steps");
    }

    [Fact]
    public void EmaConstructorAndUpdate_DifferentStructureOrMomentumOutsideUnitInterval_Throw()
    {
        using var source = new Sequential(new Linear(3, 2));
        using var other = new Sequential(new Linear(3, 4));
        Assert.Throws<ArgumentException>(() => new ExponentialMovingAverage(source, other));
        var ema = new ExponentialMovingAverage(source, source);
        Assert.Throws<ArgumentOutOfRangeException>(() => ema.Update(1.0));
        Assert.Throws<ArgumentOutOfRangeException>(() => ema.Update(-0.1));
        Assert.Throws<ArgumentOutOfRangeException>(() => ema.Update(double.NaN));
    }

    [Fact]
    public void CrSteps_MeanTeacherStartsAsStudentCopyThenFollowsItsEma()
    {
        using var scope = DisposeScope.Enter();
        using var student = Student();
        using var generator = new Generator(1);
        using var cr = new CrMethod();
        cr.Initialize(Setup(student, null, generator));
        var view1 = NNTestData.Formula(ImageShape);
        var view2 = NNTestData.Formula(ImageShape, 0.5);
        var labels = Tensor.From(new long[] { 0, 1, 2, 3, 4, 5, 6, 7 }, 8);
        student.Train();

        Assert.False(cr.IsStarted);
        var loss = cr.Loss(new TwoViewStep(view1, view2, labels, student, null, new StepInfo(1, 1, 4, 0.0, generator)));

        // After the first step's forward the mean teacher is an exact copy of the student (quantizer ranges included);
        // its own forward since, in training mode, moved only its BatchNorm running statistics and counters.
        Assert.True(cr.IsStarted);
        var teacher = cr.MeanTeacher!;
        Assert.True(teacher.IsTraining);
        var studentState = student.StateDict();
        foreach (var (key, value) in teacher.StateDict())
        {
            if (key.EndsWith("running_mean", StringComparison.Ordinal) || key.EndsWith("running_var", StringComparison.Ordinal))
            {
                continue;
            }

            var expectedValues = NNTestData.Values(studentState[key]);
            if (key.EndsWith("num_batches_tracked", StringComparison.Ordinal))
            {
                expectedValues = [expectedValues[0] + 1];
            }

            Assert.Equal(expectedValues, NNTestData.Values(value));
        }

        // The consistency term: w(0) KL(softmax(z_ema(x2)) || softmax(z_s(x1))), the mean teacher in training mode
        // (BatchNorm with view 2's batch statistics, as Mean Teacher's code runs it), not with its running statistics.
        Assert.Equal(["ce", "consistency"], loss.Terms.Select(t => t.Name));
        double expected;
        double withRunningStatistics;
        using (new NoGradScope())
        {
            expected = Math.Exp(-5) * Distillation.KlDivergence(teacher.Forward(view2), loss.Logits!, 1).ToDouble();
            teacher.Eval();
            withRunningStatistics = Math.Exp(-5) * Distillation.KlDivergence(teacher.Forward(view2), loss.Logits!, 1).ToDouble();
            teacher.Train();
        }

        Assert.Equal(expected, loss.Terms[1].Value.ToDouble(), 9);
        Assert.True(expected > 0);
        Assert.True(Math.Abs(withRunningStatistics - expected) > 1e-3 * expected, "the test cannot tell the two modes apart");

        // A stand-in optimizer step moves one student weight; the EMA's first update (n = 1, t = 0) has momentum
        // min(0.99, (1 + 1) / (10 + 1)) = 2/11: it moves 9/11 of the way.
        var weight = student.WeightLayers[1].Weight;
        var emaWeight = teacher.WeightLayers[1].Weight;
        var emaBefore = NNTestData.Values(emaWeight);
        using (new NoGradScope())
        {
            weight.AddInPlace(0.5);
        }

        var studentAfter = NNTestData.Values(weight);
        cr.AfterOptimizerStep(new StepInfo(1, 1, 4, 0.0, generator));

        TestAssert.Close(emaBefore.Zip(studentAfter, (e, s) => (2.0 / 11 * e) + (9.0 / 11 * s)).ToArray(), NNTestData.Values(emaWeight), 1e-6, 1e-8, "ema weight");
        Assert.Equal(emaBefore[0] + (0.5 * 9 / 11), NNTestData.Values(emaWeight)[0], 5);
    }

    [Theory]
    // n = 1, t = 0: the warm-up (1 + 1) / (10 + 1) = 2/11 is below the ramp-up's 0.99.
    [InlineData(1, 0.0, 2.0 / 11)]
    // n = 10: 11/20.
    [InlineData(10, 0.05, 11.0 / 20)]
    // n = 100 during the ramp-up: 101/110 < 0.99.
    [InlineData(100, 0.1, 101.0 / 110)]
    // n = 1000 during the ramp-up: 1001/1010 = 0.99109 > 0.99, so 0.99; after it, 1001/1010 < 0.999.
    [InlineData(1000, 0.29, 0.99)]
    [InlineData(1000, 0.3, 1001.0 / 1010)]
    // n = 20000 after the ramp-up: 20001/20010 = 0.99955 > 0.999, so 0.999.
    [InlineData(20000, 0.5, 0.999)]
    public void CrTeacherMomentum_StepAndProgress_HandComputedValues(long updates, double progress, double expected) =>
        Assert.Equal(expected, CrMethod.TeacherMomentum(updates, progress), 12);

    [Fact]
    public void CrMeanTeacher_AfterTenPercentOfTheSteps_TracksTheStudentWithinTheWarmUpBound()
    {
        // A run of 100 steps: the student (W2A2) trains with Adam (the students' lr 1e-3) on one fixed batch, so its
        // steps point the same way and it travels far from where the mean teacher started. After n = 10 steps
        // (10 %) the teacher-student difference is e_n = sum_k (prod_{j=k..n} d_j) D_k, D_k the student's k-th step
        // and d_j = TeacherMomentum(j, t) = (1 + j) / (10 + j) here (the warm-up; below 0.99). The d_j grow with j, so
        // |e_n| <= max_k |D_k| sum_{i>=1} d_n^i = max_k |D_k| d_n / (1 - d_n) = max_k |D_k| (n + 1) / 9 = 11/9 max |D_k|.
        // With the former constant momentum 0.999 the factor is sum_{i=1..10} 0.999^i = 9.945: the teacher stays near
        // the start, |e_10| close to the student's whole travel.
        const int steps = 100;
        const int done = steps / 10;
        using var scope = DisposeScope.Enter();
        using var generator = new Generator(1);
        var factory = new QuantizedLayerFactory(QuantizerKind.Lsq, new BitWidths(2, 2));
        using var student = ModelRegistry.Create("resnet20", 1, 10, factory, generator);
        using var cr = new CrMethod();
        cr.Initialize(new MethodSetup(student, null, Device.Cpu, 10, 1, steps, generator, () => ModelRegistry.Create("resnet20", 1, 10, factory, generator)));
        using var optimizer = new Adam(student.Parameters(), new AdamOptions(1e-3));
        var view1 = NNTestData.Formula(ImageShape);
        var view2 = NNTestData.Formula(ImageShape, 0.5);
        var labels = Tensor.From(new long[] { 0, 1, 2, 3, 4, 5, 6, 7 }, 8);
        student.Train();

        double[]? start = null;
        var largestStep = 0.0;
        for (var step = 1; step <= done; step++)
        {
            using var stepScope = DisposeScope.Enter();
            var info = new StepInfo(1, step, steps, (step - 1) / (double)steps, generator);
            optimizer.ZeroGrad();
            var loss = cr.Loss(new TwoViewStep(view1, view2, labels, student, null, info));
            // After the forward (the first one initialises the quantizers' scales; the teacher copied the student then).
            var before = Flatten(student);
            start ??= before;
            loss.Total().Backward();
            optimizer.Step();
            cr.AfterOptimizerStep(info);
            largestStep = Math.Max(largestStep, Distance(Flatten(student), before));
        }

        var studentNow = Flatten(student);
        var gap = Distance(Flatten(cr.MeanTeacher!), studentNow);
        var travel = Distance(studentNow, start!);
        var bound = 11.0 / 9 * largestStep;
        Assert.True(gap <= bound * (1 + 1e-4), $"teacher-student distance {gap:G6} above the bound 11/9 x {largestStep:G6} = {bound:G6}");
        // The bound means something: a teacher left where the student started (the former 0.999) is far outside it.
        Assert.True(travel > 3 * bound, $"the student travelled only {travel:G6} (bound {bound:G6})");
    }

    [Fact]
    public void CrStateDict_RoundTrip_RestoresMeanTeacherAndStartedFlag()
    {
        using var scope = DisposeScope.Enter();
        using var student = Student();
        using var generator = new Generator(1);
        using var cr = new CrMethod();
        cr.Initialize(Setup(student, null, generator));
        Assert.Empty(cr.StateDict());
        var view = NNTestData.Formula(ImageShape);
        var labels = Tensor.From(new long[] { 0, 1, 2, 3, 4, 5, 6, 7 }, 8);
        cr.Loss(new TwoViewStep(view, view, labels, student, null, new StepInfo(1, 1, 4, 0.0, generator)));
        var state = cr.StateDict();
        Assert.All(state.Keys, k => Assert.StartsWith("ema.", k, StringComparison.Ordinal));
        var saved = state.ToDictionary(kv => kv.Key, kv => NNTestData.Values(kv.Value.Clone()));

        using var restored = new CrMethod();
        using var student2 = Student(8);
        restored.Initialize(Setup(student2, null, generator));
        restored.LoadStateDict(state);

        Assert.True(restored.IsStarted);
        foreach (var (key, value) in restored.MeanTeacher!.StateDict())
        {
            Assert.Equal(saved["ema." + key], NNTestData.Values(value));
        }

        Assert.Throws<StateDictMismatchException>(() => restored.LoadStateDict(new Dictionary<string, Tensor>()));
    }

    [Fact]
    public void SqakdLoss_OneStep_QuantizerParametersGetGradientFromKl()
    {
        using var scope = DisposeScope.Enter();
        using var student = Student();
        using var teacher = Teacher(4);
        using var generator = new Generator(1);
        using var sqakd = new SqakdMethod();
        teacher.Eval();
        student.Train();

        var loss = sqakd.Loss(new UnlabeledStep(NNTestData.Formula(ImageShape), student, teacher, new StepInfo(1, 1, 4, 0, generator)));
        loss.Total().Backward();

        Assert.Equal("kl", Assert.Single(loss.Terms).Name);
        Assert.True(loss.Terms[0].Value.ToDouble() > 0);
        var quantizer = student.QuantizerParameters();
        Assert.NotEmpty(quantizer);
        var withGradient = quantizer.Count(p => p.Grad is { } g && NNTestData.Values(g).Any(v => v != 0));
        Assert.True(withGradient > quantizer.Count / 2, $"{withGradient} of {quantizer.Count} quantizer parameters got a gradient from the KL loss");
        Assert.Null(teacher.Parameters().First().Grad);
    }

    [Fact]
    public void MecQuant_InitializeAndStep_EqualGateTrainedAndRegulariserGradientReachesTheNetwork()
    {
        using var scope = DisposeScope.Enter();
        using var student = Student();
        using var generator = new Generator(1);
        using var mec = new MecQuantMethod();
        mec.Initialize(Setup(student, null, generator));

        Assert.Equal([0.0, 0.0, 0.0, 0.0], NNTestData.Values(mec.GateLogits!));
        Assert.Same(mec.GateLogits, Assert.Single(mec.ExtraParameters));
        Assert.True(mec.GateLogits!.RequiresGrad);
        Assert.Equal(1e-3, mec.Recipe.MethodLearningRate);

        var labels = Tensor.From(new long[] { 0, 1, 2, 3, 4, 5, 6, 7 }, 8);
        var loss = mec.Loss(new LabeledStep(NNTestData.Formula(ImageShape), labels, student, null, new StepInfo(1, 1, 4, 0, generator)));
        Assert.Equal(["ce", "mec"], loss.Terms.Select(t => t.Name));
        // Only the regulariser: its gradient reaches the features, the convolutions below them and the gate.
        loss.Terms[1].Value.Backward();

        Assert.InRange(loss.Terms[1].Value.ToDouble(), -1.0, -0.5);
        var conv = student.WeightLayers[^2].Weight;
        Assert.True(NNTestData.Values(conv.Grad!).Max(Math.Abs) > 0, "no gradient from mec reached the last convolution");
        Assert.True(NNTestData.Values(mec.GateLogits.Grad!).Max(Math.Abs) > 0, "no gradient reached the gate");
        Assert.Null(student.WeightLayers[^1].Weight.Grad);

        var state = mec.StateDict();
        using (new NoGradScope())
        {
            mec.GateLogits.CopyFrom(Tensor.From(new float[] { 1, 2, 3, 4 }, 4));
        }

        var saved = state["gate_logits"];
        mec.LoadStateDict(state);
        Assert.Equal([0.0, 0.0, 0.0, 0.0], NNTestData.Values(mec.GateLogits));
        Assert.NotSame(saved, mec.GateLogits);
    }

    private static double[] Flatten(ClassifierModel model) =>
        model.Parameters().SelectMany(NNTestData.Values).ToArray();

    private static double Distance(double[] a, double[] b) => Math.Sqrt(a.Zip(b, (x, y) => (x - y) * (x - y)).Sum());
}
