using System.Text.Json;
using Sweeps.Torch;
using Sweeps.Training.Data;
using Sweeps.Training.Methods;
using Sweeps.Training.Training;

namespace Sweeps.Training.Tests;

/// <summary>The four methods in the trainer on tiny synthetic runs: finite named loss terms in metrics.jsonl, SQAKD's
/// independence of the labels, checkpointed method state and exact resume.</summary>
public sealed class MethodTrainingTests(TinyTeacherFixture teacher) : IClassFixture<TinyTeacherFixture>
{
    private TrainerOptions Options(string directory, string method, int epochs, int trainLimit = 32) =>
        TrainerTestData.Options(directory, method, epochs, trainLimit) with { TeacherCheckpoint = teacher.ModelPath, EwgsDeltaUpdate = false };

    [Theory]
    [InlineData("sqakd", new[] { "kl" })]
    [InlineData("mec-quant", new[] { "ce", "mec" })]
    [InlineData("fpq", new[] { "ce", "csd" })]
    [InlineData("cr", new[] { "ce", "consistency" })]
    public void Run_NewMethodFromTinyTeacher_FiniteLossesAndNamedTermsInMetrics(string method, string[] terms)
    {
        using var dir = new TempDirectory();

        var result = TrainerTestData.Trainer(Options(dir.Path, method, epochs: 1)).Run();

        Assert.Equal("completed", result.Status);
        Assert.Equal(method, result.Method);
        Assert.Equal("W4A4", result.Bits);
        var m = Assert.Single(TrainerTestData.MetricsLines(dir.Path));
        var lossTerms = m.GetProperty("loss_terms").EnumerateObject().ToList();
        Assert.Equal(terms, lossTerms.Select(t => t.Name));
        Assert.All(lossTerms, t => Assert.True(double.IsFinite(t.Value.GetDouble()), $"{t.Name} = {t.Value}"));
        Assert.Equal(m.GetProperty("train_loss").GetDouble(), lossTerms.Sum(t => t.Value.GetDouble()), 6);
        Assert.Equal(method == "sqakd" ? JsonValueKind.Null : JsonValueKind.Number, m.GetProperty("train_top1").ValueKind);
        var learningRates = m.GetProperty("learning_rates").EnumerateObject().Select(p => p.Name).ToList();
        Assert.Equal(method == "mec-quant" ? ["weights", "quantizer", "method"] : ["weights", "quantizer"], learningRates);
        Assert.InRange(result.LastTestTop1, 0, 1);

        var methodState = Path.Combine(dir.Path, Trainer.CheckpointDirectoryName, "method.pt");
        switch (method)
        {
            case "mec-quant":
                // The gate logits were trained (they start at 0) and checkpointed.
                var gate = TrainerTestData.Values(methodState)["gate_logits"];
                Assert.Equal(4, gate.Length);
                Assert.Contains(gate, g => g != 0);
                break;
            case "cr":
                // The mean teacher is checkpointed and was moved by the EMA updates after each optimizer step: it is
                // neither the starting point (the teacher's weights) nor the final student.
                var ema = TrainerTestData.Values(methodState);
                var student = TrainerTestData.Values(Path.Combine(dir.Path, Trainer.ModelFileName));
                var start = TrainerTestData.Values(teacher.ModelPath);
                Assert.Equal(student.Keys.Select(k => "ema." + k), ema.Keys);
                Assert.False(ema["ema.layer2.0.conv1.weight"].SequenceEqual(start["layer2.0.conv1.weight"]), "the EMA never moved");
                Assert.False(ema["ema.layer2.0.conv1.weight"].SequenceEqual(student["layer2.0.conv1.weight"]), "the EMA equals the student");
                break;
            default:
                Assert.False(File.Exists(methodState));
                break;
        }
    }

    [Theory]
    [InlineData("sqakd")] // label-free batches through the Hutchinson estimate
    [InlineData("cr")] // two views; the mean teacher starts inside the estimate's first loss
    public void Run_NewMethodWithEwgsDeltaUpdate_EstimatesDeltasThroughTheMethodsLoss(string method)
    {
        using var dir = new TempDirectory();
        var options = Options(dir.Path, method, epochs: 1, trainLimit: 16) with { EwgsDeltaUpdate = true };

        // The cheapest estimate (one batch, one Rademacher vector), still through the method's own loss.
        var trainer = new Trainer(options, () => MethodRegistry.Create(method))
        {
            DatasetSource = TrainerTestData.Data,
            AdjustRecipe = r => r with { EwgsDeltaBatches = 1, EwgsHutchinsonSamples = 1 },
        };
        var result = trainer.Run();

        Assert.Equal("completed", result.Status);
        Assert.Equal("hutchinson", result.EwgsDelta);
        var m = Assert.Single(TrainerTestData.MetricsLines(dir.Path));
        Assert.True(m.GetProperty("ewgs_delta_updated").GetBoolean());
        var delta = m.GetProperty("ewgs_mean_delta").GetDouble();
        Assert.True(double.IsFinite(delta) && delta > 0, $"mean delta {delta}");
        Assert.All(m.GetProperty("loss_terms").EnumerateObject(), t => Assert.True(double.IsFinite(t.Value.GetDouble())));
    }

