using System.Globalization;
using System.Text.Json;
using Sweeps.Torch;
using Sweeps.Torch.Serialization;
using Sweeps.Torch.Tests;
using Sweeps.Training.Models;

namespace Sweeps.Training.Tests;

/// <summary>
/// Builds every model configuration in C#, runs one training-mode pass (so BN running statistics are not their
/// defaults), saves the state dict, records the C# outputs, then runs reference/models.py once over all of them.
/// </summary>
public sealed class ModelReferenceFixture
{
    public static readonly ModelConfig[] Configs =
    [
        new("resnet20", 3, 10, 32, 32, 11),
        new("resnet20", 1, 10, 28, 28, 12),
        new("resnet32", 3, 100, 32, 32, 13),
        new("vgg8", 3, 10, 32, 32, 14),
        new("vgg8", 1, 10, 28, 28, 15),
    ];

    public ModelReferenceFixture()
    {
        using var dir = new TempDirectory();
        var args = new List<string>();
        foreach (var config in Configs)
        {
            var path = dir.File($"{config.Name}_{config.InputChannels}.pt");
            Results.Add(RunCSharp(config, path));
            args.AddRange([
                config.Name, Str(config.InputChannels), Str(config.Classes), Str(config.Height), Str(config.Width),
                Str(config.Seed), path]);
        }

        Reference = PythonReference.Run("models.py", [.. args]).EnumerateArray().ToArray();
    }

    /// <summary>C# results, one per <see cref="Configs"/> entry.</summary>
    public List<CSharpResult> Results { get; } = [];

    /// <summary>PyTorch results, one per <see cref="Configs"/> entry.</summary>
    public JsonElement[] Reference { get; }

    private static string Str(long v) => v.ToString(CultureInfo.InvariantCulture);

    private static CSharpResult RunCSharp(ModelConfig config, string path)
    {
        using var scope = DisposeScope.Enter();
        using var generator = new Generator((ulong)config.Seed);
        using var model = ModelRegistry.Create(config.Name, config.InputChannels, config.Classes, FullPrecisionLayerFactory.Instance, generator);
        var result = new CSharpResult
        {
            Keys = model.StateDict().Select(kv => (kv.Key, kv.Value.Shape)).ToList(),
            ParameterCount = ModelSize.ParameterCount(model),
            WeightCount = ModelSize.WeightCount(model),
            InitSums = model.NamedParameters().ToDictionary(p => p.Name, p => ModelTestData.Sum(p.Parameter)),
        };
        long[] shape = [2, config.InputChannels, config.Height, config.Width];
        using (new NoGradScope())
        {
            model.Forward(ModelTestData.Input(shape, cosine: true));
        }

        StateDictFile.Save(model.StateDict(), path);
        var input = ModelTestData.Input(shape);
        model.Eval();
        using (new NoGradScope())
        {
            var output = model.ForwardWithFeatures(input);
            result.EvalLogits = ModelTestData.Values(output.Logits);
            result.LogitsShape = output.Logits.Shape;
            result.Features = ModelTestData.Values(output.Features);
            result.FeaturesShape = output.Features.Shape;
            result.Stages = output.StageOutputs.Select(s => (s.Shape, ModelTestData.Values(s))).ToList();
        }

        model.Train();
        using (new NoGradScope())
        {
            result.TrainLogits = ModelTestData.Values(model.Forward(input));
        }

        result.TrainState = model.StateDict().ToDictionary(kv => kv.Key, kv => ModelTestData.Sum(kv.Value));
        return result;
    }

    public sealed record ModelConfig(string Name, int InputChannels, int Classes, long Height, long Width, int Seed);

    public sealed class CSharpResult
    {
        public List<(string Key, long[] Shape)> Keys { get; init; } = [];

        public long ParameterCount { get; init; }

        public long WeightCount { get; init; }

        public Dictionary<string, double> InitSums { get; init; } = [];

        public double[] EvalLogits { get; set; } = [];

        public long[] LogitsShape { get; set; } = [];

        public double[] Features { get; set; } = [];

        public long[] FeaturesShape { get; set; } = [];

        public List<(long[] Shape, double[] Values)> Stages { get; set; } = [];

        public double[] TrainLogits { get; set; } = [];

        public Dictionary<string, double> TrainState { get; set; } = [];
    }
}
