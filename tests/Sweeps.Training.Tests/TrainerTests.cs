using System.Security.Cryptography;
using System.Text.Json;
using Sweeps.Torch;
using Sweeps.Torch.Tests;
using Sweeps.Training.Methods;
using Sweeps.Training.Models;
using Sweeps.Training.Quantization;
using Sweeps.Training.Training;

namespace Sweeps.Training.Tests;

/// <summary>The trainer end to end on tiny synthetic runs: learning, outputs, qat from a teacher, exact resume, NaN
/// failure, label-free methods.</summary>
public sealed class TrainerTests(TeacherFixture teacher) : IClassFixture<TeacherFixture>
{
    [Fact]
    public void Run_FpOnLearnableSyntheticData_TestAccuracyRisesAboveChance()
    {
        var metrics = TrainerTestData.MetricsLines(teacher.Directory);

        Assert.Equal("completed", teacher.Result.Status);
        Assert.True(teacher.Result.BestTestTop1 > 0.5, $"best test top-1 {teacher.Result.BestTestTop1:P1} (chance 10 %)");
        var losses = metrics.Select(m => m.GetProperty("train_loss").GetDouble()).ToArray();
        Assert.True(losses[^1] < losses[0], $"train loss did not fall: {string.Join(", ", losses)}");
        Assert.Equal(3 * 16, teacher.Steps.Count);
        Assert.Equal(Enumerable.Range(1, 16), teacher.Steps.Take(16).Select(s => s.Step));
        Assert.Equal([1, 2, 3], teacher.Steps.Select(s => s.Epoch).Distinct());
        Assert.All(teacher.Steps, s => Assert.Equal(16, s.StepsPerEpoch));
    }

    [Fact]
    public void Run_Fp_WritesMetricsAndFinalWithSaneValues()
    {
        var metrics = TrainerTestData.MetricsLines(teacher.Directory);
        var final = TrainerTestData.Final(teacher.Directory);

        Assert.Equal([1, 2, 3], metrics.Select(m => m.GetProperty("epoch").GetInt32()));
        var totalSteps = 3 * 16;
        for (var e = 0; e < 3; e++)
        {
            var m = metrics[e];
            var loss = m.GetProperty("train_loss").GetDouble();
            Assert.InRange(loss, 1e-6, 10);
            Assert.Equal(loss, m.GetProperty("loss_terms").GetProperty("ce").GetDouble(), 9);
            Assert.InRange(m.GetProperty("train_top1").GetDouble(), 0, 1);
            Assert.InRange(m.GetProperty("test_top1").GetDouble(), 0, 1);
            Assert.InRange(m.GetProperty("test_loss").GetDouble(), 1e-6, 20);
            Assert.False(m.TryGetProperty("test_top5", out _), "top-5 is only reported for more than 10 classes");
            var expectedLr = 0.05 * 0.5 * (1 + Math.Cos(Math.PI * e * 16 / totalSteps)); // cosine, per iteration
            Assert.Equal(expectedLr, m.GetProperty("learning_rates").GetProperty("weights").GetDouble(), 12);
            Assert.Empty(m.GetProperty("quantizer_statistics").EnumerateObject());
            Assert.True(m.GetProperty("seconds").GetDouble() > 0);
            Assert.True(m.GetProperty("samples_per_second").GetDouble() > 0);
        }

        var top1 = metrics.Select(m => m.GetProperty("test_top1").GetDouble()).ToArray();
        Assert.Equal("completed", final.GetProperty("status").GetString());
        Assert.Equal("fp", final.GetProperty("method").GetString());
        Assert.Equal("W32A32", final.GetProperty("bits").GetString());
        Assert.Equal("none", final.GetProperty("ewgs_delta").GetString());
        Assert.Equal(top1.Max(), final.GetProperty("best_test_top1").GetDouble());
        Assert.Equal(top1[^1], final.GetProperty("last_test_top1").GetDouble());
        Assert.Equal(top1.Average(), final.GetProperty("mean_last5_test_top1").GetDouble(), 9);
        Assert.Equal(7, final.GetProperty("seed").GetInt64());
        Assert.Equal(32 * final.GetProperty("weight_count").GetInt64(), final.GetProperty("model_size_bits").GetInt64());
        var recipe = final.GetProperty("recipe");
        Assert.Equal("sgd", recipe.GetProperty("optimizer").GetString());
        Assert.Equal(0.05, recipe.GetProperty("learning_rate").GetDouble());
        Assert.Equal(5e-4, recipe.GetProperty("weight_decay").GetDouble());
        Assert.True(recipe.GetProperty("nesterov").GetBoolean());
        Assert.Equal(16, recipe.GetProperty("batch_size").GetInt32());
        Assert.StartsWith("1.13", final.GetProperty("versions").GetProperty("libtorch").GetString());
        Assert.Equal(JsonValueKind.Null, final.GetProperty("resumed_after_epoch").ValueKind);
    }