    [Fact]
    public void Run_SqakdWithRandomLabels_SameTrajectoryAsWithRealLabels()
    {
        using var realDir = new TempDirectory();
        using var randomDir = new TempDirectory();
        using var qatRealDir = new TempDirectory();
        using var qatRandomDir = new TempDirectory();

        Run(Options(realDir.Path, "sqakd", epochs: 1, trainLimit: 48), TrainerTestData.Data);
        Run(Options(randomDir.Path, "sqakd", epochs: 1, trainLimit: 48), RandomLabels);

        // Bit for bit the same weights after 3 steps, and the same training loss.
        AssertSameWeights(realDir.Path, randomDir.Path, expectSame: true);
        Assert.Equal(
            TrainerTestData.MetricsLines(realDir.Path)[0].GetProperty("train_loss").GetDouble(),
            TrainerTestData.MetricsLines(randomDir.Path)[0].GetProperty("train_loss").GetDouble());

        // Control: a method that reads labels (qat) ends elsewhere with the random labels, so the comparison can fail.
        Run(Options(qatRealDir.Path, "qat", epochs: 1, trainLimit: 48), TrainerTestData.Data);
        Run(Options(qatRandomDir.Path, "qat", epochs: 1, trainLimit: 48), RandomLabels);
        AssertSameWeights(qatRealDir.Path, qatRandomDir.Path, expectSame: false);

        static void Run(TrainerOptions options, Func<DatasetSplit, ImageDataset> data) => new Trainer(options) { DatasetSource = data }.Run();
    }

    [Theory]
    [InlineData("cr")]
    [InlineData("mec-quant")]
    [InlineData("fpq")]
    public void Run_StoppedAfterEpochOneAndResumed_EndsBitIdenticalWithMethodState(string method)
    {
        using var straightDir = new TempDirectory();
        using var resumedDir = new TempDirectory();
        var straight = Options(straightDir.Path, method, epochs: 2);
        var resumed = straight with { OutputDirectory = resumedDir.Path };

        TrainerTestData.Trainer(straight).Run();
        using var cancel = new CancellationTokenSource();
        var first = TrainerTestData.Trainer(resumed, new TrainingCallbacks { Epoch = _ => cancel.Cancel() });
        Assert.ThrowsAny<OperationCanceledException>(() => first.Run(cancel.Token));
        var result = TrainerTestData.Trainer(resumed).Run();

        Assert.Equal(1, result.ResumedAfterEpoch);
        AssertSameWeights(straightDir.Path, resumedDir.Path, expectSame: true);
        var methodState = Path.Combine(Trainer.CheckpointDirectoryName, "method.pt");
        if (method != "fpq")
        {
            var a = TrainerTestData.Values(Path.Combine(straightDir.Path, methodState));
            var b = TrainerTestData.Values(Path.Combine(resumedDir.Path, methodState));
            Assert.Equal(a.Keys, b.Keys);
            Assert.All(a.Keys, k => Assert.True(a[k].SequenceEqual(b[k]), $"method state '{k}' differs after the resume"));
        }

        Assert.Equal(
            TrainerTestData.MetricsLines(straightDir.Path).Select(m => m.GetProperty("loss_terms").ToString()),
            TrainerTestData.MetricsLines(resumedDir.Path).Select(m => m.GetProperty("loss_terms").ToString()));
    }

    /// <summary>The synthetic set with every training label replaced by a random one (fixed seed); the images are
    /// unchanged.</summary>
    private static ImageDataset RandomLabels(DatasetSplit split)
    {
        var data = TrainerTestData.Data(split);
        if (split != DatasetSplit.Train)
        {
            return data;
        }

        var random = new Random(1234);
        var labels = Enumerable.Range(0, data.Count).Select(_ => (long)random.Next(data.ClassCount)).ToArray();
        Assert.True(labels.Zip(data.Labels.ToArray()).Count(p => p.First != p.Second) > data.Count / 2);
        return new ImageDataset(data.Name, data.Pixels.ToArray(), labels, data.Channels, data.Height, data.Width, data.ClassCount, data.Normalization);
    }

    private static void AssertSameWeights(string a, string b, bool expectSame)
    {
        var x = TrainerTestData.Values(Path.Combine(a, Trainer.ModelFileName));
        var y = TrainerTestData.Values(Path.Combine(b, Trainer.ModelFileName));
        Assert.Equal(x.Keys, y.Keys);
        var different = x.Keys.Where(k => !x[k].SequenceEqual(y[k])).ToList();
        if (expectSame)
        {
            Assert.True(different.Count == 0, $"weights differ: {string.Join(", ", different.Take(5))}");
        }
        else
        {
            Assert.True(different.Count > 0, "expected different weights");
        }
    }
}
