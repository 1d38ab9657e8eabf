using System.Globalization;
using System.Text.Json;
using Sweeps.Torch;
using Sweeps.Torch.Serialization;
using Sweeps.Torch.Tests;
using Sweeps.Training.Models;

namespace Sweeps.Training.Tests;

/// <summary>
/// Builds resnet18 and mobilenetv2 (torchvision's stem and the small-input stem) in C#, saves their state dicts,
/// runs reference/torchvision_models.py (torchvision 0.14), which loads ours into torchvision's models and saves
/// torchvision models of its own, then loads those into ours. Every logit is computed in eval mode on one input.
/// </summary>
public sealed class TorchvisionReferenceFixture : IDisposable
{
    public static readonly Config[] Configs =
    [
        new("resnet18", 10, 224, false, 21),
        new("resnet18", 200, 64, true, 22),
        new("mobilenetv2", 10, 224, false, 23),
        new("mobilenetv2", 7, 32, true, 24),
    ];

    private readonly TempDirectory _dir = new();

    public TorchvisionReferenceFixture()
    {
        var args = new List<string>();
        foreach (var config in Configs)
        {
            var ours = _dir.File($"{config.Name}_{config.Size}_ours.pt");
            var tv = _dir.File($"{config.Name}_{config.Size}_tv.pt");
            Ours.Add(RunOurs(config, ours));
            TorchvisionFiles.Add(tv);
            args.AddRange([config.Name, Str(config.Classes), Str(config.Size), config.Small ? "1" : "0", Str(config.Seed), ours, tv]);
        }

        Reference = PythonReference.Run("torchvision_models.py", [.. args]).EnumerateArray().ToArray();
        for (var i = 0; i < Configs.Length; i++)
        {
            TorchvisionInOurs.Add(LoadTorchvision(Configs[i], TorchvisionFiles[i]));
        }
    }

    /// <summary>Our models: keys, sizes, initial parameter sums, eval logits; one per <see cref="Configs"/> entry.</summary>
    public List<OursResult> Ours { get; } = [];

    /// <summary>The state dicts torchvision saved.</summary>
    public List<string> TorchvisionFiles { get; } = [];

    /// <summary>Eval logits of our model with torchvision's state dict loaded (strict).</summary>
    public List<double[]> TorchvisionInOurs { get; } = [];

    /// <summary>torchvision's results, one per <see cref="Configs"/> entry.</summary>
    public JsonElement[] Reference { get; }

    public void Dispose() => _dir.Dispose();

    private static string Str(long v) => v.ToString(CultureInfo.InvariantCulture);

    private static ClassifierModel Create(Config config, Generator generator) =>
        ModelRegistry.Create(config.Name, 3, config.Classes, FullPrecisionLayerFactory.Instance, generator, (int)config.Size);

    private static OursResult RunOurs(Config config, string path)
    {
        using var scope = DisposeScope.Enter();
        using var generator = new Generator((ulong)config.Seed);
        using var model = Create(config, generator);
        var result = new OursResult
        {
            Keys = model.StateDict().Select(kv => (kv.Key, kv.Value.Shape)).ToList(),
            ParameterCount = ModelSize.ParameterCount(model),
            InitSums = model.NamedParameters().ToDictionary(p => p.Name, p => ModelTestData.Sum(p.Parameter)),
        };

        // One training-mode pass so that the BN running statistics are not their defaults.
        using (new NoGradScope())
        {
            model.Forward(ModelTestData.Input([2, 3, config.Size, config.Size], cosine: true));
        }

        StateDictFile.Save(model.StateDict(), path);
        model.Eval();
        using (new NoGradScope())
        {
            var logits = model.Forward(ModelTestData.Input([2, 3, config.Size, config.Size]));
            result.LogitsShape = logits.Shape;
            result.EvalLogits = ModelTestData.Values(logits);
        }

        return result;
    }

    private static double[] LoadTorchvision(Config config, string path)
    {
        using var scope = DisposeScope.Enter();
        using var generator = new Generator(0);
        using var model = Create(config, generator);
        model.LoadStateDict(StateDictFile.Load(path), strict: true);
        model.Eval();
        using (new NoGradScope())
        {
            return ModelTestData.Values(model.Forward(ModelTestData.Input([2, 3, config.Size, config.Size])));
        }
    }

    public sealed record Config(string Name, int Classes, long Size, bool Small, int Seed);

    public sealed class OursResult
    {
        public List<(string Key, long[] Shape)> Keys { get; init; } = [];

        public long ParameterCount { get; init; }

        public Dictionary<string, double> InitSums { get; init; } = [];

        public long[] LogitsShape { get; set; } = [];

        public double[] EvalLogits { get; set; } = [];
    }
}