    [Fact]
    public void Run_Fp_ModelAndCheckpointOpenWithTorchLoad()
    {
        var model = teacher.ModelPath;
        var checkpoint = Path.Combine(teacher.Directory, Trainer.CheckpointDirectoryName);
        var reference = PythonReference.Run("state_dicts.py", model, Path.Combine(checkpoint, "model.pt"), Path.Combine(checkpoint, "rng.pt"));

        using var fresh = ModelRegistry.Create("resnet20", 1, 10, FullPrecisionLayerFactory.Instance);
        using var scope = DisposeScope.Enter();
        var keys = fresh.StateDict().Keys.ToArray();
        var values = TrainerTestData.Values(model);
        var python = reference.GetProperty(model);
        Assert.Equal(keys, python.EnumerateObject().Select(p => p.Name));
        foreach (var key in keys)
        {
            var expected = python.GetProperty(key).GetProperty("sum").GetDouble();
            Assert.True(Math.Abs(values[key].Sum(v => (double)v) - expected) <= 1e-4 * (1 + Math.Abs(expected)), $"sum of '{key}' differs from torch.load's");
        }

        // After the last epoch the checkpoint holds the final model.
        var inCheckpoint = reference.GetProperty(Path.Combine(checkpoint, "model.pt"));
        Assert.Equal(keys, inCheckpoint.EnumerateObject().Select(p => p.Name));

        // The run trained in channels-last (the CPU default); both files hold the standard row-major layout.
        Assert.Equal("channels_last", teacher.Result.MemoryFormat);
        foreach (var file in new[] { python, inCheckpoint })
        {
            foreach (var entry in file.EnumerateObject())
            {
                var shape = entry.Value.GetProperty("shape").EnumerateArray().Select(x => x.GetInt64()).ToArray();
                var strides = entry.Value.GetProperty("stride").EnumerateArray().Select(x => x.GetInt64()).ToArray();
                Assert.True(TestAssert.RowMajorStrides(shape).SequenceEqual(strides), $"'{entry.Name}': strides [{string.Join(", ", strides)}] for shape [{string.Join(", ", shape)}]");
            }
        }

        Assert.All(keys, k => Assert.Equal(python.GetProperty(k).GetProperty("sum").GetDouble(), inCheckpoint.GetProperty(k).GetProperty("sum").GetDouble()));
        var rng = reference.GetProperty(Path.Combine(checkpoint, "rng.pt")).GetProperty("generator");
        Assert.Equal("uint8", rng.GetProperty("dtype").GetString());
        var state = JsonDocument.Parse(File.ReadAllText(Path.Combine(checkpoint, "state.json"))).RootElement;
        Assert.Equal(3, state.GetProperty("epoch").GetInt32());
        Assert.Equal(48, state.GetProperty("scheduler_position").GetInt64());
        Assert.True(File.Exists(Path.Combine(checkpoint, "optimizer.pt")));
    }

