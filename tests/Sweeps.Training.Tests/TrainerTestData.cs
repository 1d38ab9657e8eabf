using System.Text.Json;
using Sweeps.Torch;
using Sweeps.Torch.Serialization;
using Sweeps.Training.Training;

namespace Sweeps.Training.Tests;

/// <summary>Small, fast trainer runs: resnet20 on the synthetic 1x28x28 set, a few batches per epoch.</summary>
internal static class TrainerTestData
{
    public const int Threads = 2;

    public static TrainerOptions Options(string directory, string method, int epochs, int trainLimit = 128, int batchSize = 32) => new()
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
    };

    public static JsonElement[] MetricsLines(string directory) =>
        File.ReadAllLines(Path.Combine(directory, Trainer.MetricsFileName))
            .Where(l => l.Length > 0)
            .Select(l => JsonDocument.Parse(l).RootElement.Clone())
            .ToArray();

    public static JsonElement Final(string directory) =>
        JsonDocument.Parse(File.ReadAllText(Path.Combine(directory, Trainer.FinalFileName))).RootElement.Clone();

    /// <summary>The float values of every entry of a state-dict file, by key.</summary>
    public static Dictionary<string, float[]> Values(string path)
    {
        using var scope = DisposeScope.Enter();
        return StateDictFile.Load(path).ToDictionary(kv => kv.Key, kv => kv.Value.To(ScalarType.Float32).Contiguous().ToArray<float>());
    }
}
