using System.Text.Json;
using Sweeps.Torch;
using Sweeps.Torch.Serialization;
using Sweeps.Training.Data;
using Sweeps.Training.Methods;
using Sweeps.Training.Training;

namespace Sweeps.Training.Tests;

/// <summary>Small, fast trainer runs: resnet20 on a synthetic 1x12x12 set (the synthetic generator at a smaller
/// size), a few batches of 16 per epoch.</summary>
internal static class TrainerTestData
{
    public const int Threads = 2;

    public static TrainerOptions Options(string directory, string method, int epochs, int trainLimit = 64, int batchSize = 16) => new()
    {
        Model = "resnet20",
        Dataset = "synthetic",
        TrainLimit = trainLimit,
        TestLimit = 128,
        Method = method,
        Epochs = epochs,
        Seed = 7,
        OutputDirectory = directory,
        BatchSize = batchSize,
        EvaluationBatchSize = 128,
        Threads = Threads,
        ChannelsLast = true, // the CPU default, whatever SWEEPS_CHANNELS_LAST says where the tests run
    };

    public static ImageDataset Data(DatasetSplit split) =>
        SyntheticDataset.Create(split == DatasetSplit.Train ? 512 : 256, 1, 12, 12, 10, seed: 0, split);

    public static Trainer Trainer(TrainerOptions options, TrainingCallbacks? callbacks = null) =>
        new(options, callbacks) { DatasetSource = Data };

    public static Trainer Trainer(TrainerOptions options, Func<TrainingMethod> method, TrainingCallbacks? callbacks = null) =>
        new(options, method, callbacks) { DatasetSource = Data };

    public static JsonElement[] MetricsLines(string directory) =>
        File.ReadAllLines(Path.Combine(directory, Sweeps.Training.Training.Trainer.MetricsFileName))
            .Where(l => l.Length > 0)
            .Select(l => JsonDocument.Parse(l).RootElement.Clone())
            .ToArray();

    public static JsonElement Final(string directory) =>
        JsonDocument.Parse(File.ReadAllText(Path.Combine(directory, Sweeps.Training.Training.Trainer.FinalFileName))).RootElement.Clone();

    /// <summary>The float values of every entry of a state-dict file, by key.</summary>
    public static Dictionary<string, float[]> Values(string path)
    {
        using var scope = DisposeScope.Enter();
        return StateDictFile.Load(path).ToDictionary(kv => kv.Key, kv => kv.Value.To(ScalarType.Float32).Contiguous().ToArray<float>());
    }

    /// <summary>qat with a cheaper EWGS delta estimate (one batch, one Rademacher vector per quantizer).</summary>
    public sealed class FastQat : LabeledMethod
    {
        private readonly QatMethod _qat = new();

        public override string Name => _qat.Name;

        public override string Summary => _qat.Summary;

        public override Recipe Recipe => _qat.Recipe with { EwgsDeltaBatches = 1, EwgsHutchinsonSamples = 1 };

        public override MethodRequirements Requirements => _qat.Requirements;

        public override StepLoss Loss(LabeledStep step) => _qat.Loss(step);
    }
}