    [Fact]
    public void Run_CancelledDuringTheEwgsDeltaEstimate_StopsBeforeTheNextLossOfTheEstimate()
    {
        // The Hutchinson estimate before epoch 1 evaluates the loss on 3 batches (each followed by its Hessian-vector
        // products); the method cancels at the first of them. The trainer must stop there, not after the estimate.
        using var dir = new TempDirectory();
        var options = TrainerTestData.Options(dir.Path, "qat", epochs: 1) with { TeacherCheckpoint = teacher.ModelPath };
        using var cancel = new CancellationTokenSource();
        var method = new CancellingQat(cancel);

        Assert.ThrowsAny<OperationCanceledException>(() => TrainerTestData.Trainer(options, () => method).Run(cancel.Token));

        Assert.Equal(1, method.Losses);
        Assert.False(File.Exists(Path.Combine(dir.Path, Trainer.ModelFileName)));
    }

    /// <summary>qat that cancels a token at its first loss and counts its losses.</summary>
    private sealed class CancellingQat(CancellationTokenSource cancel) : LabeledMethod
    {
        private readonly QatMethod _qat = new();

        public int Losses { get; private set; }

        public override string Name => _qat.Name;

        public override string Summary => _qat.Summary;

        public override Recipe Recipe => _qat.Recipe with { EwgsDeltaBatches = 3 };

        public override MethodRequirements Requirements => _qat.Requirements;

        public override StepLoss Loss(LabeledStep step)
        {
            Losses++;
            cancel.Cancel();
            return _qat.Loss(step);
        }
    }

    [Theory]
    [InlineData("W4A4", 4, true, 0.5)]
    [InlineData("W2A2", 2, false, 0.2)]
    public void Run_QatFromTeacher_TrainsQuantizedStudent(string bits, int weightBits, bool deltaUpdate, double minTrainTop1)
    {
        using var dir = new TempDirectory();
        var options = TrainerTestData.Options(dir.Path, "qat", epochs: 1) with
        {
            Bits = BitWidths.Parse(bits), TeacherCheckpoint = teacher.ModelPath, EwgsDeltaUpdate = deltaUpdate,
        };

        // With the delta update: qat with a cheaper Hutchinson estimate; without: the registered qat itself.
        var result = deltaUpdate
            ? TrainerTestData.Trainer(options, () => new TrainerTestData.FastQat()).Run()
            : TrainerTestData.Trainer(options).Run();

        var m = Assert.Single(TrainerTestData.MetricsLines(dir.Path));
        Assert.Equal(bits, result.Bits);
        Assert.Equal("ewgs", result.Quantizer);
        Assert.Equal(deltaUpdate ? "hutchinson" : "ste", result.EwgsDelta);
        Assert.Equal(deltaUpdate, m.GetProperty("ewgs_delta_updated").GetBoolean());
        Assert.Equal(deltaUpdate, m.GetProperty("ewgs_mean_delta").GetDouble() > 0);
        Assert.Equal(1e-3, m.GetProperty("learning_rates").GetProperty("weights").GetDouble(), 15);
        Assert.Equal(1e-5, m.GetProperty("learning_rates").GetProperty("quantizer").GetDouble(), 15);
        var stats = m.GetProperty("quantizer_statistics");
        Assert.Equal(["conv.input", "conv.weight", "linear.input", "linear.weight"], stats.EnumerateObject().Select(p => p.Name));
        Assert.All(stats.EnumerateObject(), p => Assert.True(p.Value.GetDouble() > 0));
        Assert.InRange(result.LastTestTop1, 0, 1);
        // The student starts from the teacher's weights: on the training batches (train-mode BatchNorm) it is well above
        // chance (10 %) from the first epoch. (Test top-1 in eval mode is not asserted: see the report on the EWGS first layer.)
        var trainTop1 = m.GetProperty("train_top1").GetDouble();
        Assert.True(trainTop1 > minTrainTop1, $"{bits} student of a {teacher.Result.LastTestTop1:P1} teacher: train top-1 {trainTop1:P1}");

        // Size: first conv and last linear at 8 bits, every other weight at the requested bits.
        using var student = ModelRegistry.Create("resnet20", 1, 10, FullPrecisionLayerFactory.Instance);
        var layers = student.WeightLayers;
        var expected = (layers[0].WeightCount * 8) + (layers[^1].WeightCount * 8) + (layers.Skip(1).SkipLast(1).Sum(l => l.WeightCount) * weightBits);
        Assert.Equal(expected, result.ModelSizeBits);
        Assert.Equal(LayerRole.First, layers[0].Role);
        Assert.Equal(LayerRole.Last, layers[^1].Role);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Run_StoppedAfterEpochOneAndResumed_EndsBitIdenticalToStraightRun(bool channelsLast)
    {
        using var straightDir = new TempDirectory();
        using var resumedDir = new TempDirectory();
        // qat with STE (the Hutchinson estimate is slow on a 2-core test machine; deltas are restored from state.json).
        var straightOptions = TrainerTestData.Options(straightDir.Path, "qat", epochs: 2) with
        {
            TeacherCheckpoint = teacher.ModelPath, EwgsDeltaUpdate = false, ChannelsLast = channelsLast,
        };
        var resumedOptions = straightOptions with { OutputDirectory = resumedDir.Path };

        TrainerTestData.Trainer(straightOptions).Run();

        // First part: cancelled right after epoch 1's checkpoint (at the next step boundary).
        using var cancel = new CancellationTokenSource();
        var first = TrainerTestData.Trainer(resumedOptions, new TrainingCallbacks { Epoch = _ => cancel.Cancel() });
        Assert.ThrowsAny<OperationCanceledException>(() => first.Run(cancel.Token));
        Assert.False(File.Exists(Path.Combine(resumedDir.Path, Trainer.ModelFileName)));
        Assert.Single(TrainerTestData.MetricsLines(resumedDir.Path));

        // A crash between the metrics line and the checkpoint leaves a line too many, perhaps torn: resume drops it.
        var metricsPath = Path.Combine(resumedDir.Path, Trainer.MetricsFileName);
        var line = File.ReadAllLines(metricsPath)[0];
        File.AppendAllText(metricsPath, line.Replace("\"epoch\":1,", "\"epoch\":2,", StringComparison.Ordinal) + "\n{\"epoch\":");

        var resumed = TrainerTestData.Trainer(resumedOptions).Run();

        Assert.Equal(1, resumed.ResumedAfterEpoch);
        Assert.Equal(channelsLast ? "channels_last" : "contiguous", resumed.MemoryFormat);
        var a = TrainerTestData.Values(Path.Combine(straightDir.Path, Trainer.ModelFileName));
        var b = TrainerTestData.Values(Path.Combine(resumedDir.Path, Trainer.ModelFileName));
        Assert.Equal(a.Keys, b.Keys);
        foreach (var key in a.Keys)
        {
            Assert.True(a[key].SequenceEqual(b[key]), $"'{key}' differs between the straight and the resumed run");
        }

        var straightMetrics = TrainerTestData.MetricsLines(straightDir.Path);
        var resumedMetrics = TrainerTestData.MetricsLines(resumedDir.Path);
        Assert.Equal([1, 2], straightMetrics.Select(m => m.GetProperty("epoch").GetInt32()));
        Assert.Equal([1, 2], resumedMetrics.Select(m => m.GetProperty("epoch").GetInt32()));
        foreach (var key in new[] { "train_loss", "test_top1", "test_loss" })
        {
            Assert.Equal(straightMetrics.Select(m => m.GetProperty(key).GetDouble()), resumedMetrics.Select(m => m.GetProperty(key).GetDouble()));
        }
    }

    [Fact]
    public void Run_LossTermNaNAtEpochTwoStepTwo_FailsNamingItAndKeepsEpochOneCheckpoint()
    {
        using var dir = new TempDirectory();
        var options = TrainerTestData.Options(dir.Path, "nan-test", epochs: 2, trainLimit: 48);
        var checkpointModel = Path.Combine(dir.Path, Trainer.CheckpointDirectoryName, "model.pt");
        byte[]? hashAfterEpochOne = null;
        var trainer = TrainerTestData.Trainer(options, () => new NaNAtStepMethod(epoch: 2, step: 2), new TrainingCallbacks
        {
            Epoch = e => hashAfterEpochOne = e.Epoch == 1 ? SHA256.HashData(File.ReadAllBytes(checkpointModel)) : hashAfterEpochOne,
        });

        var failure = Assert.Throws<TrainingFailedException>(() => trainer.Run());

        Assert.Equal(2, failure.Epoch);
        Assert.Equal(2, failure.Step);
        Assert.Equal("penalty", failure.Term);
        Assert.Contains("'penalty' is NaN at epoch 2, step 2", failure.Message, StringComparison.Ordinal);
        var final = TrainerTestData.Final(dir.Path);
        Assert.Equal("failed", final.GetProperty("status").GetString());
        Assert.Equal(failure.Message, final.GetProperty("reason").GetString());
        Assert.NotNull(hashAfterEpochOne);
        Assert.Equal(hashAfterEpochOne, SHA256.HashData(File.ReadAllBytes(checkpointModel)));
        var state = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir.Path, Trainer.CheckpointDirectoryName, "state.json"))).RootElement;
        Assert.Equal(1, state.GetProperty("epoch").GetInt32());
        Assert.Single(TrainerTestData.MetricsLines(dir.Path));
        Assert.False(File.Exists(Path.Combine(dir.Path, Trainer.ModelFileName)));
    }

    [Fact]
    public void Run_LabelFreeMethod_ReceivesUnlabeledStepsAndReportsNoTrainAccuracy()
    {
        // The guarantee is in the types: the step a label-free method receives, and the batch it is built from,
        // have no labels member (LabelFreeProbe.Loss could not write step.Labels: it would not compile).
        Assert.DoesNotContain(typeof(UnlabeledStep).GetProperties(), p => p.Name.Contains("Label", StringComparison.OrdinalIgnoreCase));
        Assert.DoesNotContain(typeof(Sweeps.Training.Data.UnlabeledBatch).GetProperties(), p => p.Name.Contains("Label", StringComparison.OrdinalIgnoreCase));
        Assert.Contains(typeof(LabeledStep).GetProperties(), p => p.Name == "Labels");

        using var dir = new TempDirectory();
        var probe = new LabelFreeProbe();
        var result = TrainerTestData.Trainer(TrainerTestData.Options(dir.Path, "label-free-test", epochs: 1, trainLimit: 32), () => probe).Run();

        Assert.Equal(MethodInput.Unlabeled, probe.Input);
        Assert.Equal(2, probe.Steps);
        Assert.Equal([16, 16], probe.BatchSizes);
        var m = Assert.Single(TrainerTestData.MetricsLines(dir.Path));
        Assert.Equal(JsonValueKind.Null, m.GetProperty("train_top1").ValueKind);
        Assert.True(m.GetProperty("loss_terms").GetProperty("logit_energy").GetDouble() > 0);
        Assert.Equal("completed", result.Status);
    }

    [Fact]
    public void Run_CheckpointedInChannelsLastResumedInNchw_LoadsItAndEndsCloseToTheStraightRun()
    {
        using var straightDir = new TempDirectory();
        using var resumedDir = new TempDirectory();
        // fp (SGD with momentum): without rounding to quantization levels, rounding differences stay small.
        var straightOptions = TrainerTestData.Options(straightDir.Path, "fp", epochs: 2) with { ChannelsLast = true };
        TrainerTestData.Trainer(straightOptions).Run();
        using var cancel = new CancellationTokenSource();
        var first = TrainerTestData.Trainer(straightOptions with { OutputDirectory = resumedDir.Path }, new TrainingCallbacks { Epoch = _ => cancel.Cancel() });
        Assert.ThrowsAny<OperationCanceledException>(() => first.Run(cancel.Token));
        var firstEpoch = TrainerTestData.MetricsLines(resumedDir.Path).Single();

        // The second epoch in NCHW, from the channels-last checkpoint (model, momentum buffers, generator).
        var resumed = TrainerTestData.Trainer(straightOptions with { OutputDirectory = resumedDir.Path, ChannelsLast = false }).Run();

        Assert.Equal(1, resumed.ResumedAfterEpoch);
        Assert.Equal("contiguous", resumed.MemoryFormat);
        var straightMetrics = TrainerTestData.MetricsLines(straightDir.Path);
        Assert.Equal(straightMetrics[0].GetProperty("train_loss").GetDouble(), firstEpoch.GetProperty("train_loss").GetDouble());
        // The second epoch differs only by rounding (convolutions and BatchNorm sum in another order; measured: weights
        // 2e-4 of their largest value, the loss 3e-6); a checkpoint read in the wrong layout would scramble every kernel.
        var a = TrainerTestData.Values(Path.Combine(straightDir.Path, Trainer.ModelFileName));
        var b = TrainerTestData.Values(Path.Combine(resumedDir.Path, Trainer.ModelFileName));
        Assert.Equal(a.Keys, b.Keys);
        var worst = a.Keys.Where(k => k.EndsWith(".weight", StringComparison.Ordinal))
            .Select(key => (key, Ratio: a[key].Zip(b[key]).Max(p => Math.Abs(p.First - p.Second)) / a[key].Max(v => Math.Abs(v))))
            .MaxBy(x => x.Ratio);
        Assert.True(worst.Ratio <= 2e-3, $"'{worst.key}': max |difference| / max |value| {worst.Ratio:G3} between the straight and the resumed run");

        var straightLoss = straightMetrics[1].GetProperty("train_loss").GetDouble();
        var resumedLoss = TrainerTestData.MetricsLines(resumedDir.Path)[1].GetProperty("train_loss").GetDouble();
        Assert.True(Math.Abs(straightLoss - resumedLoss) <= 1e-4 * straightLoss, $"epoch 2 train loss: straight {straightLoss}, resumed in NCHW {resumedLoss}");
    }

    /// <summary>fp's loss plus a "penalty" term that is 0, except NaN at one step.</summary>
    private sealed class NaNAtStepMethod(int epoch, int step) : LabeledMethod
    {
        private readonly FullPrecisionMethod _fp = new();

        public override string Name => "nan-test";

        public override string Summary => "fp plus a penalty that turns NaN";

        public override Recipe Recipe => _fp.Recipe;

        public override MethodRequirements Requirements => MethodRequirements.FullPrecision;

        public override StepLoss Loss(LabeledStep s)
        {
            var ce = _fp.Loss(s);
            var penalty = s.Info.Epoch == epoch && s.Info.Step == step ? double.NaN : 0.0;
            return new StepLoss([.. ce.Terms, new LossTerm("penalty", ce.Terms[0].Value * 0 + penalty)], ce.Logits);
        }
    }

    /// <summary>A label-free method: pulls the student's logits towards zero (it can see only images).</summary>
    private sealed class LabelFreeProbe : LabelFreeMethod
    {
        public int Steps { get; private set; }

        public List<long> BatchSizes { get; } = [];

        public override string Name => "label-free-test";

        public override string Summary => "pulls logits towards zero without labels";

        public override Recipe Recipe { get; } = new() { Optimizer = OptimizerKind.Sgd, LearningRate = 0.01, WeightDecay = 0 };

        public override MethodRequirements Requirements => MethodRequirements.FullPrecision;

        public override StepLoss Loss(UnlabeledStep step)
        {
            Steps++;
            BatchSizes.Add(step.Images.Size(0));
            var logits = step.Student.Forward(step.Images);
            return new StepLoss([new LossTerm("logit_energy", logits.Square().Mean())]);
        }
    }
}
